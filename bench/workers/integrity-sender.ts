/**
 * The CS of the integrity benchmark (`cs:141038`): connects to the prefecture server over mutual
 * TLS and runs one integrity check of its municipality (`runIntegrityCheck`), with or without the
 * repair. Reports the check (codes, counts, bytes, calls) and its wall time; with `treeOnly`, it
 * first times building its own hash tree alone (the scan and hashing every check pays).
 */
import { depthForCount, HashTree, runIntegrityCheck } from '../../src/integrity/index.ts';
import { openIdentityStore } from '../../src/storage/open-store.ts';
import { connectNetwork } from '../../src/transport/index.ts';
import { INTEGRITY_SCOPE, readIntegrityPki } from '../cases/integrity.ts';
import { workerMain } from '../harness.ts';
import { timed } from '../population-source.ts';

type Args = {
  pki: string;
  store: string;
  host: string;
  port: number;
  checkId: string;
  repair: number;
  treeOnly: number;
};

await workerMain(async (a: Args) => {
  const { cs, prefecture } = readIntegrityPki(a.pki);
  const store = await openIdentityStore(`sqlite:${a.store}`);
  let treeSeconds: number | undefined;
  if (a.treeOnly) {
    const count = await store.countScope(INTEGRITY_SCOPE);
    treeSeconds = await timed(() =>
      HashTree.build(store.scanScope(INTEGRITY_SCOPE), depthForCount(count)),
    );
  }
  const session = await connectNetwork({
    self: cs.node,
    credentials: cs.credentials,
    expectedPeer: prefecture.node,
    host: a.host,
    port: a.port,
  });
  let report: Awaited<ReturnType<typeof runIntegrityCheck>> | undefined;
  const seconds = await timed(
    async () =>
      (report = await runIntegrityCheck({
        session,
        store,
        scope: INTEGRITY_SCOPE,
        checkId: a.checkId,
        repair: a.repair === 1,
        self: cs.node,
        peer: prefecture.node,
      })),
  );
  await session.goaway();
  await store.close();
  return { seconds, treeSeconds, report: report! };
});
