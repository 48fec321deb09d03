import type { IntegrityScope } from '../domain/integrity/IntegrityScope.ts';
import {
  identityInfoOf,
  type IdentityInfo,
  type IdentityRecord,
} from '../domain/resident/IdentityInfo.ts';
import type { ResidentCode } from '../domain/resident/ResidentCode.ts';
import { searchKeysOf } from '../domain/provision/search-keys.ts';
import type {
  IntegrityCheckRecord,
  IntegrityDifferences,
  RepairAction,
  RepairRecord,
} from './integrity-records.ts';

/*
 * Row mapping of the integrity tables (migration 0003), shared by both dialects: the columns of
 * `integrity_check` in one order, record → values, row → record.
 */

export const INTEGRITY_CHECK_COLUMNS = [
  'check_id',
  'role',
  'peer',
  'scope_kind',
  'scope_code',
  'started_at',
  'finished_at',
  'local_count',
  'peer_count',
  'depth',
  'matching',
  'missing_at_receiver',
  'extra_at_receiver',
  'differing_values',
  'differences',
  'truncated',
  'bytes_sent',
  'bytes_received',
  'repaired_inserted',
  'repaired_updated',
  'repaired_removed',
  'repaired_conflicts',
] as const;

export const INTEGRITY_CHECK_COLUMN_LIST = INTEGRITY_CHECK_COLUMNS.join(', ');

/** The values of INTEGRITY_CHECK_COLUMNS, in order; booleans and timestamps as the dialect wants. */
export function integrityCheckValues<B>(
  r: IntegrityCheckRecord,
  bool: (b: boolean) => B,
): unknown[] {
  return [
    r.checkId,
    r.role,
    r.peer,
    r.scope.kind,
    r.scope.code,
    r.startedAt,
    r.finishedAt,
    r.localCount,
    r.peerCount,
    r.depth,
    bool(r.matching),
    r.differenceCounts.missingAtReceiver,
    r.differenceCounts.extraAtReceiver,
    r.differenceCounts.differingValues,
    JSON.stringify(r.differences),
    bool(r.truncated),
    r.bytesSent,
    r.bytesReceived,
    r.repaired.inserted,
    r.repaired.updated,
    r.repaired.removed,
    r.repaired.conflicts,
  ];
}

const instant = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));

/** Row (array mode, INTEGRITY_CHECK_COLUMNS order) → record. */
export function integrityCheckFromRow(r: readonly unknown[]): IntegrityCheckRecord {
  const differences = (
    typeof r[14] === 'string' ? JSON.parse(r[14]) : r[14]
  ) as IntegrityDifferences<ResidentCode[]>;
  return {
    checkId: r[0] as string,
    role: r[1] as 'sender' | 'receiver',
    peer: r[2] as string,
    scope: { kind: r[3], code: r[4] } as IntegrityScope,
    startedAt: instant(r[5]),
    finishedAt: instant(r[6]),
    localCount: Number(r[7]),
    peerCount: Number(r[8]),
    depth: Number(r[9]),
    matching: r[10] === true || r[10] === 1,
    differenceCounts: {
      missingAtReceiver: Number(r[11]),
      extraAtReceiver: Number(r[12]),
      differingValues: Number(r[13]),
    },
    differences,
    truncated: r[15] === true || r[15] === 1,
    bytesSent: Number(r[16]),
    bytesReceived: Number(r[17]),
    repaired: {
      inserted: Number(r[18]),
      updated: Number(r[19]),
      removed: Number(r[20]),
      conflicts: Number(r[21]),
    },
  };
}

export const REPAIR_ACTIONS: readonly RepairAction[] = [
  'inserted',
  'updated',
  'removed',
  'unchanged',
  'conflict',
];

/** Same 本人確認情報 and change information: a repair has nothing to do on this record. */
export function sameAsRepair(current: IdentityRecord, target: RepairRecord): boolean {
  return (
    current.status === 'resident' &&
    current.lastChange.reason === target.lastChange.reason &&
    current.lastChange.date === target.lastChange.date &&
    sameIdentity(current, target)
  );
}

export function sameIdentity(a: IdentityInfo, b: IdentityInfo): boolean {
  return JSON.stringify(identityInfoOf(a)) === JSON.stringify(identityInfoOf(b));
}

/** The columns a repair writes on an existing row (status resident, values, change info). */
export const REPAIR_UPDATE_COLUMNS = [
  'individual_number',
  'name_kanji',
  'name_kana',
  'sex',
  'birth_date',
  'address',
  'local_government_code',
  'last_change_reason',
  'last_change_date',
  // the search keys of the new values (migration 5)
  'name_key',
  'kana_key',
  'address_key',
] as const;

export function repairUpdateValues(r: RepairRecord): (string | null)[] {
  const keys = searchKeysOf(r);
  return [
    r.individualNumber ?? null,
    r.name.kanji,
    r.name.kana,
    r.sex,
    r.birthDate,
    r.address,
    r.localGovernmentCode,
    r.lastChange.reason,
    r.lastChange.date,
    keys.nameKey,
    keys.kanaKey,
    keys.addressKey,
  ];
}

/**
 * The record a repair inserts for a code the receiver never had: a resident with the sender's
 * values and change information, version 0 (no change was folded into it at this node).
 */
export function repairInsertRecord(r: RepairRecord): IdentityRecord {
  return {
    ...identityInfoOf(r),
    status: 'resident',
    lastChange: { reason: r.lastChange.reason, date: r.lastChange.date },
    movedOverseas: false,
    version: 0,
  };
}

/** What the store knows about one code of a repair's `upsert`, read inside the transaction. */
export type UpsertFacts = {
  /** The row with this resident code, and its person. */
  readonly current: IdentityRecord | undefined;
  readonly personId: number | undefined;
  /** `used_resident_code` for the code: undefined never used, null used by an erased record. */
  readonly codeOwner: number | null | undefined;
  /** The person holding the record's individual number, if anyone does. */
  readonly numberOwner: number | undefined;
};

/**
 * The one rule of a repair's upsert, for both dialects. A conflict is left alone (and logged):
 * - the code is a resident of another scope here (two municipalities claim the person; the
 *   newer move must come as a change notice, not be undone by a check);
 * - the record is not in the check's scope;
 * - the code was used here by another person (R7: a code is never reissued — a missed re-code);
 * - the individual number belongs to another person here.
 */
export function decideUpsert(
  inScope: (localGovernmentCode: string) => boolean,
  target: RepairRecord,
  facts: UpsertFacts,
): 'unchanged' | 'update' | 'insert' | 'conflict' {
  if (!inScope(target.localGovernmentCode)) return 'conflict';
  const { current, personId } = facts;
  if (current !== undefined) {
    if (current.status === 'resident' && !inScope(current.localGovernmentCode)) return 'conflict';
    if (sameAsRepair(current, target)) return 'unchanged';
    if (facts.numberOwner !== undefined && facts.numberOwner !== personId) return 'conflict';
    return 'update';
  }
  if (facts.codeOwner !== undefined && facts.codeOwner !== null) return 'conflict';
  if (facts.numberOwner !== undefined) return 'conflict';
  return 'insert';
}

/** A code the sender does not have: removed here if it is a resident in scope, else nothing. */
export const decideNotResident = (
  inScope: (localGovernmentCode: string) => boolean,
  current: IdentityRecord | undefined,
): 'unchanged' | 'remove' =>
  current !== undefined && current.status === 'resident' && inScope(current.localGovernmentCode)
    ? 'remove'
    : 'unchanged';

/** The 団体コード range of a prefecture: [`13`, `14`) holds every code starting with 13. */
export const prefectureBounds = (code: string): [string, string] => [
  code,
  String(Number(code) + 1).padStart(2, '0'),
];
