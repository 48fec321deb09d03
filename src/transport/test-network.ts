import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import type { SecurityAlert } from '../domain/network/SecurityAlert.ts';
import {
  createTestPki,
  parseNodeName,
  type IssueOptions,
  type NodeCertificate,
  type NodeTlsCredentials,
  type TestPki,
} from '../pki/index.ts';
import { openAlertStore } from '../storage/open-store.ts';
import type { AlertStore } from '../storage/ports.ts';

/** A node of a test network: who it is and its TLS credentials (the CA's current CRL). */
export type TestNode = {
  readonly node: NodeRef;
  readonly name: string;
  readonly cert: NodeCertificate;
  readonly credentials: NodeTlsCredentials;
};

export type TestNetwork = {
  readonly pki: TestPki;
  /** Issues a certificate for `name` (`cs:131016`) from the network CA. */
  node(name: string, options?: IssueOptions): Promise<TestNode>;
  /** A fresh alert store (SQLite file in a temporary directory). */
  alertStore(): Promise<AlertStore>;
  /** Every alert of `store`, oldest first. */
  alerts(store: AlertStore): Promise<SecurityAlert[]>;
  /** Closes the stores and removes the temporary directory. */
  cleanup(): Promise<void>;
};

/**
 * A closed network for integration tests: an in-memory CA (src/pki/test-pki.ts), node
 * certificates by name, and alert stores on temporary SQLite files. Nothing leaves the machine.
 */
export async function createTestNetwork(): Promise<TestNetwork> {
  const pki = await createTestPki();
  const dir = await mkdtemp(path.join(tmpdir(), 'jukinet-net-'));
  const stores: AlertStore[] = [];
  let n = 0;
  return {
    pki,
    async node(name, options) {
      const cert = await pki.issue(name, options);
      const node = parseNodeName(name);
      return {
        node,
        name: nodeName(node),
        cert,
        get credentials() {
          return pki.credentials(cert);
        },
      };
    },
    async alertStore() {
      const store = await openAlertStore(`sqlite:${path.join(dir, `alerts-${++n}.sqlite`)}`);
      stores.push(store);
      return store;
    },
    async alerts(store) {
      return (await store.listAlerts({ limit: 1000 })).reverse();
    },
    async cleanup() {
      await Promise.all(stores.map((s) => s.close()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
