import type pg from 'pg';
import { acquirePostgres } from './postgres-pool.ts';
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
import { translatePgError } from './postgres-errors.ts';
import {
  listPostgresMediaOutputs,
  recordPostgresMediaDisposal,
  recordPostgresMediaOutput,
} from './postgres-media-output.ts';
import { inTransaction } from './postgres-transaction.ts';
import {
  insertPostgresDisclosures,
  postgresDisclosureSyncCursor,
  postgresDisclosuresForPrefecture,
  recordPostgresSyncedDisclosures,
} from './postgres-disclosure-sync.ts';

const RECIPIENT_COLUMNS = 'id, name, kind, served_by, node';
const AGREEMENT_COLUMNS = 'id, recipient_id, signed_on, valid_from, valid_to, protection_measures';
const SUSPENSION_COLUMNS = 'recipient_id, action, at, decided_by, reason';
const ORDINANCE_COLUMNS = 'id, prefecture_code, item, recipient, affair, legal_basis';

/** The provision register and disclosure log on PostgreSQL (a small pool of its own). */
export class PostgresProvisionStore implements ProvisionStore {
  readonly #pool: pg.Pool;
  #closed = false;

  readonly #release: () => Promise<void>;

  private constructor(pool: pg.Pool, release: () => Promise<void>) {
    this.#pool = pool;
    this.#release = release;
  }

  static async open(
    connectionString: string,
    options: { schema?: string; poolSize?: number } = {},
  ): Promise<PostgresProvisionStore> {
    const shared = await acquirePostgres(connectionString, {
      schema: options.schema,
      poolSize: options.poolSize,
    });
    return new PostgresProvisionStore(shared.pool, shared.release);
  }

  async #query<R extends pg.QueryResultRow>(
    text: string,
    values: unknown[] = [],
  ): Promise<pg.QueryResult<R>> {
    try {
      return await this.#pool.query<R>(text, values);
    } catch (e) {
      throw translatePgError(e, undefined);
    }
  }

  async registerRecipient(recipient: Recipient): Promise<void> {
    checkRecipient(recipient);
    await this.#query(
      `INSERT INTO provision_recipient (${RECIPIENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,
         served_by = EXCLUDED.served_by, node = EXCLUDED.node`,
      recipientValues(recipient),
    );
  }

  async listRecipients(): Promise<Recipient[]> {
    const { rows } = await this.#query<RecipientRow>(
      `SELECT ${RECIPIENT_COLUMNS} FROM provision_recipient ORDER BY id COLLATE "C"`,
    );
    return rows.map(recipientFromRow);
  }

  async #recipient(id: string): Promise<Recipient | undefined> {
    const { rows } = await this.#query<RecipientRow>(
      `SELECT ${RECIPIENT_COLUMNS} FROM provision_recipient WHERE id = $1`,
      [id],
    );
    return rows[0] === undefined ? undefined : recipientFromRow(rows[0]);
  }

  async registerOrdinanceAffair(a: StatutoryAffair): Promise<void> {
    checkOrdinanceAffair(a);
    await this.#query(
      `INSERT INTO provision_ordinance_affair (${ORDINANCE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET recipient = EXCLUDED.recipient, affair = EXCLUDED.affair,
         legal_basis = EXCLUDED.legal_basis`,
      [a.id, a.prefectureCode, a.item, a.recipient, a.affair, a.legalBasis],
    );
  }

  async permitAffair(permission: Permission, affair: StatutoryAffair): Promise<void> {
    checkPermission(await this.#recipient(permission.recipientId), permission, affair);
    await this.#query(
      `INSERT INTO provision_permission (recipient_id, affair_id, identifier) VALUES ($1, $2, $3)
       ON CONFLICT (recipient_id, affair_id) DO UPDATE SET identifier = EXCLUDED.identifier`,
      [permission.recipientId, permission.affairId, permission.identifier],
    );
  }

  async revokeAffair(recipientId: RecipientId, affairId: AffairId): Promise<boolean> {
    const r = await this.#query(
      'DELETE FROM provision_permission WHERE recipient_id = $1 AND affair_id = $2',
      [recipientId, affairId],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async addAgreement(agreement: Agreement): Promise<void> {
    checkAgreement(agreement);
    if ((await this.#recipient(agreement.recipientId)) === undefined) throw unknownRecipient();
    const r = await this.#query(
      `INSERT INTO provision_agreement (${AGREEMENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO NOTHING`,
      agreementValues(agreement),
    );
    if (r.rowCount === 0) throw agreementExists(agreement.id);
  }

  async recordSuspension(event: SuspensionEvent): Promise<void> {
    checkSuspension(event);
    if ((await this.#recipient(event.recipientId)) === undefined) throw unknownRecipient();
    await this.#query(
      `INSERT INTO provision_suspension (${SUSPENSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5)`,
      [event.recipientId, event.action, isoAt(event.at), event.by, event.reason],
    );
  }

  async suspensionsOf(recipientId: RecipientId): Promise<SuspensionEvent[]> {
    const { rows } = await this.#query<SuspensionRow>(
      `SELECT ${SUSPENSION_COLUMNS} FROM provision_suspension WHERE recipient_id = $1 ORDER BY at DESC, id DESC`,
      [recipientId],
    );
    return rows.map(suspensionFromRow);
  }

  async loadRegistry(): Promise<RegistrySnapshot> {
    // One snapshot: a suspension recorded meanwhile is either wholly in it or not.
    return inTransaction(this.#pool, async (c) => {
      await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const all = async <R extends pg.QueryResultRow>(sql: string) => (await c.query<R>(sql)).rows;
      return {
        recipients: (
          await all<RecipientRow>(
            `SELECT ${RECIPIENT_COLUMNS} FROM provision_recipient ORDER BY id COLLATE "C"`,
          )
        ).map(recipientFromRow),
        permissions: (
          await all<PermissionRow>(
            'SELECT recipient_id, affair_id, identifier FROM provision_permission ORDER BY recipient_id COLLATE "C", affair_id COLLATE "C"',
          )
        ).map(permissionFromRow),
        agreements: (
          await all<AgreementRow>(
            `SELECT ${AGREEMENT_COLUMNS} FROM provision_agreement ORDER BY recipient_id COLLATE "C", valid_from`,
          )
        ).map(agreementFromRow),
        suspensions: (
          await all<SuspensionRow>(
            `SELECT ${SUSPENSION_COLUMNS} FROM provision_suspension ORDER BY id`,
          )
        ).map(suspensionFromRow),
        ordinanceAffairs: (
          await all<OrdinanceRow>(
            `SELECT ${ORDINANCE_COLUMNS} FROM provision_ordinance_affair ORDER BY id COLLATE "C"`,
          )
        ).map(ordinanceFromRow),
      };
    });
  }

  async recordDisclosure(record: NewDisclosure): Promise<void> {
    await this.recordDisclosures([record]);
  }

  async recordDisclosures(records: readonly NewDisclosure[]): Promise<number> {
    for (const d of records) checkDisclosure(d);
    if (records.length === 0) return 0;
    return insertPostgresDisclosures(this.#pool, records);
  }

  async disclosuresForPrefecture(
    prefectureCode: string,
    afterId: number,
    limit: number,
  ): Promise<Disclosure[]> {
    return postgresDisclosuresForPrefecture(
      (t, v) => this.#query(t, v),
      prefectureCode,
      afterId,
      limit,
    );
  }

  async recordSyncedDisclosures(
    source: string,
    records: readonly NewDisclosure[],
    afterId: number,
  ): Promise<number> {
    return recordPostgresSyncedDisclosures(this.#pool, source, records, afterId);
  }

  async disclosureSyncCursor(source: string): Promise<number> {
    return postgresDisclosureSyncCursor((t, v) => this.#query(t, v), source);
  }

  async disclosuresOf(
    residentCodes: ResidentCode | readonly ResidentCode[],
  ): Promise<Disclosure[]> {
    const { rows } = await this.#query<DisclosureRow>(
      `SELECT ${DISCLOSURE_COLUMNS} FROM disclosure WHERE resident_code = ANY($1::text[])
        ORDER BY at DESC, id DESC`,
      [asCodes(residentCodes)],
    );
    return rows.map(disclosureFromRow);
  }

  async recordRefusal(record: NewRefusalRecord): Promise<RefusalRecord> {
    checkRefusalRecord(record);
    const { rows } = await this.#query<RefusalRow>(
      `INSERT INTO provision_refusal (${REFUSAL_COLUMNS.replace('id, ', '')})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${REFUSAL_COLUMNS}`,
      refusalValues(record),
    );
    return refusalFromRow(rows[0]!);
  }

  async listRefusals(q: {
    readonly limit: number;
    readonly afterId?: number;
    readonly recipientId?: string;
  }): Promise<RefusalRecord[]> {
    const { rows } = await this.#query<RefusalRow>(
      `SELECT ${REFUSAL_COLUMNS} FROM provision_refusal
        WHERE id > $1 AND ($2::text IS NULL OR recipient_id = $2) ORDER BY id DESC LIMIT $3`,
      [q.afterId ?? 0, q.recipientId ?? null, q.limit],
    );
    return rows.map(refusalFromRow);
  }

  async provisionTally(q: ProvisionTallyQuery): Promise<ProvisionTally> {
    const to = q.afterId + q.window;
    const { rows } = await this.#query<{
      recipientId: string;
      affairId: string;
      channel: string;
      count: string;
    }>(
      `SELECT recipient_id AS "recipientId", affair_id AS "affairId", channel, count(*) AS count
         FROM disclosure WHERE id > $1 AND id <= $2 AND node = $3 AND at >= $4 AND at < $5
        GROUP BY recipient_id, affair_id, channel`,
      [q.afterId, to, q.node, q.fromAt, q.toAt],
    );
    const provisions = rows.map((r) => ({ ...r, count: Number(r.count) }));
    const max = await this.#query<{ id: string | null }>('SELECT max(id) AS id FROM disclosure');
    const nextAfterId = to < Number(max.rows[0]?.id ?? 0) ? to : undefined;
    if (q.afterId !== 0) return { provisions, nextAfterId };
    const refusals = await this.#query<{ recipientId: string; reason: string; count: string }>(
      `SELECT recipient_id AS "recipientId", reason, count(*) AS count FROM provision_refusal
        WHERE node = $1 AND at >= $2 AND at < $3 GROUP BY recipient_id, reason`,
      [q.node, q.fromAt, q.toAt],
    );
    const media = await this.#query<{ outputs: string; rows: string | null; disposed: string }>(
      `SELECT count(*) AS outputs, sum(o.rows_in) AS rows, count(d.media_id) AS disposed
         FROM media_outputs o LEFT JOIN media_disposal d ON d.media_id = o.id
        WHERE o.node = $1 AND o.at >= $2 AND o.at < $3`,
      [q.node, q.fromAt, q.toAt],
    );
    const m = media.rows[0]!;
    return {
      provisions,
      nextAfterId,
      refusals: refusals.rows.map((r) => ({ ...r, count: Number(r.count) })),
      media: {
        outputs: Number(m.outputs),
        rows: Number(m.rows ?? 0),
        disposed: Number(m.disposed),
      },
    };
  }

  async recordMediaOutput(record: NewMediaOutput): Promise<MediaOutput> {
    return recordPostgresMediaOutput((t, v) => this.#query(t, v), record);
  }

  async recordMediaDisposal(d: MediaDisposal): Promise<MediaDisposal> {
    return recordPostgresMediaDisposal((t, v) => this.#query(t, v), d);
  }

  async listMediaOutputs(q: {
    readonly limit: number;
    readonly recipientId?: string;
  }): Promise<MediaOutput[]> {
    return listPostgresMediaOutputs((t, v) => this.#query(t, v), q);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#release();
  }
}
