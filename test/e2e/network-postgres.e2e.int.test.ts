import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabaseOrSkip,
  type TestDatabase,
} from '../../src/storage/postgres/test-database.ts';
import { ProcessNetwork } from './network-harness.ts';
import { describeNetworkFlow, SCENARIO_NETWORK } from './network-flow.ts';
import { describeMoreFlow } from './network-flow-more.ts';

/**
 * The same update flow with every node on PostgreSQL (production): one database, a schema per
 * node and per register. Skipped loudly without a server; under CI a missing server fails.
 */
const db: TestDatabase | undefined = await createTestDatabaseOrSkip('jukinet_e2e');

describe.skipIf(db === undefined)('a network of processes on PostgreSQL', () => {
  let net: ProcessNetwork;
  beforeAll(async () => {
    net = await ProcessNetwork.create({ ...SCENARIO_NETWORK, storeUrl: db!.url });
    await net.startAll();
  }, 120_000);
  afterAll(async () => {
    await net?.destroy();
    await db?.drop();
  });

  it('every node keeps its own schema', async () => {
    expect(net.config('prefecture:13').storeSchema).toBe('juki_prefecture_13');
    expect(net.config('cs:131016').registerSchema).toBe('juki_register_131016');
    expect(await net.health('national:jlis')).toMatchObject({ node: 'national:jlis' });
  });

  describeNetworkFlow(() => net);
  describeMoreFlow(() => net);
});
