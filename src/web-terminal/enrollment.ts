import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { RegistryError } from '../domain/errors.ts';
import type { CredentialStore } from '../storage/ports.ts';
import type { OperatorDirectory } from './operator-directory.ts';

/**
 * One-time enrollment tokens (操作者識別カード登録用トークン; docs/WEB-TERMINAL.md). An
 * administrator issues one for one operator; the operator types it on the terminal to register an
 * authenticator. The token is `<id>.<secret>`: the id (96 random bits) finds the record, the
 * secret (256 random bits) proves it; only the secret's SHA-256 is stored, compared in constant
 * time. Valid 15 minutes by default, spent by the registration it allowed.
 */
export const ENROLLMENT_VALIDITY_MS = 15 * 60 * 1000;

export type IssuedEnrollment = {
  /** Shown once to the administrator, never stored. */
  readonly token: string;
  readonly operatorId: string;
  readonly expiresAt: string;
};

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export async function issueEnrollmentToken(
  credentials: CredentialStore,
  operators: OperatorDirectory,
  request: {
    readonly operatorId: string;
    readonly issuedBy: string;
    readonly now?: Date;
    readonly validityMs?: number;
  },
): Promise<IssuedEnrollment> {
  const operator = await operators.find(request.operatorId);
  if (operator === undefined || operator.revoked)
    throw new RegistryError(
      'not-found',
      `登録用トークンを発行できません: 操作者 ${request.operatorId} は登録されていないか取り消されています / ` +
        `cannot issue an enrollment token: operator ${request.operatorId} is not registered or is revoked`,
      'enrollment.unknown-operator',
    );
  const now = request.now ?? new Date();
  const tokenId = randomBytes(12).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  const expiresAt = new Date(
    now.getTime() + (request.validityMs ?? ENROLLMENT_VALIDITY_MS),
  ).toISOString();
  await credentials.addEnrollment({
    tokenId,
    operatorId: operator.id,
    secretHash: sha256(secret),
    issuedBy: request.issuedBy,
    issuedAt: now.toISOString(),
    expiresAt,
  });
  return { token: `${tokenId}.${secret}`, operatorId: operator.id, expiresAt };
}

/** Why a token is refused: the reason of the RegistryError, logged as is. */
export type EnrollmentRefusal =
  'enrollment.token-invalid' | 'enrollment.token-used' | 'enrollment.token-expired';

/**
 * Checks (does not spend) `token` for `operatorId` at `now`: the token id of the record.
 * RegistryError('forbidden', …, EnrollmentRefusal) otherwise; an unknown id, a wrong secret and a
 * token of another operator are all `enrollment.token-invalid`.
 */
export async function checkEnrollmentToken(
  credentials: CredentialStore,
  operatorId: string,
  token: string,
  now: Date,
): Promise<string> {
  const dot = token.indexOf('.');
  const tokenId = dot > 0 ? token.slice(0, dot) : '';
  const record = tokenId === '' ? undefined : await credentials.enrollment(tokenId);
  // Always hash and compare, so that an unknown id takes as long as a wrong secret.
  const given = sha256(dot > 0 ? token.slice(dot + 1) : token);
  const stored = record === undefined ? Buffer.alloc(32) : Buffer.from(record.secretHash);
  const matches = stored.length === given.length && timingSafeEqual(stored, given);
  if (record === undefined || !matches || record.operatorId !== operatorId)
    throw refusal('enrollment.token-invalid');
  if (record.usedAt !== undefined) throw refusal('enrollment.token-used');
  if (Date.parse(record.expiresAt) <= now.getTime()) throw refusal('enrollment.token-expired');
  return record.tokenId;
}

const MESSAGES: Record<EnrollmentRefusal, string> = {
  'enrollment.token-invalid':
    '登録用トークンが正しくありません / the enrollment token is not valid for this operator',
  'enrollment.token-used': '登録用トークンは使用済みです / the enrollment token has been used',
  'enrollment.token-expired':
    '登録用トークンの有効期限が切れています / the enrollment token has expired',
};

export const refusal = (reason: EnrollmentRefusal): RegistryError =>
  new RegistryError('forbidden', MESSAGES[reason], reason);
