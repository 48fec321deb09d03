/**
 * The reference of the protocol benchmark: a Fastify HTTPS + JSON server doing the same work as
 * the prefecture server's change-notice handler, over the same mutual TLS 1.3 (the prefecture's
 * certificate, client certificate required, network CA and CRL, no session tickets):
 *
 * - who is calling: the client certificate's node, read once per connection (as the listener);
 * - per request: the same token bucket and allow-list check as the session guard;
 * - the body (JSON, parsed by Fastify) read by the protocol's own change-notice reader — the same
 *   validator, with the domain's field checks;
 * - a JSON `change-ack` answered through a response schema (Fastify's fast serializer).
 */
import { constants } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import Fastify from 'fastify';
import { authorizeOperation } from '../../src/domain/network/allow-list.ts';
import { nodeSecureContextOptions } from '../../src/pki/index.ts';
import { BodyReader, isPlainObject } from '../../src/protocol/messages/BodyReader.ts';
import { ChangeNotice } from '../../src/protocol/messages/ChangeNotice.ts';
import { peerOfSocket, type AuthenticatedPeer } from '../../src/transport/index.ts';
import { TokenBucket } from '../../src/transport/token-bucket.ts';
import { ackOf, BENCH_LIMITS, readBenchPki } from '../protocol-network.ts';
import { serveUntilStopped } from '../protocol-servers.ts';

type Args = { pki: string };

const ACK_SCHEMA = {
  type: 'object',
  properties: {
    kind: { type: 'string' },
    idempotencyKey: { type: 'string' },
    outcome: { type: 'string' },
    sequence: { type: 'integer' },
  },
  required: ['kind', 'idempotencyKey', 'outcome', 'sequence'],
} as const;

await serveUntilStopped(async (a: Args) => {
  const { prefecture } = readBenchPki(a.pki);
  const self = prefecture.node;
  const app = Fastify({
    logger: false,
    https: {
      ...nodeSecureContextOptions(prefecture.credentials),
      secureOptions: constants.SSL_OP_NO_TICKET,
      requestCert: true,
      rejectUnauthorized: true,
    },
  });
  const callers = new WeakMap<object, { peer: AuthenticatedPeer; bucket: TokenBucket }>();
  let sequence = 0;
  let refused = 0;

  app.post(
    '/change-notice',
    { schema: { response: { 200: ACK_SCHEMA, '4xx': { type: 'null' } } } },
    (request, reply) => {
      const socket = request.raw.socket as TLSSocket;
      let caller = callers.get(socket);
      if (!caller) {
        const peer = peerOfSocket(socket, `${socket.remoteAddress}:${socket.remotePort}`);
        caller = { peer, bucket: new TokenBucket(BENCH_LIMITS.requestRate!, performance.now()) };
        callers.set(socket, caller);
      }
      const decision = authorizeOperation(caller.peer.node, self, 'change-notice');
      if (!caller.bucket.take(performance.now()) || !decision.allowed) {
        refused++;
        return reply.code(403).send();
      }
      if (!isPlainObject(request.body)) {
        refused++;
        return reply.code(400).send();
      }
      try {
        const notice = ChangeNotice.parse(new BodyReader('change-notice', request.body));
        return reply.send(ackOf(notice, ++sequence));
      } catch {
        refused++; // InvalidMessageError: the same refusal as the protocol's `invalid-message`
        return reply.code(400).send();
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
      return { notices: sequence, refused };
    },
  };
});
