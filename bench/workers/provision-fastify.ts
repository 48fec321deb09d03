/**
 * The reference of the provision benchmark: a Fastify 5 HTTPS + JSON server doing the national
 * server's work for an agency's query, over the same mutual TLS 1.3 (the national server's
 * certificate, client certificate required, network CA and CRL, no session tickets):
 *
 * - who is calling: the client certificate's node, read once per connection (as the listener);
 * - per request: the same token bucket and allow-list check as the session guard;
 * - the body (JSON, parsed by Fastify) read by the protocol's own provision-query reader;
 * - the same work as the node's handler: requesterOf → the same ProvisionService.answer on the
 *   same store (authorization, search, one disclosure record per person, pseudonyms) and the
 *   same log line;
 * - the answer as JSON through a response schema (Fastify's fast serializer).
 */
import { constants } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import Fastify from 'fastify';
import { authorizeOperation } from '../../src/domain/network/allow-list.ts';
import { isRegistryError } from '../../src/domain/errors.ts';
import { nodeName } from '../../src/domain/network/NodeRef.ts';
import { requesterOf } from '../../src/nodes/node-provision.ts';
import { nodeSecureContextOptions } from '../../src/pki/index.ts';
import { BodyReader, isPlainObject } from '../../src/protocol/messages/BodyReader.ts';
import { ProvisionQuery } from '../../src/protocol/messages/ProvisionQuery.ts';
import { peerOfSocket, type AuthenticatedPeer } from '../../src/transport/index.ts';
import { TokenBucket } from '../../src/transport/token-bucket.ts';
import { BENCH_LIMITS } from '../protocol-network.ts';
import { ANSWER_SCHEMA, startNationalProvision } from '../provision-network.ts';
import { serveUntilStopped } from '../protocol-servers.ts';

type Args = { pki: string; target: string; secret: string; logFile: string };

/** The HTTP status of a refusal (RegistryError code); the client counts any as a failure. */
const STATUS: Record<string, number> = {
  forbidden: 403,
  suspended: 403,
  invalid: 400,
  'too-many-matches': 422,
};

await serveUntilStopped(async (a: Args) => {
  const national = await startNationalProvision(a);
  const { node: self, credentials } = national.pki.national;
  const { service } = national.provision;
  const app = Fastify({
    logger: false,
    https: {
      ...nodeSecureContextOptions(credentials),
      secureOptions: constants.SSL_OP_NO_TICKET,
      requestCert: true,
      rejectUnauthorized: true,
    },
  });
  const callers = new WeakMap<object, { peer: AuthenticatedPeer; bucket: TokenBucket }>();
  let answered = 0;
  let refused = 0;

  app.post(
    '/provision-query',
    { schema: { response: { 200: ANSWER_SCHEMA, '4xx': { type: 'null' } } } },
    async (request, reply) => {
      const socket = request.raw.socket as TLSSocket;
      let caller = callers.get(socket);
      if (!caller) {
        const peer = peerOfSocket(socket, `${socket.remoteAddress}:${socket.remotePort}`);
        caller = { peer, bucket: new TokenBucket(BENCH_LIMITS.requestRate!, performance.now()) };
        callers.set(socket, caller);
      }
      const decision = authorizeOperation(caller.peer.node, self, 'provision-query');
      if (!caller.bucket.take(performance.now()) || !decision.allowed) {
        refused++;
        return reply.code(403).send();
      }
      if (!isPlainObject(request.body)) {
        refused++;
        return reply.code(400).send();
      }
      try {
        const q = ProvisionQuery.parse(new BodyReader('provision-query', request.body));
        const requester = requesterOf(caller.peer.node, q);
        const result = await service.answer(q.idempotencyKey, q.query, requester);
        national.log.info('provision.answered', {
          recipient: requester.recipientId,
          affair: q.query.affairId,
          via: nodeName(caller.peer.node),
          persons: result.identities.length,
        });
        answered++;
        return reply.send({
          kind: 'provision-answer',
          idempotencyKey: q.idempotencyKey,
          identities: result.identities,
        });
      } catch (e) {
        refused++; // the protocol answers the same refusals as error replies
        return reply.code(isRegistryError(e) ? (STATUS[e.code] ?? 400) : 500).send();
      }
    },
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    ready: { host: '127.0.0.1', port: address.port },
    close: async () => {
      await app.close();
      await national.close();
      return { answered, refused };
    },
  };
});
