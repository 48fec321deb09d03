import type { ProvidedIdentity } from '../../domain/provision/answer.ts';
import type { SearchQuery } from '../../domain/provision/search-rules.ts';
import { InvalidMessageError } from '../errors.ts';
import type { BodyReader } from './BodyReader.ts';
import { defineMessage, IDEMPOTENCY_KEY } from './define-message.ts';
import {
  AFFAIR_ID,
  readIdentity,
  readQueryLeniently,
  type QueryProblem,
} from './ProvisionQuery.ts';

/** Rows per `provision-batch` message: a chunk of a 一括提供 file (R14). */
export const MAX_BATCH_ROWS = 256;

/**
 * A row: `{ query }` on the wire (the conditions, without the affair), or `{ malformed }` for a
 * line of the file the sender could not turn into conditions (`batch.unknown-column`,
 * `batch.empty-row`, `batch.malformed-line`, …): it is sent all the same so that the receiver
 * records its refusal (R23). As the receiver reads it, a row whose conditions do not pass the
 * schema becomes `{ malformed }` too (`search.sex`, `search.match-mode`, `search.malformed`, as
 * `readQueryLeniently` names them). A malformed row alone is refused `invalid` with its reason;
 * the others are answered.
 */
export type BatchRowQuery = { readonly query: SearchQuery } | { readonly malformed: QueryProblem };

/**
 * 一括提供 (R14): up to 256 rows of one batch file, for one affair, from an agency server to the
 * national server. Each row is one person's conditions; each gets its own outcome under the batch
 * rules (R13's forms plus the individual number), with one disclosure record per person provided
 * (R17) and one refusal record per refused row. Answered by `provision-batch-answer` with the
 * outcomes in row order. The idempotency key names the chunk (agency, batch id, first line): a
 * chunk sent again is answered again and recorded once.
 */
export type ProvisionBatch = {
  readonly kind: 'provision-batch';
  readonly idempotencyKey: string;
  /** The person at the recipient who ran the batch (recorded in the disclosures, R17). */
  readonly searcher?: string | undefined;
  readonly affairId: string;
  readonly rows: readonly BatchRowQuery[];
};

/** A row's outcome: the persons found (0 = none), or the refusal of that row. */
export type BatchRowAnswer =
  | { readonly identities: readonly ProvidedIdentity[] }
  | { readonly refused: { readonly code: string; readonly reason: string } };

export type ProvisionBatchAnswer = {
  readonly kind: 'provision-batch-answer';
  readonly idempotencyKey: string;
  readonly results: readonly BatchRowAnswer[];
};

export const ProvisionBatch = defineMessage<ProvisionBatch, 'provision-batch-answer'>({
  kind: 'provision-batch',
  roles: ['request'],
  reply: 'provision-batch-answer',
  effect: 'write',
  parse(r): ProvisionBatch {
    const idempotencyKey = r.string('idempotencyKey', IDEMPOTENCY_KEY);
    const searcher = r.optionalString('searcher', { max: 64, noControl: true });
    const affairId = r.string('affairId', AFFAIR_ID);
    const rows = r.objects('rows', { maxItems: MAX_BATCH_ROWS }).map((row): BatchRowQuery => {
      if (row.has('malformed')) return { malformed: readSentProblem(row) };
      const query = readQueryLeniently(row, 'query', affairId);
      return 'malformed' in query ? { malformed: query.malformed } : { query };
    });
    return {
      kind: 'provision-batch',
      idempotencyKey,
      ...(searcher ? { searcher } : {}),
      affairId,
      rows,
    };
  },
});

const REFUSAL_TEXT = { max: 64, pattern: /^[a-z0-9.-]+$/, patternText: 'a code (a-z 0-9 . -)' };

/** A row the sender marked malformed: its reason and message (`search.malformed` if unreadable). */
function readSentProblem(row: BodyReader): QueryProblem {
  try {
    const m = row.object('malformed');
    return {
      reason: m.string('reason', REFUSAL_TEXT),
      message: m.string('message', { max: 500, noControl: true }),
    };
  } catch (e) {
    if (!(e instanceof InvalidMessageError)) throw e;
    return { reason: 'search.malformed', message: `行が不正です (malformed row: ${e.message})` };
  }
}

export const ProvisionBatchAnswer = defineMessage<ProvisionBatchAnswer>({
  kind: 'provision-batch-answer',
  roles: ['reply'],
  reply: undefined,
  effect: 'read',
  parse(r): ProvisionBatchAnswer {
    return {
      kind: 'provision-batch-answer',
      idempotencyKey: r.string('idempotencyKey', IDEMPOTENCY_KEY),
      results: r.objects('results', { maxItems: MAX_BATCH_ROWS }).map((x): BatchRowAnswer => {
        if (x.has('refused')) {
          const f = x.object('refused');
          return {
            refused: {
              code: f.string('code', REFUSAL_TEXT),
              reason: f.string('reason', REFUSAL_TEXT),
            },
          };
        }
        return { identities: x.objects('identities', { maxItems: 50 }).map(readIdentity) };
      }),
    };
  },
});
