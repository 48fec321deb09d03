import type { CardType } from '../domain/operator/card-types.ts';
import type { Operator, OperatorEvent } from '../domain/operator/operator.ts';

/** The operator register's rows, shared by the SQLite and PostgreSQL stores. */

export const OPERATOR_COLUMNS =
  'id, node, name, card_type, granted_by, granted_at, revoked_by, revoked_reason, revoked_at';
export const EVENT_COLUMNS = 'seq, operator_id, kind, by_operator, at, detail';

export type OperatorRow = {
  id: string;
  node: string;
  name: string;
  card_type: string;
  granted_by: string;
  granted_at: string | Date;
  revoked_by: string | null;
  revoked_reason: string | null;
  revoked_at: string | Date | null;
};

export type OperatorEventRow = {
  seq: number;
  operator_id: string;
  kind: string;
  by_operator: string;
  at: string | Date;
  detail: string;
};

const iso = (at: string | Date): string => (at instanceof Date ? at.toISOString() : at);

export const operatorFromRow = (r: OperatorRow): Operator => ({
  id: r.id,
  node: r.node,
  name: r.name,
  cardType: r.card_type as CardType,
  grantedBy: r.granted_by,
  grantedAt: iso(r.granted_at),
  revoked:
    r.revoked_at === null
      ? undefined
      : { by: r.revoked_by ?? '', reason: r.revoked_reason ?? '', at: iso(r.revoked_at) },
});

export const eventFromRow = (r: OperatorEventRow): OperatorEvent => ({
  seq: r.seq,
  operatorId: r.operator_id,
  kind: r.kind === 'revoked' ? 'revoked' : 'granted',
  by: r.by_operator,
  at: iso(r.at),
  detail: r.detail,
});
