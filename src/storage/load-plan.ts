import type { LoadBatch, LoadRefusal, LoadRefusalReason } from './ports.ts';

/** What a store knows, before the batch, about the codes and numbers of a batch. */
export type LoadLookups = {
  /** `stored`: a current record has the code; `used`: it was used before (R7); else undefined. */
  readonly residentCodeState: (code: string) => 'stored' | 'used' | undefined;
  readonly individualNumberStored: (n: string) => boolean;
};

export type LoadPlan = { readonly accepted: LoadBatch; readonly refused: LoadRefusal[] };

/**
 * Decides which rows of a bulk load are stored and which are refused, in four steps every
 * dialect follows in this order (the PostgreSQL store does the same in SQL):
 * 1. resident code already stored or used before;
 * 2. among the rows left, a resident code already on an earlier line;
 * 3. among the rows left, an individual number already stored;
 * 4. among the rows left, an individual number already on an earlier line.
 * Rows are taken in line order; refusals come back in line order.
 */
export function planLoad(batch: LoadBatch, lookups: LoadLookups): LoadPlan {
  const rows = [...batch].sort((a, b) => a.line - b.line);
  const refused = new Map<number, LoadRefusal>();
  const refuse = (row: LoadBatch[number], reason: LoadRefusalReason): void => {
    refused.set(row.line, { line: row.line, residentCode: row.record.residentCode, reason });
  };
  const open = (): LoadBatch => rows.filter((r) => !refused.has(r.line));

  for (const row of rows) {
    const state = lookups.residentCodeState(row.record.residentCode);
    if (state === 'stored') refuse(row, 'resident-code.already-stored');
    else if (state === 'used') refuse(row, 'resident-code.used');
  }
  const codes = new Set<string>();
  for (const row of open()) {
    if (codes.has(row.record.residentCode)) refuse(row, 'resident-code.duplicate-in-batch');
    codes.add(row.record.residentCode);
  }
  for (const row of open()) {
    const n = row.record.individualNumber;
    if (n !== undefined && lookups.individualNumberStored(n)) {
      refuse(row, 'individual-number.already-stored');
    }
  }
  const numbers = new Set<string>();
  for (const row of open()) {
    const n = row.record.individualNumber;
    if (n === undefined) continue;
    if (numbers.has(n)) refuse(row, 'individual-number.duplicate-in-batch');
    numbers.add(n);
  }
  return { accepted: open(), refused: [...refused.values()].sort((a, b) => a.line - b.line) };
}
