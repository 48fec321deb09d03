import { parseArgs } from 'node:util';
import { ALERT_KINDS } from '../../domain/network/SecurityAlert.ts';
import { openAlertStore } from '../../storage/open-store.ts';
import { EXIT, UsageError } from '../cli-error.ts';
import { printJson, type CommandIO } from '../io.ts';

export const ALERTS_HELP = `juki alerts --store URL [--limit N] [--json]

  Lists the intrusion alerts (侵入検知 alerts, R11) a node recorded on its network side, newest
  first: not our protocol, failed TLS handshakes, revoked or unexpected certificates, forbidden
  operations, rate limits.

  --store URL   the node's store (sqlite:PATH or postgres://…)
  --limit N     at most N alerts (default 50)
  --json        machine-readable output`;

export async function runAlerts(args: readonly string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      store: { type: 'string' },
      limit: { type: 'string', default: '50' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.store === undefined) throw new UsageError('--store is required');
  const limit = Number(values.limit);
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new UsageError('--limit must be a positive integer');
  const store = await openAlertStore(values.store);
  try {
    const alerts = await store.listAlerts({ limit });
    if (values.json) printJson(io, alerts);
    else if (alerts.length === 0) io.out('侵入検知アラートはありません (no intrusion alerts)');
    else {
      for (const a of alerts) {
        io.out(
          `#${a.id} ${a.at} ${a.kind} from ${a.peerAddress}${a.peerName ? ` (${a.peerName})` : ''} at ${a.observer}`,
        );
        io.out(`    ${ALERT_KINDS[a.kind]}: ${a.detail}`);
      }
    }
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
