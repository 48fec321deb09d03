import { isAlertKind, type SecurityAlert } from '../domain/network/SecurityAlert.ts';

export type AlertRow = {
  id: number | string;
  at: string | Date;
  observer: string;
  kind: string;
  peer_address: string;
  peer_name: string | null;
  detail: string;
};

/** A stored alert row (either dialect) → SecurityAlert. An unknown kind in the file is a bug, not data. */
export function alertFromRow(r: AlertRow): SecurityAlert {
  if (!isAlertKind(r.kind)) throw new Error(`security_alert ${r.id}: unknown kind in store`);
  return {
    id: Number(r.id),
    at: r.at instanceof Date ? r.at.toISOString() : r.at,
    observer: r.observer,
    kind: r.kind,
    peerAddress: r.peer_address,
    peerName: r.peer_name ?? undefined,
    detail: r.detail,
  };
}
