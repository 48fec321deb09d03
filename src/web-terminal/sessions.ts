import { randomBytes } from 'node:crypto';

/**
 * Sessions and pending challenges of the web terminal, in memory only: a restart of the listener
 * logs everyone out and voids every challenge (docs/WEB-TERMINAL.md "Sessions"). Ids are 256
 * random bits, base64url, carried in HttpOnly SameSite=Strict cookies.
 */
export type SessionPolicy = {
  /** A session unused this long ends (default 10 min). */
  readonly idleMs: number;
  /** A session ends this long after login, used or not (default 8 h). */
  readonly absoluteMs: number;
  /** A challenge must be answered within this (default 2 min); it is single use. */
  readonly challengeMs: number;
};

export const DEFAULT_SESSION_POLICY: SessionPolicy = {
  idleMs: 10 * 60 * 1000,
  absoluteMs: 8 * 60 * 60 * 1000,
  challengeMs: 2 * 60 * 1000,
};

export type Session = {
  readonly id: string;
  readonly operatorId: string;
  /** The card (WebAuthn credential) the operator logged in with: its revocation ends the session. */
  readonly credentialId?: string | undefined;
  readonly createdAt: number;
  lastSeenAt: number;
};

/** A challenge handed out for one registration or login attempt, bound to its cookie. */
export type PendingChallenge = {
  readonly purpose: 'enroll' | 'login';
  readonly challenge: string;
  readonly operatorId: string;
  /** For `enroll`: the enrollment token it was issued against. */
  readonly tokenId?: string;
  readonly expiresAt: number;
};

export const newId = (): string => randomBytes(32).toString('base64url');

export type SessionLookup =
  | { readonly status: 'ok'; readonly session: Session }
  | { readonly status: 'none' }
  /** An ended session still names its operator, for the log and the access log. */
  | { readonly status: 'idle' | 'expired'; readonly operatorId: string };

export class SessionTable {
  readonly #sessions = new Map<string, Session>();
  readonly #pending = new Map<string, PendingChallenge>();
  readonly #policy: SessionPolicy;

  constructor(policy: SessionPolicy) {
    this.#policy = policy;
  }

  /** Stores the challenge under a new id (the cookie value); returns the id. */
  addChallenge(p: Omit<PendingChallenge, 'expiresAt'>, now: number): string {
    this.#sweep(now);
    const id = newId();
    this.#pending.set(id, { ...p, expiresAt: now + this.#policy.challengeMs });
    return id;
  }

  /** Takes the challenge out (single use); undefined when absent or expired. */
  takeChallenge(id: string | undefined, now: number): PendingChallenge | undefined {
    if (id === undefined) return undefined;
    const p = this.#pending.get(id);
    this.#pending.delete(id);
    return p !== undefined && p.expiresAt > now ? p : undefined;
  }

  open(operatorId: string, now: number, credentialId?: string): Session {
    this.#sweep(now);
    const s: Session = { id: newId(), operatorId, credentialId, createdAt: now, lastSeenAt: now };
    this.#sessions.set(s.id, s);
    return s;
  }

  /** The live session of `id`, touched; an idle or too old one is ended and said so. */
  use(id: string | undefined, now: number): SessionLookup {
    const s = id === undefined ? undefined : this.#sessions.get(id);
    if (s === undefined) return { status: 'none' };
    if (now - s.createdAt >= this.#policy.absoluteMs) {
      this.#sessions.delete(s.id);
      return { status: 'expired', operatorId: s.operatorId };
    }
    if (now - s.lastSeenAt >= this.#policy.idleMs) {
      this.#sessions.delete(s.id);
      return { status: 'idle', operatorId: s.operatorId };
    }
    s.lastSeenAt = now;
    return { status: 'ok', session: s };
  }

  end(id: string | undefined): void {
    if (id !== undefined) this.#sessions.delete(id);
  }

  /** Ends every session of the operator; returns how many. */
  endAllOf(operatorId: string): number {
    let n = 0;
    for (const [id, s] of this.#sessions)
      if (s.operatorId === operatorId) {
        this.#sessions.delete(id);
        n++;
      }
    return n;
  }

  /** Ends every session made with the card `credentialId` (revoked); returns how many. */
  endAllWith(credentialId: string): number {
    let n = 0;
    for (const [id, s] of this.#sessions)
      if (s.credentialId === credentialId) {
        this.#sessions.delete(id);
        n++;
      }
    return n;
  }

  get size(): number {
    return this.#sessions.size;
  }

  #sweep(now: number): void {
    for (const [id, p] of this.#pending) if (p.expiresAt <= now) this.#pending.delete(id);
    for (const [id, s] of this.#sessions)
      if (now - s.createdAt >= this.#policy.absoluteMs || now - s.lastSeenAt >= this.#policy.idleMs)
        this.#sessions.delete(id);
  }
}
