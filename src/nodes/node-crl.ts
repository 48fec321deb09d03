import { unwatchFile, watchFile } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { AlertKind } from '../domain/network/SecurityAlert.ts';
import { RegistryError } from '../domain/errors.ts';
import { checkCrlUpdate, readCrl, type CrlSummary, type NodeTlsCredentials } from '../pki/index.ts';
import { bundleCrlPath } from '../pki/pki-directory.ts';
import type { AlertStore } from '../storage/ports.ts';
import { errorText, type Logger } from './json-log.ts';

/** Under this much time before the CRL's nextUpdate, the node warns (alert `crl-expiring`). */
export const CRL_WARN_HOURS = 6;
const HOUR_MS = 3_600_000;

/** The loaded CRL as the node's health shows it (docs/OPERATIONS.md, docs/PKI.md). */
export type CrlHealth = {
  readonly number: number | undefined;
  readonly thisUpdate: string;
  readonly nextUpdate: string | undefined;
  /** Hours left until nextUpdate (one decimal); negative once it passed. */
  readonly hoursLeft: number | undefined;
  /** `expiring`: under CRL_WARN_HOURS left; `expired`: past nextUpdate, every peer is refused. */
  readonly state: 'ok' | 'expiring' | 'expired';
};

export type NodeCrlOptions = {
  readonly bundleDir: string;
  /** This node's name (`prefecture:13`), the observer of its alerts. */
  readonly observer: string;
  /** The credentials the node dials and listens with now. */
  readonly credentials: () => NodeTlsCredentials;
  /**
   * Loads a checked CRL into the network side (the listener's or the switch's `reloadCrl`, which
   * cuts the sessions it revokes); resolves with the number cut. Undefined: a node that does not
   * listen.
   */
  readonly reload: ((crlPem: string) => Promise<number>) | undefined;
  /** The CRL is in force: the node takes it into its credentials and re-dials its upstream. */
  readonly accept: (crlPem: string) => void;
  readonly alerts: AlertStore;
  readonly log: Logger;
  /** How often the bundle's crl.pem is polled (ms, default 1000). */
  readonly pollMs?: number;
  /** How often the nextUpdate is checked (ms, default 60 000). */
  readonly checkMs?: number;
  readonly now?: () => Date;
};

export type NodeCrl = {
  health(): CrlHealth | undefined;
  /** Reads the bundle's crl.pem now (what the file watch does on a change); for tests. */
  refresh(): Promise<void>;
  close(): void;
};

/**
 * The revocation list of a running node (R11; docs/PKI.md "How the CRL reaches a node"):
 *
 * - watches its bundle's crl.pem; a changed file is checked (`checkCrlUpdate`: signed by the
 *   network CA, no older than the loaded one) BEFORE anything uses it. A refused CRL changes
 *   nothing and raises `crl-refused`; the next change of the file is read again.
 * - an accepted CRL goes to the network side first (which cuts open sessions it revokes, within
 *   the poll interval of `juki pki revoke`), then into the credentials every dial uses;
 * - checks once a minute how long the CRL has left: under CRL_WARN_HOURS it raises
 *   `crl-expiring` (once per CRL and state), since past its nextUpdate every peer is refused.
 */
export function startNodeCrl(o: NodeCrlOptions): NodeCrl {
  const now = o.now ?? (() => new Date());
  const path = bundleCrlPath(o.bundleDir);
  let loaded: CrlSummary | undefined = readable(o.credentials().crlPem);
  const warned = new Set<string>();
  let queue = Promise.resolve();

  const alert = (kind: AlertKind, detail: string): void => {
    void o.alerts
      .recordAlert({
        at: now().toISOString(),
        observer: o.observer,
        kind,
        peerAddress: 'local',
        peerName: undefined,
        detail,
      })
      .catch((e: unknown) => o.log.error('alert.store-failed', { error: errorText(e) }));
  };

  const health = (): CrlHealth | undefined => {
    if (!loaded) return undefined;
    const next = loaded.nextUpdate;
    const left = next ? (next.getTime() - now().getTime()) / HOUR_MS : undefined;
    return {
      number: loaded.crlNumber,
      thisUpdate: loaded.thisUpdate.toISOString(),
      nextUpdate: next?.toISOString(),
      hoursLeft: left === undefined ? undefined : Math.round(left * 10) / 10,
      state:
        left === undefined || left >= CRL_WARN_HOURS ? 'ok' : left > 0 ? 'expiring' : 'expired',
    };
  };

  const checkExpiry = (): void => {
    const h = health();
    if (!h || h.state === 'ok') return;
    const key = `${h.number}/${h.thisUpdate}/${h.state}`;
    if (warned.has(key)) return;
    warned.add(key);
    const detail =
      h.state === 'expired'
        ? `the CRL (number ${h.number}) passed its nextUpdate ${h.nextUpdate}: this node refuses every peer until a fresh CRL arrives (juki pki crl, then crl.pem into the bundle)`
        : `the CRL (number ${h.number}) reaches its nextUpdate ${h.nextUpdate} in ${h.hoursLeft} h: after it this node refuses every peer — run juki pki crl and bring crl.pem into the bundle`;
    o.log.warn('crl.expiring', { number: h.number, nextUpdate: h.nextUpdate, state: h.state });
    alert('crl-expiring', detail);
  };

  const load = async (): Promise<void> => {
    const crlPem = await readFile(path, 'utf8');
    const current = o.credentials();
    if (crlPem === current.crlPem) return;
    let crl: CrlSummary;
    try {
      crl = await checkCrlUpdate(crlPem, current);
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      o.log.error('crl.refused', { reason: e.reason, error: e.message });
      alert('crl-refused', `${path}: ${e.message}; the loaded CRL stays in force`);
      return;
    }
    const cut = o.reload ? await o.reload(crlPem) : 0;
    o.accept(crlPem);
    loaded = crl;
    o.log.info('crl.reloaded', { number: crl.crlNumber, sessionsCut: cut });
    checkExpiry();
  };

  const refresh = (): Promise<void> => {
    queue = queue
      .then(load)
      .catch((e: unknown) => o.log.error('crl.reload-failed', { error: errorText(e) }));
    return queue;
  };
  const onChange = (): void => void refresh();
  watchFile(path, { interval: o.pollMs ?? 1000 }, onChange);
  const timer = setInterval(checkExpiry, o.checkMs ?? 60_000);
  timer.unref();
  checkExpiry();

  return {
    health,
    refresh,
    close() {
      clearInterval(timer);
      unwatchFile(path, onChange);
    },
  };
}

function readable(pem: string): CrlSummary | undefined {
  try {
    return readCrl(pem);
  } catch {
    return undefined;
  }
}
