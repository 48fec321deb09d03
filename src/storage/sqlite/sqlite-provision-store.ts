/* eslint-disable @typescript-eslint/require-await -- better-sqlite3 is synchronous; the port is async. */
import type Database from 'better-sqlite3';
import type { RegistrySnapshot } from '../../domain/provision/authorize.ts';
import type {
  Disclosure,
  NewDisclosure,
  NewRefusalRecord,
  RefusalRecord,
} from '../../domain/provision/disclosure.ts';
import type {
  Agreement,
  Permission,
  Recipient,
  RecipientId,
  SuspensionEvent,
} from '../../domain/provision/recipient.ts';
import type {
  MediaDisposal,
  MediaOutput,
  NewMediaOutput,
} from '../../domain/provision/media-output.ts';
import type { AffairId, StatutoryAffair } from '../../domain/provision/statutory-affair.ts';
import type { ResidentCode } from '../../domain/resident/ResidentCode.ts';
import { applySqliteMigrations } from '../migrations/apply-sqlite-migrations.ts';
import type { ProvisionStore, ProvisionTally, ProvisionTallyQuery } from '../ports.ts';
import {
  DISCLOSURE_COLUMNS,
  REFUSAL_COLUMNS,
  agreementExists,
  agreementFromRow,
  agreementValues,
  asCodes,
  checkAgreement,
  checkDisclosure,
  checkOrdinanceAffair,
  checkPermission,
  checkRecipient,
  checkRefusalRecord,
  checkSuspension,
  disclosureFromRow,
  disclosureValues,
  isoAt,
  ordinanceFromRow,
  permissionFromRow,
  recipientFromRow,
  recipientValues,
  refusalFromRow,
  refusalValues,
  suspensionFromRow,
  unknownRecipient,
  type AgreementRow,
  type DisclosureRow,
  type OrdinanceRow,
  type PermissionRow,
  type RecipientRow,
  type RefusalRow,
  type SuspensionRow,
} from '../provision-row.ts';
import { translateSqliteError } from './sqlite-errors.ts';
import { SqliteMediaOutputs } from './sqlite-media-output.ts';
import { SQLITE_INSERT_DISCLOSURE, SqliteDisclosureSync } from './sqlite-disclosure-sync.ts';
import { acquireSqlite } from './sqlite-connection.ts';

const RECIPIENT_COLUMNS = 'id, name, kind, served_by, node';
const AGREEMENT_COLUMNS = 'id, recipient_id, signed_on, valid_from, valid_to, protection_measures';
const SUSPENSION_COLUMNS = 'recipient_id, action, at, decided_by, reason';
const ORDINANCE_COLUMNS = 'id, prefecture_code, item, recipient, affair, legal_basis';

/** The provision register and disclosure log in the node's SQLite file (its own connection). */
export class SqliteProvisionStore implements ProvisionStore {
  readonly #db: Database.Database;
  readonly #release: () => void;
  readonly #s: ReturnType<typeof prepare>;
  readonly #media: SqliteMediaOutputs;
  readonly #sync: SqliteDisclosureSync;
  readonly #insertDisclosures: Database.Transaction<(rows: readonly NewDisclosure[]) => number>;

  private constructor(db: Database.Database, release: () => void) {
    this.#db = db;
    this.#release = release;
    const s = prepare(db);
    this.#s = s;
    this.#media = new SqliteMediaOutputs(db);
    this.#sync = new SqliteDisclosureSync(db);
    this.#insertDisclosures = db.transaction((rows: readonly NewDisclosure[]) => {
      let added = 0;
      for (const d of rows) added += s.insertDisclosure.run(...disclosureValues(d)).changes;
      return added;
    });
  }

  static open(path: string): SqliteProvisionStore {
    const conn = acquireSqlite(path);
    const db = conn.db;
    try {
      if (path !== ':memory:') db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      applySqliteMigrations(db);
      return new SqliteProvisionStore(db, conn.release);
    } catch (e) {
      conn.release();
      throw e;
    }
  }

  async registerRecipient(recipient: Recipient): Promise<void> {
    checkRecipient(recipient);
    guarded(() => this.#s.upsertRecipient.run(...recipientValues(recipient)));
  }

  async listRecipients(): Promise<Recipient[]> {
    return this.#s.recipients.all().map(recipientFromRow);
  }

  async registerOrdinanceAffair(a: StatutoryAffair): Promise<void> {
    checkOrdinanceAffair(a);
    guarded(() =>
      this.#s.upsertOrdinance.run(
        a.id,
        a.prefectureCode!,
        a.item,
        a.recipient,
        a.affair,
        a.legalBasis,
      ),
    );
  }

  async permitAffair(permission: Permission, affair: StatutoryAffair): Promise<void> {
    const row = this.#s.recipient.get(permission.recipientId);
    checkPermission(row === undefined ? undefined : recipientFromRow(row), permission, affair);
    guarded(() =>
      this.#s.upsertPermission.run(
        permission.recipientId,
        permission.affairId,
        permission.identifier,
      ),
    );
  }

  async revokeAffair(recipientId: RecipientId, affairId: AffairId): Promise<boolean> {
    return guarded(() => this.#s.deletePermission.run(recipientId, affairId).changes > 0);
  }

  async addAgreement(agreement: Agreement): Promise<void> {
    checkAgreement(agreement);
    if (this.#s.recipient.get(agreement.recipientId) === undefined) throw unknownRecipient();
    const added = guarded(() => this.#s.insertAgreement.run(...agreementValues(agreement)).changes);
    if (added === 0) throw agreementExists(agreement.id);
  }

  async recordSuspension(event: SuspensionEvent): Promise<void> {
    checkSuspension(event);
    if (this.#s.recipient.get(event.recipientId) === undefined) throw unknownRecipient();
    guarded(() =>
      this.#s.insertSuspension.run(
        event.recipientId,
        event.action,
        isoAt(event.at),
        event.by,
        event.reason,
      ),
    );
  }

  async suspensionsOf(recipientId: RecipientId): Promise<SuspensionEvent[]> {
    return this.#s.suspensionsOf.all(recipientId).map(suspensionFromRow);
  }

  async loadRegistry(): Promise<RegistrySnapshot> {
    const s = this.#s;
    const read = this.#db.transaction(() => ({
      recipients: s.recipients.all().map(recipientFromRow),
      permissions: s.permissions.all().map(permissionFromRow),
      agreements: s.agreements.all().map(agreementFromRow),
      suspensions: s.suspensions.all().map(suspensionFromRow),
      ordinanceAffairs: s.ordinances.all().map(ordinanceFromRow),
    }));
    return read();
  }

  async recordDisclosure(record: NewDisclosure): Promise<void> {
    await this.recordDisclosures([record]);
  }

  async recordDisclosures(records: readonly NewDisclosure[]): Promise<number> {
    for (const d of records) checkDisclosure(d);
    if (records.length === 0) return 0;
    return guarded(() => this.#insertDisclosures.immediate(records));
  }

  async disclosuresForPrefecture(
    prefectureCode: string,
    afterId: number,
    limit: number,
  ): Promise<Disclosure[]> {
    return this.#sync.forPrefecture(prefectureCode, afterId, limit);
  }

  async recordSyncedDisclosures(
    source: string,
    records: readonly NewDisclosure[],
    afterId: number,
  ): Promise<number> {
    return this.#sync.record(source, records, afterId);
  }

  async disclosureSyncCursor(source: string): Promise<number> {
    return this.#sync.cursor(source);
  }

  async disclosuresOf(
    residentCodes: ResidentCode | readonly ResidentCode[],
  ): Promise<Disclosure[]> {
    return this.#s.disclosuresOf.all(JSON.stringify(asCodes(residentCodes))).map(disclosureFromRow);
  }

  async recordRefusal(record: NewRefusalRecord): Promise<RefusalRecord> {
    checkRefusalRecord(record);
    return refusalFromRow(guarded(() => this.#s.insertRefusal.get(...refusalValues(record)))!);
  }

  async listRefusals(q: {
    readonly limit: number;
    readonly afterId?: number;
    readonly recipientId?: string;
  }): Promise<RefusalRecord[]> {
    return this.#s.refusals
      .all(q.afterId ?? 0, q.recipientId ?? null, q.recipientId ?? null, q.limit)
      .map(refusalFromRow);
  }

  async provisionTally(q: ProvisionTallyQuery): Promise<ProvisionTally> {
    const s = this.#s;
    const to = q.afterId + q.window;
    const provisions = s.tallyProvisions
      .all(q.afterId, to, q.node, q.fromAt, q.toAt)
      .map((r) => ({ ...r, count: Number(r.count) }));
    const maxId = Number(s.maxDisclosureId.get()?.id ?? 0);
    const nextAfterId = to < maxId ? to : undefined;
    if (q.afterId !== 0) return { provisions, nextAfterId };
    const media = s.tallyMedia.get(q.node, q.fromAt, q.toAt)!;
    return {
      provisions,
      nextAfterId,
      refusals: s.tallyRefusals
        .all(q.node, q.fromAt, q.toAt)
        .map((r) => ({ ...r, count: Number(r.count) })),
      media: {
        outputs: Number(media.outputs),
        rows: Number(media.rows ?? 0),
        disposed: Number(media.disposed),
      },
    };
  }

  async recordMediaOutput(record: NewMediaOutput): Promise<MediaOutput> {
    return this.#media.record(record);
  }

  async recordMediaDisposal(d: MediaDisposal): Promise<MediaDisposal> {
    return this.#media.dispose(d);
  }

  async listMediaOutputs(q: {
    readonly limit: number;
    readonly recipientId?: string;
  }): Promise<MediaOutput[]> {
    return this.#media.list(q);
  }

  async close(): Promise<void> {
    this.#release();
  }
}

function guarded<T>(write: () => T): T {
  try {
    return write();
  } catch (e) {
    throw translateSqliteError(e, undefined);
  }
}

function prepare(db: Database.Database) {
  return {
    tallyProvisions: db.prepare<
      [number, number, string, string, string],
      { recipientId: string; affairId: string; channel: string; count: number }
    >(
      `SELECT recipient_id AS recipientId, affair_id AS affairId, channel, count(*) AS count
         FROM disclosure WHERE id > ? AND id <= ? AND node = ? AND at >= ? AND at < ?
        GROUP BY recipient_id, affair_id, channel`,
    ),
    maxDisclosureId: db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM disclosure'),
    tallyRefusals: db.prepare<
      [string, string, string],
      { recipientId: string; reason: string; count: number }
    >(
      `SELECT recipient_id AS recipientId, reason, count(*) AS count FROM provision_refusal
        WHERE node = ? AND at >= ? AND at < ? GROUP BY recipient_id, reason`,
    ),
    tallyMedia: db.prepare<
      [string, string, string],
      { outputs: number; rows: number | null; disposed: number }
    >(
      `SELECT count(*) AS outputs, sum(o.rows_in) AS rows, count(d.media_id) AS disposed
         FROM media_outputs o LEFT JOIN media_disposal d ON d.media_id = o.id
        WHERE o.node = ? AND o.at >= ? AND o.at < ?`,
    ),
    upsertRecipient: db.prepare<[string, string, string, string, string | null]>(
      `INSERT INTO provision_recipient (${RECIPIENT_COLUMNS}) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind,
         served_by = excluded.served_by, node = excluded.node`,
    ),
    recipient: db.prepare<[string], RecipientRow>(
      `SELECT ${RECIPIENT_COLUMNS} FROM provision_recipient WHERE id = ?`,
    ),
    recipients: db.prepare<[], RecipientRow>(
      `SELECT ${RECIPIENT_COLUMNS} FROM provision_recipient ORDER BY id`,
    ),
    upsertOrdinance: db.prepare<[string, string, string, string, string, string]>(
      `INSERT INTO provision_ordinance_affair (${ORDINANCE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET recipient = excluded.recipient, affair = excluded.affair,
         legal_basis = excluded.legal_basis`,
    ),
    ordinances: db.prepare<[], OrdinanceRow>(
      `SELECT ${ORDINANCE_COLUMNS} FROM provision_ordinance_affair ORDER BY id`,
    ),
    upsertPermission: db.prepare<[string, string, string]>(
      `INSERT INTO provision_permission (recipient_id, affair_id, identifier) VALUES (?, ?, ?)
       ON CONFLICT (recipient_id, affair_id) DO UPDATE SET identifier = excluded.identifier`,
    ),
    deletePermission: db.prepare<[string, string]>(
      'DELETE FROM provision_permission WHERE recipient_id = ? AND affair_id = ?',
    ),
    permissions: db.prepare<[], PermissionRow>(
      'SELECT recipient_id, affair_id, identifier FROM provision_permission ORDER BY recipient_id, affair_id',
    ),
    insertAgreement: db.prepare<[string, string, string, string, string | null, string]>(
      `INSERT INTO provision_agreement (${AGREEMENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
    ),
    agreements: db.prepare<[], AgreementRow>(
      `SELECT ${AGREEMENT_COLUMNS} FROM provision_agreement ORDER BY recipient_id, valid_from`,
    ),
    insertSuspension: db.prepare<[string, string, string, string, string]>(
      `INSERT INTO provision_suspension (${SUSPENSION_COLUMNS}) VALUES (?, ?, ?, ?, ?)`,
    ),
    suspensions: db.prepare<[], SuspensionRow>(
      `SELECT ${SUSPENSION_COLUMNS} FROM provision_suspension ORDER BY id`,
    ),
    suspensionsOf: db.prepare<[string], SuspensionRow>(
      `SELECT ${SUSPENSION_COLUMNS} FROM provision_suspension WHERE recipient_id = ? ORDER BY at DESC, id DESC`,
    ),
    insertDisclosure: db.prepare<(string | null)[]>(SQLITE_INSERT_DISCLOSURE),
    disclosuresOf: db.prepare<[string], DisclosureRow>(
      `SELECT ${DISCLOSURE_COLUMNS} FROM disclosure
        WHERE resident_code IN (SELECT value FROM json_each(?)) ORDER BY at DESC, id DESC`,
    ),
    insertRefusal: db.prepare<(string | null)[], RefusalRow>(
      `INSERT INTO provision_refusal (${REFUSAL_COLUMNS.replace('id, ', '')})
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${REFUSAL_COLUMNS}`,
    ),
    refusals: db.prepare<[number, string | null, string | null, number], RefusalRow>(
      `SELECT ${REFUSAL_COLUMNS} FROM provision_refusal
        WHERE id > ? AND (? IS NULL OR recipient_id = ?) ORDER BY id DESC LIMIT ?`,
    ),
  };
}
