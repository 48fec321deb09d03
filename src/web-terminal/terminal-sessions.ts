import type { CredentialStore } from '../storage/ports.ts';
import type { OperatorDirectory, OperatorInfo } from './operator-directory.ts';
import { SessionTable, type SessionPolicy } from './sessions.ts';

/**
 * Terminal sessions (端末コマンド用セッション, docs/WEB-TERMINAL.md "Terminal sessions"): a
 * logged-in operator of the web terminal takes one (`POST /api/terminal-session`) and gives it to
 * `juki` on the node's own machine as `JUKI_OPERATOR_SESSION`; the loopback terminal side resolves
 * it here (same process) and acts under that operator's card type (R15). The same limits as a web
 * session (idle, absolute), in memory only (a restart ends them all), ended at the operator's
 * logout and at once when the operator is revoked (checked against the register on every use),
 * or the card of the web session that issued it (checked against the credentials on every use).
 */
export type TerminalSessionLookup =
  | { readonly status: 'ok'; readonly operator: OperatorInfo }
  | {
      readonly status: 'none' | 'idle' | 'expired' | 'operator-revoked' | 'credential-revoked';
      /** The operator the ended session belonged to, when known. */
      readonly operatorId?: string;
    };

/** Resolves a terminal session token (the loopback terminal side calls it for each request). */
export type TerminalSessionResolver = (token: string) => Promise<TerminalSessionLookup>;

/** What `POST /api/terminal-session` answers: the token, shown once, and its limits. */
export type IssuedTerminalSession = {
  readonly token: string;
  readonly operatorId: string;
  /** ISO time when it ends at the latest (the absolute limit). */
  readonly expiresAt: string;
  /** It ends after this many seconds unused. */
  readonly idleSeconds: number;
};

export class TerminalSessions {
  readonly #table: SessionTable;
  readonly #policy: SessionPolicy;
  readonly #operators: OperatorDirectory;
  readonly #now: () => Date;
  readonly #credentials: Pick<CredentialStore, 'credential'> | undefined;

  constructor(
    policy: SessionPolicy,
    operators: OperatorDirectory,
    now: () => Date,
    /** Where a card's revocation is read; without it, sessions are not tied to cards. */
    credentials?: Pick<CredentialStore, 'credential'>,
  ) {
    this.#table = new SessionTable(policy);
    this.#policy = policy;
    this.#operators = operators;
    this.#now = now;
    this.#credentials = credentials;
  }

  /**
   * A new terminal session for a logged-in, active operator, tied to the card (`credentialId`) of
   * the web session that asked for it.
   */
  issue(operatorId: string, credentialId?: string): IssuedTerminalSession {
    const at = this.#now().getTime();
    const s = this.#table.open(operatorId, at, credentialId);
    return {
      token: s.id,
      operatorId,
      expiresAt: new Date(at + this.#policy.absoluteMs).toISOString(),
      idleSeconds: Math.floor(this.#policy.idleMs / 1000),
    };
  }

  /** The operator of a live session, touched; a revoked operator's sessions all end here. */
  async resolve(token: string): Promise<TerminalSessionLookup> {
    const found = this.#table.use(token, this.#now().getTime());
    if (found.status !== 'ok') return found;
    const operatorId = found.session.operatorId;
    const op = await this.#operators.find(operatorId);
    if (op === undefined || op.revoked) {
      this.#table.endAllOf(operatorId);
      return { status: 'operator-revoked', operatorId };
    }
    const card = found.session.credentialId;
    if (card !== undefined && this.#credentials !== undefined) {
      const c = await this.#credentials.credential(card);
      if (c === undefined || c.revoked) {
        this.#table.endAllWith(card);
        return { status: 'credential-revoked', operatorId };
      }
    }
    return { status: 'ok', operator: op };
  }

  /** Ends every terminal session issued under the card `credentialId`; returns how many. */
  endAllWith(credentialId: string): number {
    return this.#table.endAllWith(credentialId);
  }

  /** Ends every terminal session of the operator (logout, revocation); returns how many. */
  endAllOf(operatorId: string): number {
    return this.#table.endAllOf(operatorId);
  }

  get size(): number {
    return this.#table.size;
  }
}
