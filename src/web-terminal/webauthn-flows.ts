import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { RegistryError } from '../domain/errors.ts';
import type { Logger } from '../nodes/json-log.ts';
import type { CredentialStore } from '../storage/ports.ts';
import { checkEnrollmentToken, refusal as enrollmentRefusal } from './enrollment.ts';
import { lockedUntil, recordFailure, type LockPolicy } from './login-lock.ts';
import type { OperatorDirectory, OperatorInfo } from './operator-directory.ts';
import type { PendingChallenge } from './sessions.ts';

/**
 * The two WebAuthn ceremonies of the web terminal (docs/WEB-TERMINAL.md): registering an
 * operator's authenticator against a one-time enrollment token, and logging in with it. User
 * verification (PIN or biometrics on the authenticator) is required in both; the algorithms are
 * the library's defaults (EdDSA, ES256, RS256). Every refusal is a RegistryError whose reason
 * names it; the listener logs it.
 */
export type FlowContext = {
  readonly rpId: string;
  readonly rpName: string;
  readonly origin: string;
  readonly operators: OperatorDirectory;
  readonly credentials: CredentialStore;
  readonly lockPolicy: LockPolicy;
  readonly log: Logger;
};

const TIMEOUT_MS = 60_000;

const MESSAGES: Record<string, string> = {
  'enrollment.unknown-operator':
    '操作者が登録されていないか取り消されています / the operator is not registered or is revoked',
  'enrollment.challenge-missing':
    '登録をやり直してください（チャレンジがないか期限切れ） / start the registration again (no challenge or it expired)',
  'enrollment.user-not-verified':
    '本人確認（PIN・生体認証）が行われていません / the authenticator did not verify the user',
  'enrollment.verification-failed':
    '操作者識別カードを検証できません / the authenticator response could not be verified',
  'login.unknown-operator':
    '操作者が登録されていないか、操作者識別カードがありません / unknown operator or no card registered',
  'login.operator-revoked': '操作者の資格は取り消されています / the operator has been revoked',
  'login.locked':
    'ログインの失敗が続いたため一時的にロックされています / locked after repeated login failures',
  'login.challenge-missing':
    'ログインをやり直してください（チャレンジがないか期限切れ） / start the login again (no challenge or it expired)',
  'login.unknown-credential':
    '登録されていない操作者識別カードです / this authenticator is not registered',
  'login.credential-of-other-operator':
    'この操作者識別カードは別の操作者のものです / this authenticator belongs to another operator',
  'login.credential-revoked':
    'この操作者識別カードは失効しています。システム管理者に新しい登録用トークンを求めてください / this authenticator has been revoked: ask the administrator for a new enrollment token',
  'login.user-not-verified':
    '本人確認（PIN・生体認証）が行われていません / the authenticator did not verify the user',
  'login.verification-failed':
    '操作者識別カードを検証できません / the authenticator response could not be verified',
  'login.counter-replayed':
    '署名カウンタが戻っています（複製の疑い） / the signature counter went back (possible clone)',
};

export const refused = (
  reason: string,
  code: 'forbidden' | 'invalid' = 'forbidden',
): RegistryError => new RegistryError(code, MESSAGES[reason] ?? reason, reason);

/** UV flag (bit 2) of the authenticator data's flags byte (offset 32). */
function userVerifiedFlag(authenticatorData: unknown): boolean {
  if (typeof authenticatorData !== 'string') return false;
  const data = Buffer.from(authenticatorData, 'base64url');
  return data.length > 32 && (data[32]! & 0x04) !== 0;
}

async function liveOperator(
  ctx: FlowContext,
  id: string,
  unknownReason: string,
): Promise<OperatorInfo> {
  const op = await ctx.operators.find(id);
  if (op === undefined) throw refused(unknownReason);
  if (op.revoked)
    throw refused(
      unknownReason === 'login.unknown-operator' ? 'login.operator-revoked' : unknownReason,
    );
  return op;
}

export async function enrollOptions(
  ctx: FlowContext,
  operatorId: string,
  token: string,
  now: Date,
): Promise<{
  options: PublicKeyCredentialCreationOptionsJSON;
  pending: Omit<PendingChallenge, 'expiresAt'>;
}> {
  const op = await liveOperator(ctx, operatorId, 'enrollment.unknown-operator');
  const tokenId = await checkEnrollmentToken(ctx.credentials, op.id, token, now);
  const existing = await ctx.credentials.credentialsOf(op.id);
  const options = await generateRegistrationOptions({
    rpName: ctx.rpName,
    rpID: ctx.rpId,
    userName: op.id,
    userID: new TextEncoder().encode(op.id),
    userDisplayName: op.name,
    attestationType: 'none',
    timeout: TIMEOUT_MS,
    excludeCredentials: existing.map((c) => ({
      id: c.credentialId,
      transports: [...c.transports],
    })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
  });
  return {
    options,
    pending: { purpose: 'enroll', challenge: options.challenge, operatorId: op.id, tokenId },
  };
}

export async function enrollVerify(
  ctx: FlowContext,
  pending: PendingChallenge | undefined,
  response: unknown,
  now: Date,
): Promise<OperatorInfo> {
  if (pending?.purpose !== 'enroll' || pending.tokenId === undefined)
    throw refused('enrollment.challenge-missing');
  const op = await liveOperator(ctx, pending.operatorId, 'enrollment.unknown-operator');
  let info;
  try {
    const result = await verifyRegistrationResponse({
      response: response as RegistrationResponseJSON,
      expectedChallenge: pending.challenge,
      expectedOrigin: ctx.origin,
      expectedRPID: ctx.rpId,
      requireUserVerification: true,
    });
    if (!result.verified) throw new Error('not verified');
    info = result.registrationInfo;
  } catch (e) {
    const uv = e instanceof Error && /user verification/i.test(e.message);
    throw refused(uv ? 'enrollment.user-not-verified' : 'enrollment.verification-failed');
  }
  const registered = await ctx.credentials.registerCredential(
    {
      credentialId: info.credential.id,
      operatorId: op.id,
      publicKey: info.credential.publicKey,
      counter: info.credential.counter,
      transports: info.credential.transports ?? [],
      createdAt: now.toISOString(),
    },
    pending.tokenId,
  );
  if (!registered) {
    const record = await ctx.credentials.enrollment(pending.tokenId);
    throw enrollmentRefusal(
      record?.usedAt !== undefined ? 'enrollment.token-used' : 'enrollment.token-expired',
    );
  }
  return op;
}

export async function loginOptions(
  ctx: FlowContext,
  operatorId: string,
  now: Date,
): Promise<{
  options: PublicKeyCredentialRequestOptionsJSON;
  pending: Omit<PendingChallenge, 'expiresAt'>;
}> {
  const op = await liveOperator(ctx, operatorId, 'login.unknown-operator');
  if (lockedUntil(await ctx.credentials.loginLock(op.id), now) !== undefined)
    throw refused('login.locked');
  // A revoked (lost) card is not offered; an operator with none left enrolls a new one.
  const all = await ctx.credentials.credentialsOf(op.id);
  const creds = all.filter((c) => !c.revoked);
  if (creds.length === 0)
    throw refused(all.length > 0 ? 'login.credential-revoked' : 'login.unknown-operator');
  const options = await generateAuthenticationOptions({
    rpID: ctx.rpId,
    allowCredentials: creds.map((c) => ({ id: c.credentialId, transports: [...c.transports] })),
    userVerification: 'required',
    timeout: TIMEOUT_MS,
  });
  return {
    options,
    pending: { purpose: 'login', challenge: options.challenge, operatorId: op.id },
  };
}

export async function loginVerify(
  ctx: FlowContext,
  pending: PendingChallenge | undefined,
  response: unknown,
  now: Date,
): Promise<{ readonly operator: OperatorInfo; readonly credentialId: string }> {
  if (pending?.purpose !== 'login') throw refused('login.challenge-missing');
  const op = await liveOperator(ctx, pending.operatorId, 'login.unknown-operator');
  if (lockedUntil(await ctx.credentials.loginLock(op.id), now) !== undefined)
    throw refused('login.locked');
  const fail = async (reason: string): Promise<never> => {
    const lock = await recordFailure(ctx.credentials, op.id, now, ctx.lockPolicy);
    if (lock.lockedUntil !== undefined)
      ctx.log.warn('web-terminal.operator-locked', {
        operator: op.id,
        failures: lock.failures,
        lockedUntil: lock.lockedUntil,
      });
    throw refused(reason);
  };
  const r = response as Partial<AuthenticationResponseJSON> | null;
  const cred = typeof r?.id === 'string' ? await ctx.credentials.credential(r.id) : undefined;
  if (cred === undefined) return fail('login.unknown-credential');
  if (cred.operatorId !== op.id) return fail('login.credential-of-other-operator');
  if (cred.revoked) return fail('login.credential-revoked');
  if (!userVerifiedFlag(r?.response?.authenticatorData)) return fail('login.user-not-verified');
  let newCounter: number;
  try {
    const result = await verifyAuthenticationResponse({
      response: r as AuthenticationResponseJSON,
      expectedChallenge: pending.challenge,
      expectedOrigin: ctx.origin,
      expectedRPID: ctx.rpId,
      credential: {
        id: cred.credentialId,
        publicKey: new Uint8Array(cred.publicKey),
        counter: cred.counter,
        transports: [...cred.transports],
      },
      requireUserVerification: true,
    });
    if (!result.verified) return await fail('login.verification-failed');
    newCounter = result.authenticationInfo.newCounter;
  } catch (e) {
    if (e instanceof RegistryError) throw e;
    const counter = e instanceof Error && /counter/i.test(e.message);
    return fail(counter ? 'login.counter-replayed' : 'login.verification-failed');
  }
  if (!(await ctx.credentials.recordUse(cred.credentialId, newCounter, now.toISOString())))
    return fail('login.counter-replayed');
  await ctx.credentials.clearLoginLock(op.id);
  return { operator: op, credentialId: cred.credentialId };
}
