import { access, mkdir, readdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { RegistryError } from '../domain/errors.ts';
import { withDirectoryLock } from './disk/directory-lock.ts';
import { ensurePrivateDirectory } from './disk/private-directory.ts';
import { writeFileAtomic } from './disk/write-file-atomic.ts';
import { FileKeyStore } from './key-store/file-key-store.ts';
import type { KeyHandle } from './key-store/KeyStore.ts';
import {
  createNetworkCa,
  loadNetworkCa,
  type CreateNetworkCaOptions,
} from './create-network-ca.ts';
import {
  type CrlOptions,
  type IssuedCertificate,
  type IssueOptions,
  type NetworkCa,
  type RevokeOptions,
} from './network-ca.ts';
import { nodeSlug, type NodeIdentity } from './NodeIdentity.ts';
import {
  fromIndexCertificate,
  parsePkiIndex,
  toIndexCertificate,
  type PkiIndex,
} from './PkiIndex.ts';
import type { NodeTlsCredentials } from './tls-profile.ts';

/** Public files (certificates, CRLs, the index) inside the 0700 tree. */
const PUBLIC_FILE_MODE = 0o644;
const CA_KEY_ID = 'ca';
const NODE_KEY_ID = 'node';

/** Where `juki pki` keeps its files unless told otherwise (`--dir`). */
export const DEFAULT_PKI_DIR = '.juki/pki';

/** The files of a node's bundle: what is installed on the node's machine. */
export type NodeBundlePaths = {
  readonly dir: string;
  readonly certificate: string;
  readonly key: string;
  readonly caCertificate: string;
  readonly crl: string;
};

export type IssuedNodeFiles = IssuedCertificate & { readonly files: NodeBundlePaths };

export type InitOptions = Omit<CreateNetworkCaOptions, 'keyStore' | 'keyId'> & {
  /** Replace an existing CA; the old one is moved to `retired/<time>/`, not deleted. */
  readonly force?: boolean;
};

/**
 * The PKI on disk, as `juki pki` uses it (docs/PKI.md, "On disk"):
 *
 * ```
 * <dir>/                 0700
 *   index.json           every certificate issued, revocations, last CRL number
 *   ca/                  0700  ca.crt, ca.key (0600, the CA's FileKeyStore), crl.pem
 *   certs/<serial>.crt   a copy of every certificate issued
 *   nodes/<role>-<code>/ 0700  node.crt, node.key (0600), ca.crt, crl.pem: the node's bundle
 *   retired/<time>/      a CA replaced by `init --force`
 * ```
 *
 * Every change runs under a lock file and re-reads the index first, so concurrent `juki pki`
 * runs do not lose each other's updates; every file is replaced atomically.
 */
export class PkiDirectory {
  private constructor(readonly dir: string) {}

  get paths() {
    const ca = join(this.dir, 'ca');
    return {
      index: join(this.dir, 'index.json'),
      caDir: ca,
      caCertificate: join(ca, 'ca.crt'),
      caKey: join(ca, `${CA_KEY_ID}.key`),
      crl: join(ca, 'crl.pem'),
      certs: join(this.dir, 'certs'),
      nodes: join(this.dir, 'nodes'),
      retired: join(this.dir, 'retired'),
    };
  }

  nodeBundle(identity: NodeIdentity): NodeBundlePaths {
    const dir = join(this.paths.nodes, nodeSlug(identity));
    return {
      dir,
      certificate: join(dir, 'node.crt'),
      key: join(dir, `${NODE_KEY_ID}.key`),
      caCertificate: join(dir, 'ca.crt'),
      crl: join(dir, 'crl.pem'),
    };
  }

  /**
   * Creates the CA in `dir`. An existing CA is kept intact unless `force`:
   * RegistryError('conflict', …, 'pki.ca-exists').
   */
  static async init(
    dir: string,
    options: InitOptions = {},
  ): Promise<{ pki: PkiDirectory; ca: NetworkCa }> {
    const pki = new PkiDirectory(dir);
    await ensurePrivateDirectory(dir);
    return withDirectoryLock(dir, async () => {
      const p = pki.paths;
      const existing = await anyExists([p.index, p.caCertificate, p.caKey]);
      if (existing && !options.force) {
        throw new RegistryError(
          'conflict',
          `${dir} already holds a CA; it is left as it is (use --force to replace it: the old CA is moved to ${p.retired}/)`,
          'pki.ca-exists',
        );
      }
      if (existing) await pki.#retire(options.now ?? new Date());
      await ensurePrivateDirectory(p.caDir);
      const ca = await createNetworkCa({
        ...options,
        keyStore: new FileKeyStore(p.caDir),
        keyId: CA_KEY_ID,
      });
      await writeFileAtomic(p.caCertificate, ca.certificatePem, PUBLIC_FILE_MODE);
      await pki.#saveIndex(ca);
      await writeFileAtomic(p.crl, ca.crlPem, PUBLIC_FILE_MODE);
      return { pki, ca };
    });
  }

  /** Opens an initialised directory. RegistryError('not-found', …, 'pki.not-initialized'). */
  static async open(dir: string): Promise<PkiDirectory> {
    const pki = new PkiDirectory(dir);
    if (!(await anyExists([pki.paths.index]))) {
      throw new RegistryError(
        'not-found',
        `no PKI in ${dir} (run juki pki init --dir ${dir})`,
        'pki.not-initialized',
      );
    }
    return pki;
  }

  /** The CA with its state as on disk now (key from the CA's key store). */
  async loadCa(): Promise<NetworkCa> {
    const p = this.paths;
    const index = await this.#readIndex();
    const certificatePem = await readFile(p.caCertificate, 'utf8');
    const ca = await loadNetworkCa({
      certificatePem,
      keyStore: new FileKeyStore(p.caDir),
      keyId: CA_KEY_ID,
      state: {
        certificates: index.certificates.map(fromIndexCertificate),
        crlNumber: index.crlNumber,
        crlPem: await readFile(p.crl, 'utf8'),
      },
    });
    if (ca.serial !== index.ca.serial) {
      throw new RegistryError('invalid', `${p.index} belongs to another CA`, 'pki.index.mismatch');
    }
    return ca;
  }

  /** Every certificate issued, in issue order. */
  async list(): Promise<IssuedCertificate[]> {
    return (await this.#readIndex()).certificates.map(fromIndexCertificate);
  }

  /**
   * Issues a certificate for a node and writes its bundle (replacing a previous one: renewal;
   * the earlier certificate stays valid until it expires or is revoked).
   */
  async issue(identity: NodeIdentity, options: IssueOptions = {}): Promise<IssuedNodeFiles> {
    const [issued] = await this.issueMany([identity], options);
    return issued!;
  }

  /**
   * Issues certificates for many nodes under one lock and one write of the index (a whole
   * network: `juki network init`; issuing one at a time rewrote the index per certificate, which
   * made all of Japan's 1,900 nodes take minutes). `onIssued` is told as each bundle is written.
   */
  async issueMany(
    identities: readonly NodeIdentity[],
    options: IssueOptions & { readonly onIssued?: (done: number) => void } = {},
  ): Promise<IssuedNodeFiles[]> {
    return withDirectoryLock(this.dir, async () => {
      const ca = await this.loadCa();
      const issuedAll = [];
      for (const identity of identities) issuedAll.push(await ca.issue(identity, options));
      await this.#saveIndex(ca); // recorded before anything is handed out
      await mkdir(this.paths.certs, { recursive: true, mode: 0o700 });
      const out: IssuedNodeFiles[] = [];
      for (const issued of issuedAll) {
        const files = this.nodeBundle(issued.identity);
        await writeFileAtomic(
          join(this.paths.certs, `${issued.serial}.crt`),
          issued.certPem,
          PUBLIC_FILE_MODE,
        );
        await new FileKeyStore(files.dir).put(NODE_KEY_ID, issued.keyPem);
        await writeFileAtomic(files.certificate, issued.certPem, PUBLIC_FILE_MODE);
        await writeFileAtomic(files.caCertificate, ca.certificatePem, PUBLIC_FILE_MODE);
        await writeFileAtomic(files.crl, ca.crlPem, PUBLIC_FILE_MODE);
        out.push({ ...ca.findCertificate(issued.serial)!, files });
        options.onIssued?.(out.length);
      }
      return out;
    });
  }

  /** Revokes one certificate; writes the index, then the new CRL (CA and every node bundle). */
  async revoke(
    serial: string,
    options: RevokeOptions = {},
  ): Promise<{ revoked: IssuedCertificate[]; crlNumber: number }> {
    return this.#changeCrl((ca) => ca.revoke(serial, options).then((c) => [c]));
  }

  /** Revokes every active certificate of a node (R11 emergency cut-off). */
  async revokeNode(
    identity: NodeIdentity,
    options: RevokeOptions = {},
  ): Promise<{ revoked: IssuedCertificate[]; crlNumber: number }> {
    return this.#changeCrl((ca) => ca.revokeNode(identity, options));
  }

  /** Re-issues the CRL (next number, new nextUpdate) and distributes it. */
  async refreshCrl(options: CrlOptions = {}): Promise<{ crlPem: string; crlNumber: number }> {
    const { ca } = await this.#withCa(async (ca) => {
      await ca.refreshCrl(options);
      return [];
    });
    return { crlPem: ca.crlPem, crlNumber: ca.crlNumber };
  }

  /** A node's certificate, key (permissions checked), CA certificate and CRL from its bundle. */
  async nodeCredentials(identity: NodeIdentity): Promise<NodeTlsCredentials> {
    return readNodeBundle(this.nodeBundle(identity).dir);
  }

  async #changeCrl(
    change: (ca: NetworkCa) => Promise<IssuedCertificate[]>,
  ): Promise<{ revoked: IssuedCertificate[]; crlNumber: number }> {
    const { ca, result } = await this.#withCa(change);
    return { revoked: result, crlNumber: ca.crlNumber };
  }

  async #withCa<T>(change: (ca: NetworkCa) => Promise<T>): Promise<{ ca: NetworkCa; result: T }> {
    return withDirectoryLock(this.dir, async () => {
      const ca = await this.loadCa();
      const result = await change(ca);
      await this.#saveIndex(ca);
      await this.#distributeCrl(ca.crlPem);
      return { ca, result };
    });
  }

  async #distributeCrl(crlPem: string): Promise<void> {
    await writeFileAtomic(this.paths.crl, crlPem, PUBLIC_FILE_MODE);
    const nodes = await readdir(this.paths.nodes, { withFileTypes: true }).catch(() => []);
    for (const n of nodes) {
      if (n.isDirectory())
        await writeFileAtomic(join(this.paths.nodes, n.name, 'crl.pem'), crlPem, PUBLIC_FILE_MODE);
    }
  }

  async #readIndex(): Promise<PkiIndex> {
    return parsePkiIndex(await readFile(this.paths.index, 'utf8'), this.paths.index);
  }

  async #saveIndex(ca: NetworkCa): Promise<void> {
    const index: PkiIndex = {
      format: 'jukinet-pki-index',
      version: 1,
      ca: {
        subject: ca.subject,
        serial: ca.serial,
        notBefore: ca.notBefore.toISOString(),
        notAfter: ca.notAfter.toISOString(),
        keyId: ca.keyId,
      },
      crlNumber: ca.crlNumber,
      certificates: ca.certificates().map(toIndexCertificate),
    };
    await writeFileAtomic(
      this.paths.index,
      `${JSON.stringify(index, null, 2)}\n`,
      PUBLIC_FILE_MODE,
    );
  }

  /** Moves the current CA, index, archive and bundles to retired/<time>/ (nothing is deleted). */
  async #retire(now: Date): Promise<void> {
    const p = this.paths;
    const target = join(p.retired, now.toISOString().replace(/[:.]/g, '-'));
    await mkdir(target, { recursive: true, mode: 0o700 });
    for (const [from, name] of [
      [p.index, 'index.json'],
      [p.caDir, 'ca'],
      [p.certs, 'certs'],
      [p.nodes, 'nodes'],
    ] as const) {
      if (await anyExists([from])) await rename(from, join(target, name));
    }
  }
}

async function anyExists(paths: readonly string[]): Promise<boolean> {
  for (const path of paths) {
    try {
      await access(path);
      return true;
    } catch {
      // next
    }
  }
  return false;
}

/**
 * A node's TLS credentials from its installed bundle directory (what `juki pki issue` wrote and
 * `juki node start` reads): node.crt, the key as its key-store handle gives it to node:tls,
 * ca.crt and crl.pem.
 */
export async function readNodeBundle(dir: string): Promise<NodeTlsCredentials> {
  return {
    certPem: await readFile(join(dir, 'node.crt'), 'utf8'),
    tlsKey: (await openNodeKey(dir)).tlsKey(),
    caPem: await readFile(join(dir, 'ca.crt'), 'utf8'),
    crlPem: await readFile(join(dir, 'crl.pem'), 'utf8'),
  };
}

/** The node's key from its installed bundle directory (node.key, permissions checked). */
export function openNodeKey(dir: string): Promise<KeyHandle> {
  return new FileKeyStore(dir).open(NODE_KEY_ID);
}

/** The path of the CRL inside a node's bundle (a running node watches it, R11). */
export const bundleCrlPath = (dir: string): string => join(dir, 'crl.pem');
