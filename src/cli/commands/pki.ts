import { parseArgs, type ParseArgsConfig } from 'node:util';
import { readCrl } from '../../pki/build-crl.ts';
import { CRL_VALIDITY_HOURS, parseRevocationReason } from '../../pki/certificate-profile.ts';
import type { IssuedCertificate } from '../../pki/network-ca.ts';
import { assertNodeIdentityInTable } from '../../pki/node-identity-table.ts';
import {
  formatNodeName,
  parseNodeIdentity,
  sameNode,
  type NodeIdentity,
} from '../../pki/NodeIdentity.ts';
import { DEFAULT_PKI_DIR, PkiDirectory } from '../../pki/pki-directory.ts';
import { loadLocalGovernmentTable } from '../../reference-data/local-governments.ts';
import { EXIT, UsageError } from '../cli-error.ts';
import { printJson, type CommandIO } from '../io.ts';

export const PKI_HELP = `juki pki <init | issue | revoke | crl | list> [--dir DIR] [options] [--json]

  The closed network's certificate authority (R9, R11; docs/PKI.md): node certificates for
  mutual TLS, revocation and the CRL. Files live in DIR (default ${DEFAULT_PKI_DIR}); keys are
  written 0600 in 0700 directories and never printed.

  init      create the network CA (ECDSA P-256 / SHA-256, self-signed) and its first CRL
              --name CN              CA common name (default "jukinet network CA")
              --org O                CA organization (default "jukinet")
              --validity-years N     1–20 (default 10)
              --force                replace an existing CA (the old one is moved to DIR/retired/)
  issue     issue a certificate with a fresh key into DIR/nodes/<role>-<code>/ (renewal: again)
              --role R --code C      cs 6-digit 団体コード | prefecture 01–47 | national jlis |
                                     agency ID | switch ID (IDs: a-z 0-9 -, e.g. mhlw-pension)
              --validity-days N      1–825 (default 397)
  revoke    revoke, then publish the new CRL to DIR/ca/crl.pem and every node bundle
              --serial S             one certificate, or
              --role R --code C      every valid certificate of a node (emergency cut-off, R11)
              --reason R             unspecified (default) | keyCompromise | affiliationChanged |
                                     superseded | cessationOfOperation | privilegeWithdrawn
  crl       re-issue the CRL with a new number; run it daily: once a CRL passes its next
            update, nodes refuse every peer
              --next-update-hours H  1–${CRL_VALIDITY_HOURS.max} (default ${CRL_VALIDITY_HOURS.default}; also for revoke)
  list      the certificates issued, with their status
              --role R --code C      only this node

  Exit 0 on success, 1 when refused (unknown serial, invalid code, CA exists, …), 2 on bad usage.`;

const COMMON = {
  dir: { type: 'string', default: DEFAULT_PKI_DIR },
  json: { type: 'boolean', default: false },
} as const satisfies ParseArgsConfig['options'];
const NODE = { role: { type: 'string' }, code: { type: 'string' } } as const;
const CRL_HOURS = { 'next-update-hours': { type: 'string' } } as const;

const SUBCOMMANDS: Record<string, (args: string[], io: CommandIO) => Promise<number>> = {
  init,
  issue,
  revoke,
  crl,
  list,
};

export async function runPki(args: readonly string[], io: CommandIO): Promise<number> {
  const [sub, ...rest] = args;
  const run = sub === undefined || !Object.hasOwn(SUBCOMMANDS, sub) ? undefined : SUBCOMMANDS[sub];
  if (run === undefined)
    throw new UsageError(
      `unknown subcommand ${JSON.stringify(sub ?? '')}: expected ${Object.keys(SUBCOMMANDS).join(', ')}`,
    );
  return run(rest, io);
}

async function init(args: string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...COMMON,
      name: { type: 'string' },
      org: { type: 'string' },
      'validity-years': { type: 'string' },
      force: { type: 'boolean', default: false },
    },
  });
  const { pki, ca } = await PkiDirectory.init(values.dir, {
    ...(values.name === undefined ? {} : { commonName: values.name }),
    ...(values.org === undefined ? {} : { organization: values.org }),
    ...optionalInteger('validityYears', values['validity-years'], '--validity-years'),
    force: values.force,
  });
  const p = pki.paths;
  const summary = {
    dir: values.dir,
    subject: ca.subject,
    serial: ca.serial,
    notBefore: ca.notBefore.toISOString(),
    notAfter: ca.notAfter.toISOString(),
    keyId: ca.keyId,
    certificate: p.caCertificate,
    key: p.caKey,
    crl: p.crl,
    crlNumber: ca.crlNumber,
  };
  if (values.json) printJson(io, summary);
  else
    io.out(
      [
        `created the network CA in ${values.dir}`,
        `  subject      ${summary.subject}`,
        `  serial       ${summary.serial}`,
        `  valid        ${summary.notBefore} → ${summary.notAfter}`,
        `  certificate  ${summary.certificate}`,
        `  key          ${summary.key} (0600)`,
        `  CRL          ${summary.crl} (number ${summary.crlNumber})`,
      ].join('\n'),
    );
  return EXIT.ok;
}

async function issue(args: string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { ...COMMON, ...NODE, 'validity-days': { type: 'string' } },
  });
  const identity = nodeOption(values.role, values.code);
  if (identity === undefined) throw new UsageError('--role and --code are required');
  const options = optionalInteger('validityDays', values['validity-days'], '--validity-days');
  assertNodeIdentityInTable(identity, loadLocalGovernmentTable());
  const pki = await PkiDirectory.open(values.dir);
  const issued = await pki.issue(identity, options);
  const summary = { ...describeCertificate(issued, new Date()), files: issued.files };
  if (values.json) printJson(io, summary);
  else
    io.out(
      [
        `issued ${summary.node} serial ${summary.serial}`,
        `  valid        ${summary.notBefore} → ${summary.notAfter}`,
        `  certificate  ${issued.files.certificate}`,
        `  key          ${issued.files.key} (0600)`,
        `  CA, CRL      ${issued.files.caCertificate}, ${issued.files.crl}`,
      ].join('\n'),
    );
  return EXIT.ok;
}

async function revoke(args: string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...COMMON,
      ...NODE,
      ...CRL_HOURS,
      serial: { type: 'string' },
      reason: { type: 'string' },
    },
  });
  const identity = nodeOption(values.role, values.code);
  if ((values.serial === undefined) === (identity === undefined))
    throw new UsageError('give either --serial S or --role R --code C');
  const options = {
    ...(values.reason === undefined ? {} : { reason: parseRevocationReason(values.reason) }),
    ...optionalInteger('crlValidityHours', values['next-update-hours'], '--next-update-hours'),
  };
  const pki = await PkiDirectory.open(values.dir);
  const result =
    identity === undefined
      ? await pki.revoke(values.serial!, options)
      : await pki.revokeNode(identity, options);
  const now = new Date();
  const summary = {
    revoked: result.revoked.map((c) => describeCertificate(c, now)),
    crlNumber: result.crlNumber,
    crl: pki.paths.crl,
  };
  if (values.json) printJson(io, summary);
  else {
    for (const c of summary.revoked) io.out(`revoked ${c.serial} (${c.node}, ${c.reason})`);
    io.out(`CRL number ${summary.crlNumber} written to ${summary.crl} and every node bundle`);
  }
  return EXIT.ok;
}

async function crl(args: string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({ args, options: { ...COMMON, ...CRL_HOURS } });
  const options = optionalInteger(
    'validityHours',
    values['next-update-hours'],
    '--next-update-hours',
  );
  const pki = await PkiDirectory.open(values.dir);
  const { crlPem } = await pki.refreshCrl(options);
  const read = readCrl(crlPem);
  const summary = {
    crlNumber: read.crlNumber,
    thisUpdate: read.thisUpdate.toISOString(),
    nextUpdate: read.nextUpdate?.toISOString(),
    revoked: read.revoked.length,
    crl: pki.paths.crl,
  };
  if (values.json) printJson(io, summary);
  else
    io.out(
      `CRL number ${summary.crlNumber} (${summary.revoked} revoked) valid until ${summary.nextUpdate}, written to ${summary.crl} and every node bundle`,
    );
  return EXIT.ok;
}

async function list(args: string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({ args, options: { ...COMMON, ...NODE } });
  const only = nodeOption(values.role, values.code);
  const pki = await PkiDirectory.open(values.dir);
  const now = new Date();
  const rows = (await pki.list())
    .filter((c) => only === undefined || sameNode(c.identity, only))
    .map((c) => describeCertificate(c, now));
  if (values.json) {
    printJson(io, rows);
    return EXIT.ok;
  }
  if (rows.length === 0) {
    io.out('no certificates issued');
    return EXIT.ok;
  }
  const width = Math.max(4, ...rows.map((r) => r.node.length));
  io.out(`${'SERIAL'.padEnd(32)}  ${'NODE'.padEnd(width)}  NOT AFTER             STATUS`);
  for (const r of rows) {
    const status = r.status === 'revoked' ? `revoked (${r.reason}) ${r.revokedAt}` : r.status;
    io.out(
      `${r.serial.padEnd(32)}  ${r.node.padEnd(width)}  ${r.notAfter.slice(0, 19)}Z  ${status}`,
    );
  }
  return EXIT.ok;
}

type Status = 'valid' | 'revoked' | 'expired' | 'not-yet-valid';

function describeCertificate(c: IssuedCertificate, now: Date) {
  const status: Status =
    c.revokedAt !== undefined
      ? 'revoked'
      : c.notAfter <= now
        ? 'expired'
        : c.notBefore > now
          ? 'not-yet-valid'
          : 'valid';
  return {
    serial: c.serial,
    node: formatNodeName(c.identity),
    role: c.identity.role,
    code: c.identity.code,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    issuedAt: c.issuedAt.toISOString(),
    status,
    revokedAt: c.revokedAt?.toISOString() ?? null,
    reason: c.revokedAt === undefined ? null : (c.reason ?? 'unspecified'),
  };
}

/** --role and --code together, or neither. */
function nodeOption(role: string | undefined, code: string | undefined): NodeIdentity | undefined {
  if (role === undefined && code === undefined) return undefined;
  if (role === undefined || code === undefined)
    throw new UsageError('--role and --code go together');
  return parseNodeIdentity(role, code);
}

function optionalInteger<K extends string>(
  key: K,
  text: string | undefined,
  flag: string,
): { [k in K]?: number } {
  if (text === undefined) return {};
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} must be a whole number`);
  return { [key]: Number(text) } as { [k in K]?: number };
}
