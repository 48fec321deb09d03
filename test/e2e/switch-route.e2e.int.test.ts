/**
 * The switch (専用交換装置, R2) in a network made by `juki network init`, every node its own
 * process: CS A opens a route through switch:main to CS B and runs the connectivity check
 * (`route-echo`) over an inner mutual-TLS session end to end; the switch keeps who / when / bytes
 * only; routes to a node that is not a CS, or to a CS the switch does not serve, are refused with
 * their reason; inside a route only the check is allowed; and a CS still cannot reach another CS
 * directly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { readNodeBundle } from '../../src/pki/pki-directory.ts';
import { sampleChangeNotice } from '../../src/protocol/protocol-fixtures.ts';
import { openRoute } from '../../src/switch/route-client.ts';
import { connectNetwork } from '../../src/transport/connect.ts';
import { ProcessNetwork } from './network-harness.ts';

const A = 'cs:131016'; // 東京都千代田区
const B = 'cs:271276'; // 大阪市北区

describe('routes through the switch between running CS (R2)', () => {
  let net: ProcessNetwork;
  const out: string[] = [];
  const io = {
    out: (t: string) => void out.push(t),
    err: (t: string) => void out.push(t),
    interactive: false,
  };
  const configOf = (node: string) => net.manifest.nodes.find((n) => n.node === node)!.config;
  const routeCheck = async (to: string, json = true) => {
    out.length = 0;
    const code = await main(
      ['node', 'route-check', '--to', to, '--config', configOf(A), ...(json ? ['--json'] : [])],
      io,
    );
    return { code, text: out.join('\n') };
  };
  const switchRoutes = () =>
    net
      .logs('switch:main')
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return {};
        }
      })
      .filter((l) => l.event === 'switch.route');

  beforeAll(async () => {
    net = await ProcessNetwork.create({
      prefectures: ['13', '27'],
      municipalities: ['131016', '271276'],
    });
    await net.startAll();
  }, 120_000);
  afterAll(async () => {
    await net?.destroy();
  });

  it('R2: `juki network init` gives each CS the switch and a listener for it, and the switch every CS', () => {
    const a = net.config(A);
    const b = net.config(B);
    const sw = net.config('switch:main');
    expect(a.switch).toMatchObject({ node: { role: 'switch', code: 'main' }, ...sw.listen });
    expect(sw.directory.get(B)).toEqual(b.listen);
    expect(sw.directory.get(A)).toEqual(a.listen);
  });

  it('R2: CS A reaches CS B through switch:main; B answers the check itself over the inner mutual-TLS session', async () => {
    const { code, text } = await routeCheck(B);
    expect(code).toBe(0);
    const r = JSON.parse(text) as Record<string, unknown>;
    expect(r).toMatchObject({
      from: A,
      to: B,
      via: 'switch:main',
      answeredBy: B, // the inner TLS handshake authenticated B, and B echoed the nonce
      municipality: '271276',
    });
    expect(Date.parse(r.answeredAt as string)).not.toBeNaN();
    // The human form, as an operator sees it.
    const human = await routeCheck(B, false);
    expect(human.text).toMatch(
      /^疎通確認 \(route check\) cs:131016 → switch:main → cs:271276: cs:271276 が応答/,
    );
    // The switch kept who, when and how many bytes each way — and nothing else.
    await net.until('the switch records the relayed routes', () =>
      Promise.resolve(switchRoutes().filter((l) => l.outcome === 'relayed').length >= 2),
    );
    // Both checks ended cleanly: no route of theirs broke off.
    expect(
      switchRoutes()
        .filter((l) => l.target === B)
        .map((l) => l.outcome),
    ).toEqual(['relayed', 'relayed']);
    const relayed = switchRoutes().find((l) => l.outcome === 'relayed')!;
    expect(relayed).toMatchObject({ caller: A, target: B, outcome: 'relayed' });
    expect(relayed.bytesUp).toBeGreaterThan(500); // TLS records, the inner handshake included
    expect(relayed.bytesDown).toBeGreaterThan(500);
    expect(Date.parse(relayed.at as string)).not.toBeNaN();
    // The switch's operator reads the same records at its terminal side (`juki node routes`):
    // exactly the metadata fields, nothing of what was relayed.
    out.length = 0;
    expect(await main(['node', 'routes', '--config', configOf('switch:main'), '--json'], io)).toBe(
      0,
    );
    const listed = JSON.parse(out.join('\n')) as Record<string, unknown>[];
    const toB = listed.filter((l) => l.target === B);
    expect(toB.map((l) => [l.caller, l.outcome])).toEqual([
      [A, 'relayed'],
      [A, 'relayed'],
    ]);
    // Exactly the route record's metadata (a failed route adds its `reason`), nothing relayed.
    const fields = ['at', 'bytesDown', 'bytesUp', 'caller', 'durationMs', 'outcome', 'target'];
    for (const l of listed) {
      expect(Object.keys(l)).toEqual(expect.arrayContaining(fields));
      expect(Object.keys(l).filter((k) => ![...fields, 'reason'].includes(k))).toEqual([]);
    }
    // Only the switch keeps route records.
    out.length = 0;
    expect(await main(['node', 'routes', '--config', configOf(A)], io)).toBe(1);
    expect(out.join('\n')).toContain('route.not-a-switch');
    // B saw the inner session from A, through the switch.
    expect(
      net.logs(B).some((l) => l.includes('"event":"route.inner-session"') && l.includes(A)),
    ).toBe(true);
  });

  it('R2: a route to a node that is not a CS is refused, with its reason', async () => {
    const { code, text } = await routeCheck('prefecture:13');
    expect(code).toBe(1);
    expect(text).toMatch(/forbidden|invalid/);
    expect(text).toContain('[switch.target-not-cs]');
  });

  it('R2: a route to a CS the switch does not serve is refused by the switch as not-found', async () => {
    const { code, text } = await routeCheck('cs:011011'); // 札幌市中央区: not in this network
    expect(code).toBe(1);
    expect(text).toMatch(/^juki node: not-found: .*cs:011011.*\[switch\.unknown-target\]/);
    await net.until('the switch records the refusal', () =>
      Promise.resolve(switchRoutes().some((l) => l.target === 'cs:011011')),
    );
    expect(switchRoutes().find((l) => l.target === 'cs:011011')).toMatchObject({
      caller: A,
      outcome: 'refused',
      reason: 'switch.unknown-target',
      bytesUp: 0,
      bytesDown: 0,
    });
  });

  it('R2, R10: inside a route only the connectivity check is allowed — a change notice to B is forbidden', async () => {
    const a = net.config(A);
    const credentials = await readNodeBundle(a.bundleDir);
    const outer = await connectNetwork({
      self: a.node,
      credentials,
      expectedPeer: a.switch!.node,
      host: a.switch!.host,
      port: a.switch!.port,
      onError: () => undefined,
    });
    try {
      const inner = await openRoute({
        outer,
        self: a.node,
        credentials,
        target: { role: 'cs', code: '271276' },
        onError: () => undefined,
      });
      await expect(inner.request(sampleChangeNotice())).rejects.toMatchObject({
        code: 'forbidden',
        reason: 'network.operation-forbidden',
      });
      await inner.goaway();
    } finally {
      await outer.goaway();
    }
  });

  it('R2, R8: a CS cannot reach another CS directly — B’s listener admits only the switch', async () => {
    const a = net.config(A);
    const b = net.config(B);
    await expect(
      connectNetwork({
        self: a.node,
        credentials: await readNodeBundle(a.bundleDir),
        expectedPeer: b.node,
        host: b.listen!.host,
        port: b.listen!.port,
        onError: () => undefined,
      }),
    ).rejects.toMatchObject({ reason: 'network.refused-by-peer' });
  });
});
