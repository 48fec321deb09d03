import type { ChangeEvent, HistoryEntry } from '../domain/change/ChangeEvent.ts';
import type { Rejection } from '../domain/change/validate-change.ts';
import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import type { IdentityRecord } from '../domain/resident/IdentityInfo.ts';
import type { ResidentCode } from '../domain/resident/ResidentCode.ts';
import type { RetentionPolicy } from '../domain/retention/retention.ts';
import type { NewSecurityAlert, SecurityAlert } from '../domain/network/SecurityAlert.ts';
import type { IntegrityScope } from '../domain/integrity/IntegrityScope.ts';
import type { SearchPlan } from '../domain/provision/search-rules.ts';
import type { RegistrySnapshot } from '../domain/provision/authorize.ts';
import type {
  MediaDisposal,
  MediaOutput,
  NewMediaOutput,
} from '../domain/provision/media-output.ts';
import type {
  Disclosure,
  NewDisclosure,
  NewRefusalRecord,
  RefusalRecord,
} from '../domain/provision/disclosure.ts';
import type {
  Agreement,
  Permission,
  Recipient,
  RecipientId,
  SuspensionEvent,
} from '../domain/provision/recipient.ts';
import type { AffairId, StatutoryAffair } from '../domain/provision/statutory-affair.ts';
import type {
  IntegrityCheckRecord,
  RepairLogEntry,
  RepairRecord,
  RepairReport,
  ScopeRange,
} from './integrity-records.ts';
import type { ReportAnswer, ReportRecord, ReportRequest } from '../domain/report/report.ts';
import type { ReportHop } from '../domain/report/report-route.ts';
import type { AccessEntry, AccessLogSeal, AccessRecord } from '../domain/audit/access-log.ts';
import type { Sha256 } from '../domain/audit/canonical.ts';
import type { Grant, Operator, OperatorEvent } from '../domain/operator/operator.ts';
import type {
  AnswerArrival,
  QueueKey,
  QueueOutcome,
  QueuedReport,
  RecordOutcome,
  ReportArrival,
} from './report-records.ts';
import type {
  EnrollmentRecord,
  LoginLock,
  NewCredential,
  StoredCredential,
} from './credential-records.ts';

export type * from './integrity-records.ts';
export type * from './report-records.ts';
export type * from './credential-records.ts';

/**
 * The storage ports: what a node stores, in the project's own terms. Implementations live in
 * `sqlite/` (embedded default) and `postgres/` (production); both pass `contract.ts`.
 * Nothing outside `src/storage` knows which driver is behind a port.
 */

/** Result of applying one change. Idempotent on `event.transactionId`. */
export type ApplyOutcome =
  | { readonly status: 'applied'; readonly record: IdentityRecord; readonly sequence: number }
  | { readonly status: 'duplicate'; readonly sequence: number }
  | { readonly status: 'rejected'; readonly rejection: Rejection };

/** A change waiting to be sent to the next node (durable outbox). */
export type OutboxEntry = {
  readonly id: number;
  readonly event: ChangeEvent;
  readonly attempts: number;
};

/**
 * Why a row of a bulk load was refused (stable, machine-readable):
 * - `resident-code.already-stored`: a current record with this code is stored;
 * - `resident-code.used`: the code was used here before (R7: never reissued);
 * - `resident-code.duplicate-in-batch`: an earlier line of the same batch has the code;
 * - `individual-number.already-stored` / `individual-number.duplicate-in-batch`: likewise for 個人番号;
 * - `conflict.concurrent-write`: another writer stored a conflicting row while the batch ran.
 */
export const LOAD_REFUSAL_REASONS = [
  'resident-code.already-stored',
  'resident-code.used',
  'resident-code.duplicate-in-batch',
  'individual-number.already-stored',
  'individual-number.duplicate-in-batch',
  'conflict.concurrent-write',
] as const;
export type LoadRefusalReason = (typeof LOAD_REFUSAL_REASONS)[number];

/**
 * A row of a bulk load that was refused, with where it came from and why. A store's own refusals
 * carry a LoadRefusalReason; callers may add their own (e.g. a malformed line of a file).
 */
export type LoadRefusal = {
  readonly line: number;
  readonly residentCode: string;
  readonly reason: LoadRefusalReason | (string & {});
};

export type LoadBatch = readonly { readonly line: number; readonly record: IdentityRecord }[];

export type LoadReport = { readonly loaded: number; readonly refused: readonly LoadRefusal[] };

/** What retention erased: counts and periods only, never content (R33). */
export type ErasureReport = {
  readonly erasedHistoryEntries: number;
  readonly erasedRecords: number;
  readonly oldestErased: CalendarDate | undefined;
  readonly newestErased: CalendarDate | undefined;
};

/** One recorded retention run. */
export type ErasureRun = ErasureReport & {
  readonly id: number;
  /** When it ran (ISO 8601, UTC). */
  readonly ranAt: string;
  /** The date the retention periods were counted back from. */
  readonly asOf: CalendarDate;
  readonly policy: RetentionPolicy;
};

export interface IdentityStore {
  /** The current record, or undefined. */
  findIdentity(code: ResidentCode): Promise<IdentityRecord | undefined>;
  /** The current record; throws RegistryError('not-found'). */
  getIdentity(code: ResidentCode): Promise<IdentityRecord>;
  /**
   * Validates `event` against the current record with the domain validator (R19) and, if it is
   * accepted, stores the new record, its history entry (with the values before), marks the
   * resident code as used and, when `outbox` is set, queues the event for the next node — all in
   * one transaction. A transaction id seen before returns `duplicate` and changes nothing.
   */
  applyChange(
    event: ChangeEvent,
    options: { today: CalendarDate; outbox?: boolean },
  ): Promise<ApplyOutcome>;
  /**
   * `applyChange` for each event in order, all in ONE transaction (group commit: a receiver
   * applies the notices that arrived together at once). Each event gets its own outcome, exactly
   * as if applied alone one after the other; if the store fails, nothing of the batch is stored.
   */
  applyChanges(
    events: readonly ChangeEvent[],
    options: { today: CalendarDate; outbox?: boolean },
  ): Promise<ApplyOutcome[]>;
  /** Accepted changes of one person (following re-codes), oldest first. */
  history(code: ResidentCode): Promise<HistoryEntry[]>;
  /** True when the code is in use or was ever used here (R7: never reissued). */
  isResidentCodeUsed(code: ResidentCode): Promise<boolean>;
  /**
   * Bulk load of current records (initial migration of a register). Rows whose resident code is
   * already stored are refused and reported; nothing stored is changed by a refused row.
   */
  loadBatch(batch: LoadBatch): Promise<LoadReport>;
  /** Number of stored records (residents and removed records not yet erased). */
  countIdentities(): Promise<number>;
  /** Entries waiting in the outbox (the health view's backlog). */
  countOutbox(): Promise<number>;
  /** Outbox: oldest first (per resident, in the order the changes were applied). */
  pendingOutbox(limit: number): Promise<OutboxEntry[]>;
  /** Counts one more delivery attempt for each entry (the sender calls it before sending). */
  recordOutboxAttempts(ids: readonly number[]): Promise<void>;
  /** Delivered: the entries are deleted (the outbox keeps no copy of what it sent). */
  acknowledgeOutbox(ids: readonly number[]): Promise<void>;
  /**
   * Erases (really deletes) what the retention policy says is due at `today` (R1, R33): history
   * entries and removed records as `decideErasure` decides. The codes of an erased record stay
   * marked as used (R7), but the link between them and any person is dropped.
   */
  eraseExpired(policy: RetentionPolicy, today: CalendarDate): Promise<ErasureReport>;
  /** The recorded retention runs, newest first (what `eraseExpired` erased: counts and periods). */
  listErasures(limit: number): Promise<ErasureRun[]>;
  /** Integrity check (R20, docs/INTEGRITY.md): residents in `scope`. */
  countScope(scope: IntegrityScope): Promise<number>;
  /**
   * The residents in `scope` (optionally in a resident-code range), ordered by resident code,
   * streamed page by page with bounded memory. Not a snapshot on SQLite (pages are read one after
   * another); one REPEATABLE READ snapshot on PostgreSQL.
   */
  scanScope(scope: IntegrityScope, range?: ScopeRange): AsyncIterable<IdentityRecord>;
  /**
   * The receiver's repair after a check: overwrites / inserts `upsert` as residents and marks
   * `notResident` removed, in `scope` only, without writing history (no change is invented); each
   * code goes into the repair log with its action. Idempotent per (checkId, code).
   */
  repairIdentities(
    checkId: string,
    repair: {
      readonly scope: IntegrityScope;
      readonly upsert: readonly RepairRecord[];
      readonly notResident: readonly ResidentCode[];
    },
  ): Promise<RepairReport>;
  /** Records one end's view of a check; a second record of the same (checkId, role) is ignored. */
  recordIntegrityCheck(record: IntegrityCheckRecord): Promise<void>;
  /** Newest first. */
  listIntegrityChecks(limit: number): Promise<IntegrityCheckRecord[]>;
  /** The repair log of one check, in the order written. */
  listIntegrityRepairs(checkId: string): Promise<RepairLogEntry[]>;
  /**
   * Provision search (R13, R14, R22; docs/PROVISION.md): the stored records `plan` matches —
   * exactly those `matchesPlan(record, plan)` accepts — at most `limit` of them, in no set order.
   * A caller asks for SEARCH_FETCH_LIMIT (51) to tell "more than 50". Residents only unless the
   * plan's status is `any`. Every form of the rules table is an index range scan.
   */
  searchIdentities(plan: SearchPlan, limit: number): Promise<IdentityRecord[]>;
  close(): Promise<void>;
}

export type ProvisionTallyQuery = {
  readonly node: string;
  readonly fromAt: string;
  readonly toAt: string;
  readonly afterId: number;
  readonly window: number;
};

export type ProvisionTally = {
  readonly provisions: readonly {
    readonly recipientId: string;
    readonly affairId: string;
    readonly channel: string;
    readonly count: number;
  }[];
  readonly nextAfterId: number | undefined;
  /** With the first window only. */
  readonly refusals?: readonly {
    readonly recipientId: string;
    readonly reason: string;
    readonly count: number;
  }[];
  readonly media?: { readonly outputs: number; readonly rows: number; readonly disposed: number };
};

/**
 * The provision register and the disclosure log of a providing node (national or prefecture
 * server; docs/PROVISION.md). Every write is checked with the domain's rules first and refused
 * as RegistryError('invalid' | 'not-found' | 'conflict', …, reason).
 */
export interface ProvisionStore {
  /** Registers a recipient, or updates its name, kind and nodes (R3). */
  registerRecipient(recipient: Recipient): Promise<void>;
  listRecipients(): Promise<Recipient[]>;
  /** An affair the prefecture's ordinance adds (source `条例`); an existing id is replaced. */
  registerOrdinanceAffair(affair: StatutoryAffair): Promise<void>;
  /**
   * Permits `permission.affairId` (which is `affair`, from the node's catalog) to a registered
   * recipient, or changes its identifier kind; refused when the affair does not fit the
   * recipient (permissionProblem, R3).
   */
  permitAffair(permission: Permission, affair: StatutoryAffair): Promise<void>;
  /** Withdraws a permission; false when there was none. */
  revokeAffair(recipientId: RecipientId, affairId: AffairId): Promise<boolean>;
  /** Records a concluded agreement (協定書, R5); an agreement id is never reused. */
  addAgreement(agreement: Agreement): Promise<void>;
  /** Suspends or reinstates provision to a recipient (R5): appended, never changed. */
  recordSuspension(event: SuspensionEvent): Promise<void>;
  /** Newest first. */
  suspensionsOf(recipientId: RecipientId): Promise<SuspensionEvent[]>;
  /** The whole register, for `ProvisionRegistry.of` (small: recipients and affairs, no residents). */
  loadRegistry(): Promise<RegistrySnapshot>;
  /** One disclosure record (R17); the same (node, queryId, residentCode) again is ignored. */
  recordDisclosure(record: NewDisclosure): Promise<void>;
  /**
   * Many at once (a batch, a forwarded set) in one transaction; returns how many were new. A batch
   * file's rows go in chunks (say 10 000) as they are answered, not all at once.
   */
  recordDisclosures(records: readonly NewDisclosure[]): Promise<number>;
  /** The disclosures about a person (all of their codes, when given several), newest first. */
  disclosuresOf(residentCodes: ResidentCode | readonly ResidentCode[]): Promise<Disclosure[]>;
  /**
   * The national server (R17): the records about residents of `prefectureCode` (by the
   * prefecture recorded with each), id > `afterId`, in ascending id order, at most `limit`.
   * Records without a prefecture (written before schema version 8) are in no prefecture's list.
   */
  disclosuresForPrefecture(
    prefectureCode: string,
    afterId: number,
    limit: number,
  ): Promise<Disclosure[]>;
  /**
   * A prefecture server (R17): stores copies of `source`'s records (each must name `source` as its
   * node; its time is kept) and moves the cursor for `source` to `afterId` (never backwards), in
   * one transaction; returns how many were new. A copy already held is ignored.
   */
  recordSyncedDisclosures(
    source: string,
    records: readonly NewDisclosure[],
    afterId: number,
  ): Promise<number>;
  /** The cursor for `source` (the highest id of its records stored here), 0 before the first. */
  disclosureSyncCursor(source: string): Promise<number>;
  /** A refused attempt (R23); kept apart from disclosures. */
  recordRefusal(record: NewRefusalRecord): Promise<RefusalRecord>;
  /** Newest first; `afterId` pages forward for a monitor. */
  listRefusals(query: {
    readonly limit: number;
    readonly afterId?: number;
    readonly recipientId?: string;
  }): Promise<RefusalRecord[]>;
  /** One media output (R22): who wrote which file when, for whom, how many rows; never content. */
  recordMediaOutput(record: NewMediaOutput): Promise<MediaOutput>;
  /**
   * Counts for a self-check report (R34) of node `node` over [fromAt, toAt) (ISO 8601 UTC): its
   * provisions per recipient, affair and channel, read in windows of `window` disclosure ids after
   * `afterId` so that a year of a large log is never one long statement (`nextAfterId` is where the
   * next window starts, undefined after the last); with the first window (`afterId` 0) also its
   * refusals per recipient and reason and its media outputs (count, rows, disposed of).
   */
  provisionTally(query: ProvisionTallyQuery): Promise<ProvisionTally>;
  /**
   * The disposal of the medium that carried a media output (R33), once: `media.unknown-output`
   * (not-found) for an output never recorded here, `media.already-disposed` (conflict) the second
   * time; RegistryError('invalid', …, 'media-disposal.*') for a malformed record.
   */
  recordMediaDisposal(disposal: MediaDisposal): Promise<MediaDisposal>;
  /** Newest first, each with its disposal once recorded. */
  listMediaOutputs(query: {
    readonly limit: number;
    readonly recipientId?: string;
  }): Promise<MediaOutput[]>;
  close(): Promise<void>;
}

/** Intrusion alerts seen by a node (R11). Append-only: there is no update and no delete. */
export interface AlertStore {
  recordAlert(alert: NewSecurityAlert): Promise<SecurityAlert>;
  /**
   * Newest first; `afterId` pages forward for a monitor that polls, `beforeId` pages back (the
   * self-check report reads a period with it).
   */
  listAlerts(query: {
    readonly limit: number;
    readonly afterId?: number;
    readonly beforeId?: number;
  }): Promise<SecurityAlert[]>;
  close(): Promise<void>;
}

/**
 * The operator register of a node (R15, R31; docs/OPERATORS.md). Each write is one transaction
 * that checks the register's rules (domain/operator/operator.ts) on what it reads inside: the
 * first administrator by `bootstrap` only while the register is empty, afterwards granted by an
 * active administrator of the node; ids never reused; revoked by an administrator or security
 * officer of the node, never the last administrator. Refusals are RegistryErrors with the reason.
 * The history is append-only: granted and revoked events, never updated or deleted.
 */
export interface OperatorStore {
  grant(grant: Grant): Promise<Operator>;
  revoke(id: string, by: string, reason: string, at: string): Promise<Operator>;
  find(id: string): Promise<Operator | undefined>;
  /** In grant order; active operators only unless `includeRevoked`. */
  list(query: { readonly includeRevoked: boolean }): Promise<Operator[]>;
  /** The register's events, oldest first; one operator's only with `operatorId`. */
  history(query?: { readonly operatorId?: string }): Promise<OperatorEvent[]>;
  close(): Promise<void>;
}

/**
 * 報告要求 (R5, R6; docs/REPORTS.md) at one node: the requests it made, passed on or answered,
 * their answers, the events of each step (append-only, at most one of each kind per request) and
 * the queue of what waits to go one step on. Every write is one transaction and idempotent by the
 * request id: a repeated request or answer changes nothing (`duplicate`); the same id with other
 * content is refused RegistryError('conflict', …, 'report.id-reused' / 'report.answer-differs').
 */
export interface ReportStore {
  /**
   * Records a request made here (`requested`) or arriving (`received`, from `arrival.from`) and
   * queues its next step, if any; a step through a mailbox (`poll`) is `forwarded` at once.
   */
  recordRequest(
    request: ReportRequest,
    arrival: ReportArrival,
    next: ReportHop | undefined,
  ): Promise<RecordOutcome>;
  /**
   * Records the answer to a request recorded here (`answered` when `arrival.from` is undefined,
   * else `answer-received`) and queues its next step back, if any. RegistryError('not-found', …,
   * 'report.unknown-request') when the request is not known here.
   */
  recordAnswer(
    answer: ReportAnswer,
    arrival: AnswerArrival,
    next: ReportHop | undefined,
  ): Promise<RecordOutcome>;
  /** What waits for `peer` by `via`, oldest first. */
  queued(peer: string, via: ReportHop['via'], limit: number): Promise<QueuedReport[]>;
  /**
   * Takes items out of `peer`'s queue and records how they left: `forwarded` /
   * `answer-forwarded` (a push the peer acknowledged), `delivered` / `answer-delivered` (fetched
   * from the mailbox), `refused` / `answer-refused` (with the detail). Items not queued for
   * `peer`, or taken already, are ignored; returns how many were taken now.
   */
  dequeue(
    peer: string,
    keys: readonly QueueKey[],
    at: string,
    outcome: QueueOutcome,
  ): Promise<number>;
  report(id: string): Promise<ReportRecord | undefined>;
  /** Newest first (by when they were recorded here). */
  listReports(limit: number): Promise<ReportRecord[]>;
  close(): Promise<void>;
}

/**
 * Operator login on the web terminal (R15; docs/WEB-TERMINAL.md): WebAuthn credentials, one-time
 * enrollment tokens (their secret's SHA-256 only) and failed-login locks.
 */
export interface CredentialStore {
  /** Records a token an administrator issued. */
  addEnrollment(token: Omit<EnrollmentRecord, 'usedAt'>): Promise<void>;
  enrollment(tokenId: string): Promise<EnrollmentRecord | undefined>;
  /**
   * In one transaction: spends the token (unused, for `credential.operatorId`, not expired at
   * `credential.createdAt`) and registers the credential. False (nothing written) when the token
   * cannot be spent; RegistryError('conflict', …, 'webauthn.credential-exists') for a credential
   * id registered already.
   */
  registerCredential(credential: NewCredential, tokenId: string): Promise<boolean>;
  credential(credentialId: string): Promise<StoredCredential | undefined>;
  /** Oldest first. */
  credentialsOf(operatorId: string): Promise<StoredCredential[]>;
  /**
   * After a verified login: the new counter and the time of use. False when the stored counter
   * moved on meanwhile (a replayed or cloned authenticator racing this one): refuse the login.
   */
  recordUse(credentialId: string, counter: number, at: string): Promise<boolean>;
  /**
   * Revokes one credential of `operatorId` (a lost or stolen card): false (nothing written) when
   * the operator has no such credential or it is revoked already.
   */
  revokeCredential(revocation: {
    readonly credentialId: string;
    readonly operatorId: string;
    readonly at: string;
    readonly by: string;
    readonly reason: string;
  }): Promise<boolean>;
  loginLock(operatorId: string): Promise<LoginLock | undefined>;
  saveLoginLock(lock: LoginLock): Promise<void>;
  clearLoginLock(operatorId: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The access log (R23; docs/AUDIT.md): append-only, hash-chained records and the seals signed by
 * the node's key. There is no update and no delete here, and triggers refuse them in the database.
 */
export interface AccessLogStore {
  /**
   * In one transaction under the log's write lock: chains `entries` after the last record
   * (chainEntries with `sha256`) and stores them, so two appenders never fork the chain. Throws
   * RegistryError('invalid', …, 'audit.<field>') for a malformed entry (nothing is stored).
   */
  append(entries: readonly AccessEntry[], sha256: Sha256): Promise<AccessRecord[]>;
  last(): Promise<AccessRecord | undefined>;
  /** Records with seq > afterSeq, by seq, at most `limit`: verify streams the log with it. */
  page(afterSeq: number, limit: number): Promise<AccessRecord[]>;
  /** Newest first; `beforeSeq` pages back; `operator` keeps one operator's records. */
  list(query: {
    readonly limit: number;
    readonly beforeSeq?: number;
    readonly operator?: string;
  }): Promise<AccessRecord[]>;
  /**
   * Stores a seal, in one transaction: false (nothing stored) unless `seal.seq` is the next seal
   * number, `seal.uptoSeq` is past the last seal's and `seal.hash` is the stored hash of record
   * `uptoSeq` (another sealer came first, or the seal is stale: build it again).
   */
  addSeal(seal: AccessLogSeal): Promise<boolean>;
  lastSeal(): Promise<AccessLogSeal | undefined>;
  /** Seals with seq > afterSeq, by seq, at most `limit`. */
  seals(afterSeq: number, limit: number): Promise<AccessLogSeal[]>;
  close(): Promise<void>;
}
