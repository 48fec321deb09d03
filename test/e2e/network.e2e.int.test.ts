import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { ProcessNetwork } from './network-harness.ts';
import { describeNetworkFlow, Scenario, SCENARIO_NETWORK } from './network-flow.ts';
import { describeMoreFlow } from './network-flow-more.ts';

/** The update flow on the embedded default: every node its own process and SQLite file. */
describe('a network of processes on SQLite', () => {
  let net: ProcessNetwork;
  beforeAll(async () => {
    net = await ProcessNetwork.create(SCENARIO_NETWORK);
    await net.startAll();
  }, 120_000);
  afterAll(async () => {
    await net?.destroy();
  });

  it('starts every node and reports health on the terminal side', async () => {
    const h = await net.health('prefecture:13');
    expect(h).toMatchObject({ node: 'prefecture:13', outbox: 0, status: 'ok' });
    expect(await net.health('cs:131016')).toMatchObject({
      upstream: { upstream: 'prefecture:13', connected: true },
    });
  });

  describeNetworkFlow(() => net);

  it('R11: `juki node isolate` cuts a CS off at its prefecture server at once; its changes wait until `juki node readmit`', async () => {
    const s = new Scenario(net);
    const config = net.manifest.nodes.find((n) => n.node === 'prefecture:13')!.config;
    const quietIo = { out: () => undefined, err: () => undefined, interactive: false };
    let readmitted = false;
    try {
      const out: string[] = [];
      const io = {
        out: (t: string) => void out.push(t),
        err: (t: string) => void out.push(t),
        interactive: false,
      };
      expect(
        await main(
          ['node', 'isolate', 'cs:131016', '--config', config, '--reason', 'e2e drill'],
          io,
        ),
      ).toBe(0);
      expect(out.join('\n')).toMatch(/cs:131016 を切り離しました \(isolated\): 1 session\(s\) cut/);
      const person = await s.moveIn('131016', {
        name: '遮断 四郎',
        kana: 'シャダン シロウ',
        address: '東京都千代田区千代田4番1号',
      });
      // The CS keeps trying (and is refused each time); the change waits in its outbox. (The
      // register pump takes the change into the CS store on its own schedule: under load a
      // refusal can come before the change is in the outbox, so both are waited for.)
      await net.until('the change waits in the CS outbox', async () => {
        const h = await net.health('cs:131016');
        return h.upstream!.failures > 0 && h.outbox === 1;
      });
      expect(await s.find('prefecture:13', person.code)).toBeUndefined();
      readmitted = true;
      expect(await main(['node', 'readmit', 'cs:131016', '--config', config], io)).toBe(0);
      await net.until('the change arrives after readmission', async () =>
        Boolean(await s.find('national:jlis', person.code)),
      );
      // The operator's cut-off is on record at the prefecture server (R11).
      const alerts = await main(
        ['alerts', '--store', net.config('prefecture:13').store, '--json'],
        io,
      );
      expect(alerts).toBe(0);
      expect(out.join('\n')).toContain('"kind": "node-isolated"');
      // R20 on demand from the command line, as the operator runs it.
      const cs = net.manifest.nodes.find((n) => n.node === 'cs:131016')!.config;
      out.length = 0;
      expect(await main(['integrity', 'check', '--config', cs], io)).toBe(0);
      expect(out.join('\n')).toMatch(
        /本人確認情報整合 cs-131016-\S+ with prefecture:13: 一致 \(matching\)/,
      );
    } finally {
      // A failure above must not leave the CS cut off for the tests after this one.
      if (!readmitted)
        await main(['node', 'readmit', 'cs:131016', '--config', config], quietIo).catch(
          () => undefined,
        );
      await s.close();
    }
  });

  describeMoreFlow(() => net);
});
