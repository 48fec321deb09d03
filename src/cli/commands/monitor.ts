import { parseArgs } from 'node:util';
import { RegistryError } from '../../domain/errors.ts';
import { ALERT_KINDS, isAlertKind } from '../../domain/network/SecurityAlert.ts';
import { loadNodeConfig } from '../../nodes/node-config.ts';
import type { MonitorView } from '../../nodes/node-monitor.ts';
import { callTerminal } from '../../nodes/terminal-server.ts';
import { nodeTerminal } from '../terminal-target.ts';
import { EXIT, UsageError } from '../cli-error.ts';
import { printJson, type CommandIO } from '../io.ts';

export const MONITOR_HELP = `juki monitor --config NODE.json [--once] [--json] [--interval S] [--alerts N]

  監視画面 / the monitoring view of one running node (R11), through its terminal side
  (GET /monitor): node health, the newest alerts (intrusion alerts of the network side and the
  access-log analysis's findings), and at prefecture and national servers the report and
  analysis requests still open. Refreshes every S seconds until Ctrl-C.

  The emergency cut-off (緊急遮断) is a security officer's action and is not taken from this
  view: the monitor prints the command (juki node isolate P) or the web terminal's action.

  --config FILE   the node's config (juki network init writes them)
  --once          print the view once and exit
  --interval S    seconds between refreshes (default 5)
  --alerts N      alerts shown in the text view (default 10; --json has the newest 50)
  --json          machine-readable output (one JSON object per refresh)`;

/** Clears a terminal screen and puts the cursor home (only when stdout is a terminal). */
const CLEAR = '\x1b[2J\x1b[H';

export async function runMonitor(
  args: readonly string[],
  io: CommandIO,
  /** Stops the refresh loop (Ctrl-C by default; tests pass their own). */
  stop?: AbortSignal,
): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      config: { type: 'string' },
      once: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      interval: { type: 'string', default: '5' },
      alerts: { type: 'string', default: '10' },
    },
  });
  if (values.config === undefined) throw new UsageError('--config FILE is required');
  const interval = Number(values.interval);
  if (!Number.isFinite(interval) || interval <= 0 || interval > 3600)
    throw new UsageError('--interval must be a number of seconds between 0 and 3600');
  const shown = Number(values.alerts);
  if (!Number.isSafeInteger(shown) || shown < 0 || shown > 50)
    throw new UsageError('--alerts must be an integer from 0 to 50');
  const config = await loadNodeConfig(values.config);
  const base = await nodeTerminal(config);
  const fetchView = async (): Promise<MonitorView> =>
    (await callTerminal(base, 'GET', '/monitor')) as MonitorView;
  const print = (v: MonitorView): void => {
    if (values.json) io.out(JSON.stringify(v));
    else io.out(describeMonitor(v, { alerts: shown }));
  };

  if (values.once) {
    const v = await fetchView();
    if (values.json) printJson(io, v);
    else print(v);
    return EXIT.ok;
  }

  const controller = new AbortController();
  const signal = stop ?? controller.signal;
  const onInt = (): void => controller.abort();
  if (!stop) process.once('SIGINT', onInt);
  const clear = !values.json && process.stdout.isTTY === true && stop === undefined;
  try {
    while (!signal.aborted) {
      try {
        const v = await fetchView();
        if (clear) process.stdout.write(CLEAR);
        print(v);
      } catch (e) {
        if (!(e instanceof RegistryError)) throw e;
        // The node may be restarting: say so and keep watching.
        io.err(`監視: ${e.message} (${e.reason ?? e.code}); ${interval} 秒後に再試行 / retrying`);
      }
      await sleep(interval * 1000, signal);
    }
    return EXIT.ok;
  } finally {
    if (!stop) process.off('SIGINT', onInt);
  }
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });

/** The monitoring view as text, Japanese first. */
export function describeMonitor(v: MonitorView, options: { readonly alerts: number }): string {
  const h = v.health;
  const lines: string[] = [];
  lines.push(`監視 / monitor  ${v.node}  ${v.at}`);
  lines.push('');
  lines.push(
    `■ 状態 / health: ${h.status === 'ok' ? '正常 (ok)' : '低下 (degraded)'}  起動 / started ${h.startedAt}`,
  );
  lines.push(`  接続中のセッション / sessions: ${h.sessions}`);
  if (h.identities !== undefined)
    lines.push(`  本人確認情報 / identities: ${h.identities}  未送信 / outbox: ${h.outbox ?? 0}`);
  if (h.upstream)
    lines.push(
      `  上位ノード / upstream: ${h.upstream.connected ? '接続 (connected)' : '未接続 (not connected)'}`,
    );
  if (h.register)
    lines.push(
      `  既存住基 / register: 取込 ${h.register.taken} 件, 差戻し ${h.register.refused} 件${h.register.lastError ? `, 最後のエラー ${h.register.lastError}` : ''}`,
    );
  lines.push('');
  const kinds = Object.entries(v.counts.alertsByKind)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  lines.push(
    `■ アラート / alerts: 直近 ${v.alerts.length} 件 (24 時間以内 ${v.counts.alertsLastDay} 件)${kinds ? `: ${kinds}` : ''}`,
  );
  if (v.alerts.length === 0) lines.push('  アラートはありません (no alerts)');
  for (const a of v.alerts.slice(0, options.alerts)) {
    const from = `${a.peerAddress}${a.peerName ? ` (${a.peerName})` : ''}`;
    lines.push(`  #${a.id} ${a.at} ${a.kind} ← ${from}`);
    const gloss = isAlertKind(a.kind) ? `${ALERT_KINDS[a.kind]}: ` : '';
    lines.push(`      ${gloss}${a.detail}`);
  }
  if (v.openReports) {
    lines.push('');
    lines.push(
      `■ 未回答の報告要求・分析要求 / open report and analysis requests: ${v.openReports.length} 件`,
    );
    for (const r of v.openReports.slice(0, 20))
      lines.push(
        `  ${r.id} ${r.requestedAt} ${r.origin} → ${r.target} (${r.role === 'target' ? '回答待ち / to answer here' : '中継 / relayed'}): ${r.subject}`,
      );
  }
  lines.push('');
  lines.push(
    '緊急遮断 (セキュリティ管理者のみ) / emergency cut-off (security officer only): ' +
      `web 端末の「緊急遮断」(POST /isolate) または / or: juki node isolate NODE --config … --reason …`,
  );
  return lines.join('\n');
}
