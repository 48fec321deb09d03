import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessNetwork } from './network-harness.ts';
import { describeNetworkFlow, SCENARIO_NETWORK } from './network-flow.ts';

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
    expect(h).toMatchObject({ node: 'prefecture:13', outbox: 0 });
  });

  describeNetworkFlow(() => net);
});
