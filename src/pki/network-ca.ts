import { RegistryError } from '../domain/errors.ts';
import {
  buildNodeCertificate,
  exportPrivateKeyPem,
  generateKeyPair,
} from './build-certificates.ts';
import { buildCrlPem } from './build-crl.ts';
import {
  crlValidity,
  nodeValidity,
  toWholeSeconds,
  type RevocationReason,
} from './certificate-profile.ts';
import { formatNodeName, parseNodeIdentity, sameNode, type NodeIdentity } from './NodeIdentity.ts';
import { normalizeSerialNumber, randomSerialNumber, type RandomBytes } from './serial-number.ts';
import type { KeyHandle } from './key-store/KeyStore.ts';
import type { x509 } from './x509.ts';

/** One certificate the CA has signed, as the CA remembers it (no key: the CA never keeps those). */
export type IssuedCertificate = {
  readonly serial: string;
  readonly identity: NodeIdentity;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly issuedAt: Date;
  /** Set once revoked; revocation is final. */
  readonly revokedAt?: Date;
  readonly reason?: RevocationReason;
};

/**
 * A freshly issued node certificate with its private key. `keyPem` is a non-enumerable property:
 * `JSON.stringify`, `console.log` and spreading leave it out, so the key does not leak into logs
 * or `--json` output by accident.
 */
export type NodeCertificate = {
  readonly identity: NodeIdentity;
  readonly serial: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
};

/** What must be persisted, beside the CA certificate and key, to reload a CA. */
export type CaState = {
  readonly certificates: readonly IssuedCertificate[];
  readonly crlNumber: number;
  readonly crlPem: string;
};

export type IssueOptions = {
  /** 1–825, default 397. */
  readonly validityDays?: number;
  /**
   * The issuing time (default: the clock). Tests set it in the past to make expired
   * certificates; the CLI never does.
   */
  readonly now?: Date;
};

export type RevokeOptions = {
  readonly reason?: RevocationReason;
  readonly now?: Date;
  /** nextUpdate of the CRL issued with the revocation: 1–744 hours, default 24. */
  readonly crlValidityHours?: number;
};

export type CrlOptions = { readonly now?: Date; readonly validityHours?: number };

/**
 * The network's certificate authority (J-LIS's role): signs node certificates, remembers what it
 * signed, revokes, and issues the CRL. Works in memory; `PkiDirectory` persists it.
 */
export class NetworkCa {
  #certificates: IssuedCertificate[];
  #crlNumber: number;
  #crlPem: string;

  /** @internal use createNetworkCa / loadNetworkCa (create-network-ca.ts). */
  constructor(
    readonly certificate: x509.X509Certificate,
    readonly certificatePem: string,
    readonly keyId: string,
    /** The CA's private key, usable (sign) but not readable: it may sit in an HSM. */
    readonly signer: KeyHandle,
    state: CaState,
    private readonly randomBytes: RandomBytes,
  ) {
    this.#certificates = [...state.certificates];
    this.#crlNumber = state.crlNumber;
    this.#crlPem = state.crlPem;
  }

  get subject(): string {
    return this.certificate.subject;
  }
  get serial(): string {
    return this.certificate.serialNumber.toLowerCase();
  }
  get notBefore(): Date {
    return this.certificate.notBefore;
  }
  get notAfter(): Date {
    return this.certificate.notAfter;
  }
  /** The current CRL (PEM, label `X509 CRL`), ready for node:tls's `crl` option. */
  get crlPem(): string {
    return this.#crlPem;
  }
  get crlNumber(): number {
    return this.#crlNumber;
  }

  /** Every certificate issued, in issue order, with its revocation if any. */
  certificates(): readonly IssuedCertificate[] {
    return this.#certificates;
  }

  findCertificate(serial: string): IssuedCertificate | undefined {
    const s = normalizeSerialNumber(serial);
    return this.#certificates.find((c) => c.serial === s);
  }

  snapshot(): CaState {
    return {
      certificates: [...this.#certificates],
      crlNumber: this.#crlNumber,
      crlPem: this.#crlPem,
    };
  }

  /**
   * Issues a certificate for a node with a fresh key pair. Several certificates for one node are
   * allowed (renewal). Throws RegistryError('invalid', …) with reason 'node-identity.*',
   * 'pki.validity.out-of-range' or 'pki.validity.beyond-ca' (a node certificate may not outlive
   * its CA).
   */
  async issue(identity: NodeIdentity, options: IssueOptions = {}): Promise<NodeCertificate> {
    const id = parseNodeIdentity(identity.role, identity.code);
    const now = options.now ?? new Date();
    const validity = nodeValidity(now, options.validityDays);
    if (validity.notAfter > this.notAfter) {
      throw new RegistryError(
        'invalid',
        `a certificate valid until ${validity.notAfter.toISOString()} would outlive the CA (valid until ${this.notAfter.toISOString()}); issue a shorter one or renew the CA`,
        'pki.validity.beyond-ca',
      );
    }
    let serial = randomSerialNumber(this.randomBytes);
    while (this.#certificates.some((c) => c.serial === serial)) {
      serial = randomSerialNumber(this.randomBytes);
    }
    const keys = await generateKeyPair();
    const cert = await buildNodeCertificate({
      identity: id,
      serialNumber: serial,
      validity,
      publicKey: keys.publicKey,
      issuer: {
        name: this.certificate.subjectName,
        keyId: this.keyId,
        signer: this.signer,
      },
    });
    const keyPem = await exportPrivateKeyPem(keys.privateKey);
    this.#certificates.push({ serial, identity: id, ...validity, issuedAt: now });
    return withHiddenKey(
      { identity: id, serial, certPem: cert.toString('pem'), ...validity },
      keyPem,
    );
  }

  /**
   * Revokes one certificate and issues a new CRL. Throws RegistryError('not-found', …,
   * 'pki.revocation.unknown-serial') for a serial this CA never issued and
   * RegistryError('conflict', …, 'pki.revocation.already-revoked').
   */
  async revoke(serial: string, options: RevokeOptions = {}): Promise<IssuedCertificate> {
    const s = normalizeSerialNumber(serial);
    const found = this.#certificates.find((c) => c.serial === s);
    if (found === undefined) {
      throw new RegistryError(
        'not-found',
        `this CA issued no certificate with serial ${s}`,
        'pki.revocation.unknown-serial',
      );
    }
    if (found.revokedAt !== undefined) {
      throw new RegistryError(
        'conflict',
        `certificate ${s} (${formatNodeName(found.identity)}) was already revoked on ${found.revokedAt.toISOString()}`,
        'pki.revocation.already-revoked',
      );
    }
    const [revoked] = await this.#revokeAll([found], options);
    return revoked!;
  }

  /**
   * Revokes every certificate of a node that is neither revoked nor expired (the R11 emergency
   * cut-off, or a node taken out of service) with one new CRL. Throws RegistryError('not-found',
   * …, 'pki.revocation.no-active-certificate') when there is none.
   */
  async revokeNode(
    identity: NodeIdentity,
    options: RevokeOptions = {},
  ): Promise<IssuedCertificate[]> {
    const now = options.now ?? new Date();
    const active = this.#certificates.filter(
      (c) => sameNode(c.identity, identity) && c.revokedAt === undefined && c.notAfter > now,
    );
    if (active.length === 0) {
      throw new RegistryError(
        'not-found',
        `${formatNodeName(identity)} has no certificate that is valid and not revoked`,
        'pki.revocation.no-active-certificate',
      );
    }
    return this.#revokeAll(active, { ...options, now });
  }

  async #revokeAll(
    targets: readonly IssuedCertificate[],
    options: RevokeOptions,
  ): Promise<IssuedCertificate[]> {
    const now = toWholeSeconds(options.now ?? new Date());
    const reason = options.reason ?? 'unspecified';
    const serials = new Set(targets.map((t) => t.serial));
    const next = this.#certificates.map((c) =>
      serials.has(c.serial) ? { ...c, revokedAt: now, reason } : c,
    );
    // The CRL is signed before anything changes: a failure leaves the CA as it was.
    const crl = await this.#signCrl(next, { now, validityHours: options.crlValidityHours });
    this.#certificates = next;
    this.#commitCrl(crl);
    return next.filter((c) => serials.has(c.serial));
  }

  /** Issues a new CRL (next CRL number) with the same revocations: the daily refresh. */
  async refreshCrl(options: CrlOptions = {}): Promise<string> {
    this.#commitCrl(await this.#signCrl(this.#certificates, options));
    return this.#crlPem;
  }

  async #signCrl(
    certificates: readonly IssuedCertificate[],
    options: CrlOptions,
  ): Promise<{ pem: string; number: number }> {
    const now = options.now ?? new Date();
    const number = this.#crlNumber + 1;
    const pem = await buildCrlPem({
      issuer: {
        name: this.certificate.subjectName,
        keyId: this.keyId,
        signer: this.signer,
      },
      crlNumber: number,
      ...crlValidity(now, options.validityHours),
      entries: certificates.flatMap((c) =>
        c.revokedAt === undefined
          ? []
          : [{ serial: c.serial, revokedAt: c.revokedAt, reason: c.reason ?? 'unspecified' }],
      ),
    });
    return { pem, number };
  }

  #commitCrl(crl: { pem: string; number: number }): void {
    this.#crlNumber = crl.number;
    this.#crlPem = crl.pem;
  }
}

function withHiddenKey(value: Omit<NodeCertificate, 'keyPem'>, keyPem: string): NodeCertificate {
  return Object.defineProperty({ ...value }, 'keyPem', {
    value: keyPem,
    enumerable: false,
  }) as NodeCertificate;
}
