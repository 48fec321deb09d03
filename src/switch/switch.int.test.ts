/**
 * The switch (R2) over real TLS on 127.0.0.1: a CS reaches another CS through it with an inner
 * mutual-TLS session end to end; the switch relays bytes it cannot read, keeps only who / when /
 * how many bytes, refuses to route anywhere but to a CS, and cannot answer for a CS — nor can any
 * node that is not the target.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  buildEvent,
  buildIdentity,
  individualNumberOf,
  residentCodeOf,
} from '../domain/change/change-builders.ts';
import { authorizeOperation, type AllowRule } from '../domain/network/allow-list.ts';
import {
  changeNotice,
  MessageCodec,
  routeRequest,
  type ChangeNotice,
  type Session,
} from '../protocol/index.ts';
import type { AlertStore } from '../storage/ports.ts';
import type { AuthenticatedPeer } from '../transport/authenticated-peer.ts';
import { connectNetwork } from '../transport/connect.ts';
import { listenNetwork, type NetworkListener } from '../transport/network-listener.ts';
import type { Authorize } from '../transport/session-guard.ts';
import type { TlsTransport } from '../transport/tls-transport.ts';
import { createTestNetwork, type TestNetwork, type TestNode } from '../transport/test-network.ts';
import { openRoute } from './route-client.ts';
import { acceptRoutes } from './route-endpoint.ts';
import type { RouteRecord } from './RouteRecord.ts';
import { startSwitch, type SwitchNode } from './switch-node.ts';

/**
 * Inside a route the allow-list has only `route-echo`, the connectivity check (R24/R25 will add
 * their kinds); this stand-in rule lets the two CS exchange a change notice inside the tunnel
 * (distinctive plaintext), and refers everything else to the outer table.
 */
const CS_TO_CS: AllowRule = {
  caller: 'cs',
  callee: 'cs',
  operations: ['change-notice'],
  condition: 'any',
  requirement: 'R2',
  why: 'test stand-in for the CS-to-CS operations of R24/R25',
};
const innerAuthorize: Authorize = (caller, callee, operation) =>
  caller.role === 'cs' && callee.role === 'cs' && operation === 'change-notice'
    ? { allowed: true, rule: CS_TO_CS }
    : authorizeOperation(caller, callee, operation);

/** What the two CS exchange: distinctive plaintext the switch must never see. */
const SECRET_NAME = '機密 花子';
const SECRET_CODE = residentCodeOf('8642097531');
const secretNotice = (): ChangeNotice =>
  changeNotice(
    buildEvent(
      'move-within',
      buildIdentity({
        residentCode: SECRET_CODE,
        individualNumber: individualNumberOf('97531864200'),
        name: { kanji: SECRET_NAME, kana: 'キミツ ハナコ' },
      }),
    ),
  );

let net: TestNetwork;
let a: TestNode; // 千代田区, the caller
let b: TestNode; // 札幌市中央区, the target
let c: TestNode; // 中央区 (Tokyo), another CS
let sw: TestNode;
let bListener: NetworkListener;
let cListener: NetworkListener;
let theSwitch: SwitchNode;
const stores: Record<string, AlertStore> = {};
const records: RouteRecord[] = [];
const tapped: { direction: string; bytes: Buffer }[] = [];
const receivedAtB: ChangeNotice[] = [];
const bInnerSessions: Session[] = [];

/** A CS's network side: accepts routes from the switch; inner sessions get a notice handler. */
async function csListener(node: TestNode, store: AlertStore): Promise<NetworkListener> {
  const l: NetworkListener = await listenNetwork({
    self: node.node,
    credentials: node.credentials,
    host: '127.0.0.1',
    port: 0,
    alerts: store,
    limits: { alertIntervalMs: 1 },
    onSession: (session: Session, peer: AuthenticatedPeer) => {
      if (peer.node.role !== 'switch') return;
      acceptRoutes(session, peer, {
        self: node.node,
        credentials: () => node.credentials,
        alerts: { record: (alert) => l.recordAlert(alert) },
        authorize: innerAuthorize,
        track: (entry) => l.track(entry),
        requestBucket: (peer) => l.requestBucket(peer.name),
        onInnerSession: (inner) => {
          bInnerSessions.push(inner);
          inner.handle('change-notice', (m) => {
            receivedAtB.push(m);
            return {
              kind: 'change-ack',
              idempotencyKey: m.idempotencyKey,
              outcome: 'applied',
              sequence: 7,
            };
          });
        },
      });
    },
  });
  return l;
}

beforeAll(async () => {
  net = await createTestNetwork();
  [a, b, c, sw] = await Promise.all([
    net.node('cs:131016'),
    net.node('cs:011011'),
    net.node('cs:131024'),
    net.node('switch:east-1'),
  ]);
  for (const n of ['a', 'b', 'c', 'sw']) stores[n] = await net.alertStore();
  bListener = await csListener(b, stores.b!);
  cListener = await csListener(c, stores.c!);
  theSwitch = await startSwitch({
    self: sw.node,
    credentials: sw.credentials,
    host: '127.0.0.1',
    port: 0,
    alerts: stores.sw!,
    limits: { alertIntervalMs: 1 },
    directory: (t) =>
      t.code === b.node.code
        ? bListener.address
        : t.code === c.node.code
          ? cListener.address
          : undefined,
    records: (r) => records.push(r),
    tap: (direction, chunk) => tapped.push({ direction, bytes: Buffer.from(chunk) }),
  });
});

afterAll(async () => {
  await Promise.all([theSwitch.close(), bListener.close(), cListener.close()]);
  await net.cleanup();
});

const toSwitch = (node: TestNode, address = theSwitch.address) =>
  connectNetwork({
    self: node.node,
    credentials: node.credentials,
    expectedPeer: sw.node,
    host: address.host,
    port: address.port,
    alerts: stores.a!,
  });

const route = (outer: Session, target: TestNode = b, from: TestNode = a) =>
  openRoute({
    outer,
    self: from.node,
    credentials: from.credentials,
    target: target.node,
    alerts: stores.a!,
    authorize: innerAuthorize,
  });

describe('the switch (R2)', () => {
  it('R2: two CS talk end to end through the switch, which sees none of their plaintext', async () => {
    const outer = await toSwitch(a);
    const inner = await route(outer);
    expect(inner.transport.peer.name).toBe('cs:011011');
    const notice = secretNotice();
    const ack = await inner.request(notice);
    expect(ack).toMatchObject({ kind: 'change-ack', outcome: 'applied', sequence: 7 });
    expect(receivedAtB.at(-1)?.event.values.name.kanji).toBe(SECRET_NAME);
    await inner.goaway();
    await vi.waitFor(() => expect(records.some((r) => r.outcome === 'relayed')).toBe(true));

    // The needles are really in the plaintext the two CS exchanged …
    const codec = new MessageCodec();
    const plaintext = Buffer.from(codec.encode(notice));
    const needles = [SECRET_NAME, SECRET_CODE, notice.idempotencyKey].map((s) => Buffer.from(s));
    for (const needle of needles) expect(plaintext.includes(needle)).toBe(true);
    // … and nowhere in what the switch relayed, either way.
    const up = Buffer.concat(tapped.filter((t) => t.direction === 'up').map((t) => t.bytes));
    const down = Buffer.concat(tapped.filter((t) => t.direction === 'down').map((t) => t.bytes));
    expect(up.length).toBeGreaterThan(plaintext.length);
    expect(down.length).toBeGreaterThan(0);
    for (const needle of needles) {
      expect(up.includes(needle)).toBe(false);
      expect(down.includes(needle)).toBe(false);
    }
    // What it relayed is TLS records: each direction starts with a handshake record.
    expect([...up.subarray(0, 2)]).toEqual([0x16, 0x03]);
    expect([...down.subarray(0, 2)]).toEqual([0x16, 0x03]);
    await outer.goaway();
  });

  it('R2: the switch keeps only who, when and how many bytes — never content', () => {
    const relayed = records.filter((r) => r.outcome === 'relayed');
    expect(relayed).toHaveLength(1);
    const r = relayed[0]!;
    expect(Object.keys(r).sort()).toEqual(
      ['at', 'bytesDown', 'bytesUp', 'caller', 'durationMs', 'outcome', 'target'].sort(),
    );
    expect(r).toMatchObject({ caller: 'cs:131016', target: 'cs:011011' });
    expect(Date.parse(r.at)).not.toBeNaN();
    const sum = (d: string) =>
      tapped.filter((t) => t.direction === d).reduce((n, t) => n + t.bytes.length, 0);
    expect(r.bytesUp).toBe(sum('up'));
    expect(r.bytesDown).toBe(sum('down'));
    expect(JSON.stringify(records)).not.toContain(SECRET_NAME);
  });

  it('R2: a route cut at one end is torn down at the other, and recorded as failed', async () => {
    const outer = await toSwitch(a);
    const inner = await route(outer);
    await inner.request(secretNotice());
    let innerAtB: Session | undefined;
    await vi.waitFor(() => {
      innerAtB = bInnerSessions.at(-1);
      expect(innerAtB?.state).toBe('ready');
    });
    (inner.transport as TlsTransport).destroy(); // A's end vanishes, no TLS close
    await innerAtB!.closed;
    await vi.waitFor(() =>
      expect(records.at(-1)).toMatchObject({
        caller: 'cs:131016',
        target: 'cs:011011',
        outcome: 'failed',
        reason: 'switch.route-broke-off',
      }),
    );
    // The outer session survives the route: another one can be opened at once.
    const again = await route(outer);
    await again.goaway();
    await outer.goaway();
  });

  it('R2: a CS cannot have the switch route to a node that is not a CS', async () => {
    const outer = await toSwitch(a);
    const call = outer.call(routeRequest('prefecture:13'), { upload: true });
    await expect(call.reply).rejects.toMatchObject({
      code: 'forbidden',
      reason: 'switch.target-not-cs',
    });
    await expect(
      route(outer, { ...b, node: { role: 'national', code: 'jlis' } }),
    ).rejects.toMatchObject({
      reason: 'switch.target-not-cs',
    });
    expect(records.at(-1)).toMatchObject({
      outcome: 'refused',
      reason: 'switch.target-not-cs',
      bytesUp: 0,
    });
    await vi.waitFor(async () =>
      expect(
        (await net.alerts(stores.sw!)).filter((x) => x.kind === 'forbidden-operation'),
      ).toMatchObject([
        { peerName: 'cs:131016', detail: expect.stringContaining('to prefecture:13') as unknown },
      ]),
    );
    await outer.goaway();
  });

  it('R8: only a CS reaches the switch; a prefecture server is refused', async () => {
    const pref = await net.node('prefecture:13');
    await expect(
      connectNetwork({
        self: pref.node,
        credentials: pref.credentials,
        expectedPeer: sw.node,
        host: theSwitch.address.host,
        port: theSwitch.address.port,
      }),
    ).rejects.toMatchObject({ reason: 'network.refused-by-peer' });
    await vi.waitFor(async () =>
      expect(
        (await net.alerts(stores.sw!)).filter((x) => x.kind === 'unexpected-peer'),
      ).toMatchObject([
        {
          peerName: 'prefecture:13',
          detail: 'no rule lets prefecture:13 connect to switch:east-1',
        },
      ]),
    );
  });

  it('R2: the switch checks whom it reaches: a CS answering at the target address for another is refused', async () => {
    const misrouting = await startSwitch({
      self: sw.node,
      credentials: sw.credentials,
      host: '127.0.0.1',
      port: 0,
      alerts: stores.sw!,
      directory: () => cListener.address, // every CS "lives" at cs:131024's address
      records: () => undefined,
    });
    try {
      const outer = await toSwitch(a, misrouting.address);
      await expect(route(outer)).rejects.toMatchObject({
        code: 'unavailable',
        reason: 'switch.target-unreachable',
      });
      await outer.goaway();
    } finally {
      await misrouting.close();
    }
  });
  it('R11: revoking a CS cuts its inner session at the target and its outer one at the switch', async () => {
    const d = await net.node('cs:131041');
    const outer = await toSwitch(d);
    const inner = await route(outer, b, d);
    await vi.waitFor(() => expect(bInnerSessions.at(-1)?.state).toBe('ready'));
    const atB = bInnerSessions.at(-1)!;
    await net.pki.revoke(d.cert.serial, 'keyCompromise');
    const crl = net.pki.crlPem();
    expect(await bListener.reloadCrl(crl)).toBe(1);
    expect(await theSwitch.listener.reloadCrl(crl)).toBe(1);
    await Promise.all([atB.closed, inner.closed, outer.closed]);
    await vi.waitFor(async () =>
      expect((await net.alerts(stores.b!)).at(-1)).toMatchObject({
        kind: 'certificate-revoked',
        peerName: 'cs:131041',
        peerAddress: expect.stringMatching(/via switch:east-1$/) as unknown,
      }),
    );
  });
});

describe('impostors refused by the inner handshake (R2, R9)', () => {
  /** A compromised switch that terminates the route itself, with `credentials`, posing as B. */
  async function evilSwitch(credentials: TestNode['credentials'], store: AlertStore) {
    const l: NetworkListener = await listenNetwork({
      self: sw.node,
      credentials: sw.credentials,
      host: '127.0.0.1',
      port: 0,
      alerts: store,
      onSession: (session, peer) =>
        acceptRoutes(session, peer, {
          self: b.node, // claims to be the target …
          credentials: () => credentials, // … but can only show a certificate it has the key of
          alerts: { record: (x) => l.recordAlert(x) },
          onInnerSession: () => undefined,
        }),
    });
    return l;
  }

  it('R2: a switch that answers for the target with its own valid certificate is refused', async () => {
    const evil = await evilSwitch(sw.credentials, await net.alertStore());
    try {
      const outer = await toSwitch(a, evil.address);
      await expect(route(outer)).rejects.toMatchObject({
        code: 'forbidden',
        reason: 'network.unexpected-peer',
      });
      await vi.waitFor(async () =>
        expect((await net.alerts(stores.a!)).at(-1)).toMatchObject({
          observer: 'cs:131016',
          kind: 'unexpected-peer',
          peerName: 'cs:011011',
          peerAddress: 'cs:011011 via switch:east-1',
          detail: 'the server is switch:east-1, not cs:011011 which was dialled',
        }),
      );
      await outer.goaway();
    } finally {
      await evil.close();
    }
  });

  it('R2: another CS with its own valid certificate answering for the target is refused', async () => {
    const evil = await evilSwitch(c.credentials, await net.alertStore());
    try {
      const outer = await toSwitch(a, evil.address);
      await expect(route(outer)).rejects.toMatchObject({ reason: 'network.unexpected-peer' });
      expect((await net.alerts(stores.a!)).at(-1)).toMatchObject({
        kind: 'unexpected-peer',
        detail: 'the server is cs:131024, not cs:011011 which was dialled',
      });
      await outer.goaway();
    } finally {
      await evil.close();
    }
  });

  it('R2: the target refuses an inner session opened by a switch posing as a CS', async () => {
    // The switch may open an outer session to a CS and ask for a route (that is its job) …
    const outer = await connectNetwork({
      self: sw.node,
      credentials: sw.credentials,
      expectedPeer: b.node,
      host: bListener.address.host,
      port: bListener.address.port,
    });
    // … but inside, only another CS is accepted.
    await expect(
      openRoute({ outer, self: sw.node, credentials: sw.credentials, target: b.node }),
    ).rejects.toMatchObject({ reason: 'network.refused-by-peer' });
    await vi.waitFor(async () =>
      expect((await net.alerts(stores.b!)).at(-1)).toMatchObject({
        observer: 'cs:011011',
        kind: 'unexpected-peer',
        peerName: 'switch:east-1',
        peerAddress: expect.stringMatching(/via switch:east-1$/) as unknown,
        detail: 'only another CS may open an inner session with cs:011011 (R2), not switch:east-1',
      }),
    );
    await outer.goaway();
  });
});
