/*
 * What the web terminal stores about operator login (R15; docs/WEB-TERMINAL.md): WebAuthn
 * credentials, one-time enrollment tokens (hashed), and failed-login counts with locks. Times are
 * ISO 8601 strings in UTC. Nothing here is a secret a thief could log in with: a credential's
 * public key, a token's SHA-256.
 */

/** One registered authenticator (操作者識別カード) of an operator. */
export type StoredCredential = {
  /** base64url, as WebAuthn reports it. */
  readonly credentialId: string;
  readonly operatorId: string;
  /** COSE-encoded public key. */
  readonly publicKey: Uint8Array;
  /** The last signature counter seen (0 for authenticators that keep none). */
  readonly counter: number;
  readonly transports: readonly string[];
  readonly createdAt: string;
  readonly lastUsedAt: string | undefined;
  /** A lost or stolen card, revoked on its own: it never logs in again (migration 17). */
  readonly revoked?: CredentialRevocation | undefined;
};

export type CredentialRevocation = {
  readonly at: string;
  /** The operator who revoked it. */
  readonly by: string;
  readonly reason: string;
};

export type NewCredential = Omit<StoredCredential, 'lastUsedAt' | 'revoked'>;

/** A one-time enrollment token as stored: never the secret, only its SHA-256. */
export type EnrollmentRecord = {
  readonly tokenId: string;
  readonly operatorId: string;
  readonly secretHash: Uint8Array;
  /** The administrator who issued it. */
  readonly issuedBy: string;
  readonly issuedAt: string;
  readonly expiresAt: string;
  readonly usedAt: string | undefined;
};

/** Failed logins of one operator since `firstFailureAt`, and the end of a lock if locked. */
export type LoginLock = {
  readonly operatorId: string;
  readonly failures: number;
  readonly firstFailureAt: string;
  readonly lockedUntil: string | undefined;
};
