import { parseArgs } from 'node:util';
import { openAuditAnchorStore, type AuditAnchor } from '../../storage/audit-anchor-store.ts';
import { EXIT, UsageError } from '../cli-error.ts';
import { printJson, type CommandIO } from '../io.ts';

export const AUDIT_ANCHORS_HELP = 'juki audit anchors --store URL --node NAME [--json]';

export const AUDIT_ANCHORS_DETAIL = `  anchors  at a prefecture or national server: the seals NAME anchored here (R23). With
           --json, the file that juki audit verify --anchors reads at NAME`;

const PAGE = 1000;

/** `juki audit anchors`: one downstream node's anchored seals, oldest first (docs/AUDIT.md). */
export async function runAuditAnchors(args: readonly string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      store: { type: 'string' },
      node: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.store === undefined) throw new UsageError('--store is required');
  if (values.node === undefined) throw new UsageError('--node is required');
  const node = values.node;
  const store = await openAuditAnchorStore(values.store);
  const anchors: AuditAnchor[] = [];
  try {
    for (let after = 0; ;) {
      const page = await store.anchors(node, after, PAGE);
      anchors.push(...page);
      if (page.length < PAGE) break;
      after = page.at(-1)!.seq;
    }
  } finally {
    await store.close();
  }
  if (values.json) printJson(io, { node, anchors });
  else if (anchors.length === 0)
    io.out(`${node} の封印はここに保管されていません (no seal of ${node} is anchored here)`);
  else
    for (const a of anchors)
      io.out(
        `封印 ${a.seq}: 記録 ${a.uptoSeq} まで ${a.at} hash ${a.hash.slice(0, 16)}… 受領 ${a.anchoredAt} ` +
          `(seal ${a.seq}: up to record ${a.uptoSeq}, anchored ${a.anchoredAt})`,
      );
  return EXIT.ok;
}
