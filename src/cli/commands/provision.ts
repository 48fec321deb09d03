import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { RegistryError } from '../../domain/errors.ts';
import type { RefusalRecord } from '../../domain/provision/disclosure.ts';
import { isRecipientId, type SuspensionEvent } from '../../domain/provision/recipient.ts';
import { loadNodeConfig } from '../../nodes/node-config.ts';
import {
  changeRegister,
  REGISTER_CHANGES,
  type RegisterChange,
} from '../../nodes/provision-register.ts';
import { callTerminal } from '../../nodes/terminal-server.ts';
import { nodeTerminal } from '../terminal-target.ts';
import { loadStatutoryAffairs } from '../../reference-data/statutory-affairs.ts';
import { openProvisionStore } from '../../storage/open-store.ts';
import type { ProvisionStore } from '../../storage/ports.ts';
import { EXIT, UsageError } from '../cli-error.ts';
import { printJson, type CommandIO } from '../io.ts';
import { createProgress } from '../progress.ts';
import { PROVISION_MEDIA_HELP, runProvisionMedia } from './provision-media.ts';

export const PROVISION_HELP = `juki provision <action> [options]      本人確認情報の提供 (R3–R5, R13, R21; docs/PROVISION.md)

  The register of a providing node (national or prefecture server), on its store:
    recipient add --store URL --id ID --name NAME --kind national-agency|prefecture-body|municipality
                  --served-by NODE [--node NODE]
    ordinance add --store URL --prefecture P --item ITEM --recipient-text TEXT --affair-text TEXT
                  --legal-basis TEXT                 an affair the prefecture's 条例 adds (R3)
    permit      --store URL --recipient ID --affair AFFAIR [--identifier pseudonym|resident-code]
    agreement   --store URL --recipient ID --id AGREEMENT --signed DATE --from DATE [--to DATE]
                  --measures TEXT                                  (協定書, R5)
    suspend | reinstate --store URL --recipient ID --by OPERATOR --reason TEXT     (R5)
    recipient add | permit | agreement | ordinance add --config NODE.json …   the same options,
                  at the running node (POST /provision/register): in force at once and in its
                  access log (R23); an ordinance affair at a prefecture server, of its own
                  prefecture (--prefecture may be left out)
    suspend | reinstate --config NODE.json --recipient ID --reason TEXT [--by OPERATOR]
                  the same at the running node: in force at once and in its access log (R23);
                  with JUKI_OPERATOR_SESSION the logged-in operator decided (--by left out)
    list        --store URL                 recipients, permissions, agreements, suspensions
    refusals    --store URL [--limit N]     refused queries (who, why; never whom)
    refusals    --config NODE.json [--recipient ID] [--limit N]   the same from the running
                  node (POST /provision/refusals, at most 200), recorded in its access log
  The statutory affairs (別表第一–第六, 689 items):
    affairs [--grep TEXT]
  一括提供 (R14), at a running agency server: a file of rows in, the same rows with 本人確認情報
  (or a status and its reason) out, streamed in chunks with progress:
    batch --config FILE --affair AFFAIR --in ROWS.jsonl --out RESULT.jsonl [--chunk N]
          rows: JSON Lines with the batch columns (ref, resident_code, individual_number, name,
          name_match, name_kana, name_kana_match, address, address_match, birth_date, sex)
  A query, at a running agency or prefecture server (its terminal side):
    query --config FILE [--recipient ID] --affair AFFAIR [--searcher S]
          [--resident-code C | --individual-number N | --name N [--name-prefix] [--kana K]
           [--address A [--address-prefix]] [--birth-date D] [--sex male|female]]
          the searcher (検索者) recorded with each provision and refusal is the logged-in operator
          with JUKI_OPERATOR_SESSION (--searcher may be left out; another name is refused), and
          --searcher as given on the console
${PROVISION_MEDIA_HELP}

  --schema S   PostgreSQL: the node's schema (as in its config's storeSchema)
  --json       machine-readable output`;

const OPTIONS = {
  store: { type: 'string' },
  schema: { type: 'string' },
  config: { type: 'string' },
  id: { type: 'string' },
  name: { type: 'string' },
  kind: { type: 'string' },
  'served-by': { type: 'string' },
  node: { type: 'string' },
  recipient: { type: 'string' },
  affair: { type: 'string' },
  prefecture: { type: 'string' },
  item: { type: 'string' },
  'recipient-text': { type: 'string' },
  'affair-text': { type: 'string' },
  'legal-basis': { type: 'string' },
  identifier: { type: 'string', default: 'pseudonym' },
  signed: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  measures: { type: 'string' },
  by: { type: 'string' },
  reason: { type: 'string' },
  limit: { type: 'string', default: '50' },
  grep: { type: 'string' },
  in: { type: 'string' },
  out: { type: 'string' },
  chunk: { type: 'string', default: '256' },
  searcher: { type: 'string' },
  'resident-code': { type: 'string' },
  'individual-number': { type: 'string' },
  kana: { type: 'string' },
  'name-prefix': { type: 'boolean', default: false },
  address: { type: 'string' },
  'address-prefix': { type: 'boolean', default: false },
  'birth-date': { type: 'string' },
  sex: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

type Values = ReturnType<typeof parse>['values'];
const parse = (args: readonly string[]) =>
  parseArgs({ args: [...args], allowPositionals: true, options: OPTIONS });

const need = (v: Values, key: keyof Values): string => {
  const x = v[key];
  if (typeof x !== 'string' || x === '') throw new UsageError(`--${key} is required`);
  return x;
};

export async function runProvision(args: readonly string[], io: CommandIO): Promise<number> {
  if (/^media(-open|-log|-dispose)?$/.test(args[0] ?? ''))
    return runProvisionMedia(args[0]!, args.slice(1), io);
  const { values, positionals } = parse(args);
  const [action, sub] = positionals;
  if (action === 'affairs') return listAffairs(values, io);
  if (action === 'query') return query(values, io);
  if (action === 'batch') return batch(values, io);
  if (action === undefined) throw new UsageError(PROVISION_HELP);
  if ((action === 'suspend' || action === 'reinstate') && values.config !== undefined)
    return suspensionAtNode(action, values, io);
  if (action === 'refusals' && values.config !== undefined) return refusalsAtNode(values, io);
  if (isRegisterChange(action) && values.config !== undefined) {
    if ((action === 'recipient' || action === 'ordinance') && sub !== 'add')
      throw new UsageError(`juki provision ${action} add …`);
    const base = await nodeTerminal(await loadNodeConfig(values.config));
    const done = (await callTerminal(base, 'POST', '/provision/register', {
      change: action,
      ...registerFields(action, values),
    })) as { done: string };
    io.out(`${done.done} (at the running node; recorded in its access log)`);
    return EXIT.ok;
  }
  const store = await openProvisionStore(
    need(values, 'store'),
    values.schema ? { schema: values.schema } : {},
  );
  try {
    return await adminAction(action, sub, values, store, io);
  } finally {
    await store.close();
  }
}

async function adminAction(
  action: string,
  sub: string | undefined,
  v: Values,
  store: ProvisionStore,
  io: CommandIO,
): Promise<number> {
  const recipientId = (): string => {
    const id = need(v, 'recipient');
    if (!isRecipientId(id)) throw new UsageError(`--recipient ${id} is not a recipient id`);
    return id;
  };
  switch (action) {
    case 'recipient':
    case 'permit':
    case 'agreement':
    case 'ordinance': {
      if (action === 'recipient' && sub !== 'add')
        throw new UsageError('juki provision recipient add …');
      if (action === 'ordinance' && sub !== 'add')
        throw new UsageError('juki provision ordinance add …');
      const done = await changeRegister(store, action, registerFields(action, v));
      io.out(done.done);
      return EXIT.ok;
    }

    case 'suspend':
    case 'reinstate': {
      await store.recordSuspension({
        recipientId: recipientId() as never,
        action,
        at: new Date().toISOString(),
        by: need(v, 'by'),
        reason: need(v, 'reason'),
      });
      io.out(
        action === 'suspend'
          ? `提供を停止しました (provision suspended): ${recipientId()}`
          : `提供を再開しました (provision reinstated): ${recipientId()}`,
      );
      return EXIT.ok;
    }
    case 'list': {
      const registry = await store.loadRegistry();
      if (v.json) printJson(io, registry);
      else
        for (const r of registry.recipients) {
          const permits = registry.permissions.filter((p) => p.recipientId === r.id);
          const agreements = registry.agreements.filter((a) => a.recipientId === r.id);
          // R5: every suspension and reinstatement, oldest first; the latest decides.
          const suspensions = registry.suspensions
            .filter((s) => s.recipientId === r.id)
            .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
          const suspended = suspensions.at(-1)?.action === 'suspend';
          io.out(
            `${r.id}  ${r.name} (${r.kind}, served by ${r.servedBy.role}:${r.servedBy.code})${suspended ? '  【提供停止中 (provision suspended)】' : ''}`,
          );
          for (const p of permits) io.out(`    事務 ${p.affairId} → ${p.identifier}`);
          for (const a of agreements)
            io.out(
              `    協定書 ${a.id} signed ${a.signedOn}, in force ${a.validFrom}–${a.validTo ?? ''}`,
            );
          for (const s of suspensions)
            io.out(
              `    ${s.action === 'suspend' ? '提供停止 (suspended)' : '提供再開 (reinstated)'} ${s.at} by ${s.by}: ${s.reason}`,
            );
        }
      return EXIT.ok;
    }
    case 'refusals':
      printRefusals(await store.listRefusals({ limit: Number(v.limit) }), v, io);
      return EXIT.ok;
    default:
      throw new UsageError(`unknown action ${JSON.stringify(action)}\n\n${PROVISION_HELP}`);
  }
}

function printRefusals(refusals: readonly RefusalRecord[], v: Values, io: CommandIO): void {
  if (v.json) printJson(io, refusals);
  else
    for (const r of refusals)
      io.out(`#${r.id} ${r.at} ${r.recipientId} ${r.affairId ?? ''} [${r.reason}] ${r.message}`);
}

async function refusalsAtNode(v: Values, io: CommandIO): Promise<number> {
  const limit = Number(v.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200)
    throw new UsageError('--limit must be an integer in [1, 200]');
  const base = await nodeTerminal(await loadNodeConfig(need(v, 'config')));
  const refusals = (await callTerminal(base, 'POST', '/provision/refusals', {
    limit,
    ...(v.recipient ? { recipientId: v.recipient } : {}),
  })) as RefusalRecord[];
  printRefusals(refusals, v, io);
  return EXIT.ok;
}

function listAffairs(v: Values, io: CommandIO): number {
  const affairs = loadStatutoryAffairs().affairs.filter(
    (a) => !v.grep || `${a.id} ${a.recipient} ${a.affair}`.includes(v.grep),
  );
  if (v.json) printJson(io, affairs);
  else for (const a of affairs) io.out(`${a.id}  ${a.recipient}\n    ${a.affair}`);
  return EXIT.ok;
}

async function query(v: Values, io: CommandIO): Promise<number> {
  const target = await nodeTerminal(await loadNodeConfig(need(v, 'config')));
  const q: Record<string, unknown> = { affairId: need(v, 'affair') };
  if (v['resident-code']) q.residentCode = v['resident-code'];
  if (v['individual-number']) q.individualNumber = v['individual-number'];
  if (v.name) {
    q.name = v.name;
    q.nameMatch = v['name-prefix'] ? 'prefix' : 'exact';
  }
  if (v.kana) q.nameKana = v.kana;
  if (v.address) {
    q.address = v.address;
    q.addressMatch = v['address-prefix'] ? 'prefix' : 'exact';
  }
  if (v['birth-date']) q.birthDate = v['birth-date'];
  if (v.sex) q.sex = v.sex;
  const answer = (await callTerminal(target, 'POST', '/provision/query', {
    query: q,
    ...(v.recipient ? { recipientId: v.recipient } : {}),
    ...(v.searcher ? { searcher: v.searcher } : {}),
  })) as {
    queryId: string;
    identities: {
      identifier: { kind: string; value: string };
      name: { kanji: string };
      birthDate: string;
      address: string;
      status: string;
    }[];
  };
  if (v.json) printJson(io, answer);
  else {
    io.out(`照会 ${answer.queryId}: ${answer.identities.length} 件 (persons)`);
    for (const p of answer.identities)
      io.out(
        `  ${p.identifier.kind}:${p.identifier.value} ${p.name.kanji} ${p.birthDate} ${p.address} (${p.status})`,
      );
  }
  return EXIT.ok;
}

const isRegisterChange = (a: string): a is RegisterChange =>
  (REGISTER_CHANGES as readonly string[]).includes(a);

/** The options of a register change as changeRegister's fields (the same at the node). */
function registerFields(change: RegisterChange, v: Values): Record<string, string | undefined> {
  switch (change) {
    case 'recipient':
      return {
        id: need(v, 'id'),
        name: need(v, 'name'),
        kind: need(v, 'kind'),
        servedBy: need(v, 'served-by'),
        node: v.node,
      };
    case 'permit':
      return {
        recipientId: need(v, 'recipient'),
        affairId: need(v, 'affair'),
        identifier: v.identifier,
      };
    case 'agreement':
      return {
        recipientId: need(v, 'recipient'),
        id: need(v, 'id'),
        signedOn: need(v, 'signed'),
        validFrom: need(v, 'from'),
        validTo: v.to,
        protectionMeasures: need(v, 'measures'),
      };
    case 'ordinance':
      return {
        // At the running node its own prefecture; --prefecture only on the store.
        prefectureCode: v.config === undefined ? need(v, 'prefecture') : v.prefecture,
        item: need(v, 'item'),
        recipientText: need(v, 'recipient-text'),
        affairText: need(v, 'affair-text'),
        legalBasis: need(v, 'legal-basis'),
      };
  }
}

/** `suspend | reinstate --config`: at the running node, recorded in its access log (R5, R23). */
async function suspensionAtNode(
  action: 'suspend' | 'reinstate',
  v: Values,
  io: CommandIO,
): Promise<number> {
  const base = await nodeTerminal(await loadNodeConfig(need(v, 'config')));
  const event = (await callTerminal(base, 'POST', '/provision/suspension', {
    recipientId: need(v, 'recipient'),
    action,
    reason: need(v, 'reason'),
    ...(v.by === undefined ? {} : { by: v.by }),
  })) as SuspensionEvent;
  if (v.json) printJson(io, event);
  else
    io.out(
      `${action === 'suspend' ? '提供を停止しました (provision suspended)' : '提供を再開しました (provision reinstated)'}: ${event.recipientId}, ${event.at} by ${event.by}`,
    );
  return EXIT.ok;
}

/** A line that is not a JSON object is echoed as text, at most this many characters. */
const MAX_ECHOED_LINE = 200;

async function batch(v: Values, io: CommandIO): Promise<number> {
  const base = await nodeTerminal(await loadNodeConfig(need(v, 'config')));
  const affairId = need(v, 'affair');
  const chunkSize = Number(v.chunk);
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 1000)
    throw new UsageError('--chunk must be an integer in [1, 1000]');
  const batchId = `batch-${Date.now()}-${randomBytes(3).toString('hex')}`;
  const input = createInterface({
    input: createReadStream(need(v, 'in'), 'utf8'),
    crlfDelay: Infinity,
  });
  const output = createWriteStream(need(v, 'out'), { flags: 'wx' });
  const progress = createProgress('一括提供 batch provision', undefined, {
    interactive: io.interactive,
    write: io.err,
  });
  const counts = { found: 0, 'not-found': 0, refused: 0, malformed: 0 };
  let line = 0;
  let chunk: { line: number; row: Record<string, unknown> | undefined; raw: string }[] = [];
  const flush = async (): Promise<void> => {
    if (chunk.length === 0) return;
    // Every line is sent, a line that is not a JSON object as `null` (the agency server refuses it
    // `batch.malformed-line` and sends it on, so that the national server records the refusal,
    // R23); blank lines are skipped, so lines go in runs of consecutive lines, each keeping its
    // line number.
    const results = new Map<number, unknown>();
    for (let i = 0; i < chunk.length;) {
      let j = i + 1;
      while (j < chunk.length && chunk[j]!.line === chunk[j - 1]!.line + 1) j++;
      const run = chunk.slice(i, j);
      const answer = (await withRetry(() =>
        callTerminal(base, 'POST', '/provision/batch', {
          affairId,
          batchId,
          firstLine: run[0]!.line,
          rows: run.map((r) => r.row ?? null),
        }),
      )) as { results: { status: keyof typeof counts }[] };
      answer.results.forEach((r, k) => results.set(run[k]!.line, r));
      i = j;
    }
    for (const c of chunk) {
      const r = (results.get(c.line) as { status: keyof typeof counts } | undefined) ?? {
        ref: c.line,
        status: 'refused',
        code: 'invalid',
        reason: 'batch.malformed-line',
      };
      counts[c.row === undefined ? 'malformed' : r.status] += 1;
      // The input row comes back with its answer appended (R14): the result file stands alone.
      const input = c.row ?? c.raw.slice(0, MAX_ECHOED_LINE);
      if (!output.write(`${JSON.stringify({ line: c.line, input, ...r })}\n`))
        await new Promise<void>((resolve) => output.once('drain', () => resolve()));
    }
    progress.update(line);
    chunk = [];
  };
  try {
    for await (const raw of input) {
      line += 1;
      if (raw.trim() === '') continue;
      let row: Record<string, unknown> | undefined;
      try {
        const parsed: unknown = JSON.parse(raw);
        row =
          typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
            ? (parsed as Record<string, unknown>)
            : undefined;
      } catch {
        row = undefined;
      }
      chunk.push({ line, row, raw });
      if (chunk.length >= chunkSize) await flush();
    }
    await flush();
  } finally {
    await new Promise<void>((resolve) => output.end(() => resolve()));
  }
  progress.finish(line);
  const summary = { batchId, lines: line, ...counts };
  if (v.json) printJson(io, summary);
  else
    io.out(
      `一括提供 ${batchId}: ${line} lines — ${counts.found} found, ${counts['not-found']} not found, ${counts.refused} refused, ${counts.malformed} malformed → ${need(v, 'out')}`,
    );
  return EXIT.ok;
}

/** A chunk whose outcome is unknown (the agency server was unreachable) is sent again: rows are idempotent. */
async function withRetry<T>(fn: () => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= attempts || !(e instanceof RegistryError) || e.code !== 'unavailable') throw e;
      await new Promise((r) => setTimeout(r, 250 * 2 ** i));
    }
  }
}
