import { RegistryError } from '../domain/errors.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import { CARD_TYPES, isCardType } from '../domain/operator/card-types.ts';
import type { Operator } from '../domain/operator/operator.ts';
import type { CredentialRevocation, StoredCredential } from '../storage/credential-records.ts';
import type { CredentialStore, OperatorStore } from '../storage/ports.ts';
import { issueEnrollmentToken, type IssuedEnrollment } from '../web-terminal/enrollment.ts';
import { actingOperator } from './acting-operator.ts';
import { directoryOf } from './node-web-terminal.ts';
import type { TerminalCaller, TerminalRoute } from './terminal-server.ts';

/*
 * 操作者登録簿 (the operator register, R15, R31; docs/OPERATORS.md) at the running node: listed by
 * its administrator and security officer, changed by them as their cards allow (grant and
 * enrollment tokens: the administrator; revocation: both), on the web terminal's 操作者の管理
 * screen or with `juki operator … --config`. Who grants, revokes or issues a token is the
 * logged-in operator, never a name in the body (acting-operator.ts); the register's own rules
 * (operator.ts: the same node, the card's rights, never the last administrator) apply as for
 * `juki operator --store`, and every act is in the access log with the operator concerned.
 */

const need = (b: Readonly<Record<string, unknown>>, field: string, reason: string): string => {
  const v = b[field];
  if (typeof v !== 'string' || v.trim() === '')
    throw new RegistryError('invalid', `${field} が必要です / ${field} is required`, reason);
  return v;
};

const actor = (
  b: Readonly<Record<string, unknown>>,
  field: string,
  caller: TerminalCaller | undefined,
): string => {
  const id = actingOperator(b, field, caller);
  if (id === undefined)
    throw new RegistryError(
      'invalid',
      `${field}（操作した操作者）が必要です / ${field} (who acts) is required on the console`,
      'operator.actor-required',
    );
  return id;
};

/**
 * An enrollment token for operator `operatorId`, issued by `by`: an active administrator of the
 * same node, otherwise `operator.not-authorized`. The token is shown once and never stored (only
 * its hash, enrollment.ts).
 */
export async function issueEnrollmentFor(
  operators: OperatorStore,
  credentials: CredentialStore,
  operatorId: string,
  by: string,
): Promise<IssuedEnrollment> {
  const [operator, admin] = [await operators.find(operatorId), await operators.find(by)];
  if (
    operator === undefined ||
    admin === undefined ||
    admin.revoked !== undefined ||
    admin.cardType !== 'administrator' ||
    admin.node !== operator.node
  )
    throw new RegistryError(
      'forbidden',
      `登録用トークンは同じノードのシステム管理者が発行します / only an active administrator of ${operator?.node ?? 'the operator’s node'} issues enrollment tokens`,
      'operator.not-authorized',
    );
  return issueEnrollmentToken(credentials, directoryOf(operators, operator.node), {
    operatorId: operator.id,
    issuedBy: admin.id,
  });
}

/** A card (WebAuthn credential) as the routes show it: never its public key or counter. */
export type CredentialView = {
  readonly credentialId: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | undefined;
  readonly transports: readonly string[];
  readonly revoked?: CredentialRevocation | undefined;
};

const viewOf = (c: StoredCredential): CredentialView => ({
  credentialId: c.credentialId,
  createdAt: c.createdAt,
  lastUsedAt: c.lastUsedAt,
  transports: c.transports,
  ...(c.revoked ? { revoked: c.revoked } : {}),
});

/** The cards operator `operatorId` has registered, oldest first, revoked ones included. */
export async function credentialsFor(
  credentials: CredentialStore,
  operatorId: string,
): Promise<CredentialView[]> {
  return (await credentials.credentialsOf(operatorId)).map(viewOf);
}

/**
 * Revokes one card of `operatorId` (lost or stolen: 紛失・盗難) by `by`, an active administrator or
 * security officer of the same node (the two who revoke operators), otherwise
 * `operator.not-authorized`. The operator stays active and gets a new enrollment token for a new
 * card; the revoked card never logs in again, and the sessions made with it end at their next
 * request (docs/WEB-TERMINAL.md "A lost card"). `operator.unknown-credential`: no such card of
 * this operator, or revoked already.
 */
export async function revokeCredentialFor(
  operators: OperatorStore,
  credentials: CredentialStore,
  r: { operatorId: string; credentialId: string; by: string; reason: string; at: string },
): Promise<CredentialView> {
  const [operator, actor] = [await operators.find(r.operatorId), await operators.find(r.by)];
  if (
    operator === undefined ||
    actor === undefined ||
    actor.revoked !== undefined ||
    (actor.cardType !== 'administrator' && actor.cardType !== 'security-officer') ||
    actor.node !== operator.node
  )
    throw new RegistryError(
      'forbidden',
      `操作者識別カードの失効は同じノードのシステム管理者かセキュリティ責任者が行います / only an active administrator or security officer of ${operator?.node ?? 'the operator’s node'} revokes a card`,
      'operator.not-authorized',
    );
  if (r.reason.trim() === '')
    throw new RegistryError('invalid', '理由が必要です / a reason is required', 'operator.reason');
  const done = await credentials.revokeCredential({
    credentialId: r.credentialId,
    operatorId: r.operatorId,
    at: r.at,
    by: actor.id,
    reason: r.reason,
  });
  const card = await credentials.credential(r.credentialId);
  if (!done || card === undefined || card.operatorId !== r.operatorId)
    throw new RegistryError(
      'not-found',
      `${r.operatorId} に有効な操作者識別カード ${r.credentialId} はありません / ${r.operatorId} has no such card, or it is revoked already`,
      'operator.unknown-credential',
    );
  return viewOf(card);
}

/** The operator register's terminal routes at node `self`. */
export function operatorRoutes(o: {
  readonly self: NodeRef;
  readonly operators: OperatorStore;
  readonly credentials: CredentialStore;
  readonly now?: () => Date;
}): TerminalRoute[] {
  const node = nodeName(o.self);
  const now = () => (o.now ?? (() => new Date()))().toISOString();
  const ofThisNode = async (id: string): Promise<Operator> => {
    const found = await o.operators.find(id);
    if (found === undefined || found.node !== node)
      throw new RegistryError(
        'not-found',
        `操作者 ${id} は ${node} に登録されていません / no operator ${id} at ${node}`,
        'operator.unknown',
      );
    return found;
  };
  return [
    {
      method: 'GET',
      path: '/operators',
      run: async () =>
        (await o.operators.list({ includeRevoked: true })).filter((x) => x.node === node),
    },
    {
      method: 'POST',
      path: '/operators/grant',
      run: async (b, caller) => {
        const cardType = b.cardType;
        if (typeof cardType !== 'string' || !isCardType(cardType))
          throw new RegistryError(
            'invalid',
            `カード種別が不正です / cardType must be one of ${CARD_TYPES.join(', ')}`,
            'operator.card-type',
          );
        return o.operators.grant({
          id: need(b, 'id', 'operator.id'),
          node,
          name: need(b, 'name', 'operator.name'),
          cardType,
          grantedBy: actor(b, 'grantedBy', caller),
          grantedAt: now(),
        });
      },
    },
    {
      method: 'POST',
      path: '/operators/revoke',
      run: async (b, caller) => {
        const id = need(b, 'id', 'operator.id');
        await ofThisNode(id);
        return o.operators.revoke(
          id,
          actor(b, 'by', caller),
          need(b, 'reason', 'operator.reason'),
          now(),
        );
      },
    },
    {
      method: 'POST',
      path: '/operators/history',
      run: async (b) => {
        const id = b.id;
        if (id !== undefined && id !== '') {
          if (typeof id !== 'string')
            throw new RegistryError(
              'invalid',
              'id は操作者IDです / id: an operator id',
              'operator.id',
            );
          await ofThisNode(id);
          return o.operators.history({ operatorId: id });
        }
        const ours = new Set(
          (await o.operators.list({ includeRevoked: true }))
            .filter((x) => x.node === node)
            .map((x) => x.id),
        );
        return (await o.operators.history()).filter((e) => ours.has(e.operatorId));
      },
    },
    {
      method: 'POST',
      path: '/operators/credentials',
      run: async (b) => {
        const id = need(b, 'id', 'operator.id');
        await ofThisNode(id);
        return credentialsFor(o.credentials, id);
      },
    },
    {
      method: 'POST',
      path: '/operators/credentials/revoke',
      run: async (b, caller) => {
        const id = need(b, 'id', 'operator.id');
        await ofThisNode(id);
        return revokeCredentialFor(o.operators, o.credentials, {
          operatorId: id,
          credentialId: need(b, 'credentialId', 'operator.credential-id'),
          by: actor(b, 'by', caller),
          reason: need(b, 'reason', 'operator.reason'),
          at: now(),
        });
      },
    },
    {
      method: 'POST',
      path: '/operators/enroll',
      run: async (b, caller) => {
        const id = need(b, 'id', 'operator.id');
        await ofThisNode(id);
        return issueEnrollmentFor(o.operators, o.credentials, id, actor(b, 'by', caller));
      },
    },
  ];
}
