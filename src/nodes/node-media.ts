import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RegistryError } from '../domain/errors.ts';
import type { NodeRef } from '../domain/network/NodeRef.ts';
import { bundleCrlPath } from '../pki/pki-directory.ts';
import { checkRecipientCertificate } from '../provision/media-certificate.ts';
import type { MediaSealKey } from '../provision/media-file.ts';
import { runMediaProvision, type MediaProvisionResult } from '../provision/media-provision.ts';
import { actingOperator } from './acting-operator.ts';
import type { Logger } from './json-log.ts';
import type { NodeProvision } from './node-provision.ts';
import type { TerminalCaller } from './terminal-server.ts';

const MAX_CERTIFICATE_BYTES = 64 * 1024;

const field = (b: Record<string, unknown>, name: string): string => {
  const v = b[name];
  if (typeof v !== 'string' || v === '')
    throw new RegistryError(
      'invalid',
      `媒体による提供: ${name} が必要です (${name} is required)`,
      'terminal.media',
    );
  return v;
};

/**
 * `POST /provision/media` (R22) at a national or prefecture server: `{recipientId, affairId,
 * inPath, outPath, operator, password | recipientCertPath}`; paths are on this node's machine.
 * The password is used and forgotten: never logged, never stored. A certificate must be the
 * recipient's own, under the network CA and CRL of this node's bundle.
 */
export async function mediaFromTerminal(
  node: {
    self: NodeRef;
    provision: NodeProvision | undefined;
    bundleDir: string;
    log: Logger | undefined;
  },
  b: Record<string, unknown>,
  caller?: TerminalCaller,
): Promise<MediaProvisionResult> {
  const { self, provision } = node;
  if (!provision || (self.role !== 'national' && self.role !== 'prefecture'))
    throw new RegistryError(
      'forbidden',
      '媒体による提供は全国サーバか都道府県サーバの端末で行います (media provision runs at a national or prefecture server)',
      'media.not-a-provider',
    );
  const hasPassword = typeof b.password === 'string';
  const hasCertificate = typeof b.recipientCertPath === 'string';
  if (hasPassword === hasCertificate)
    throw new RegistryError(
      'invalid',
      '媒体による提供: password か recipientCertPath のどちらか一方です (give either password or recipientCertPath)',
      'terminal.media',
    );
  let key: MediaSealKey;
  if (hasPassword) key = { kind: 'password', password: b.password as string };
  else {
    const path = field(b, 'recipientCertPath');
    const pem = await readFile(path, 'utf8').catch(() => {
      throw new RegistryError(
        'not-found',
        `受領者の証明書を読めません (cannot read ${path})`,
        'media.certificate',
      );
    });
    if (pem.length > MAX_CERTIFICATE_BYTES)
      throw new RegistryError(
        'invalid',
        `${path} は証明書ではありません (too large)`,
        'media.certificate',
      );
    key = { kind: 'public-key', certificatePem: pem };
  }
  const trust = async () => ({
    caPem: await readFile(join(node.bundleDir, 'ca.crt'), 'utf8'),
    crlPem: await readFile(bundleCrlPath(node.bundleDir), 'utf8'),
  });
  const recipientId = field(b, 'recipientId');
  const result = await runMediaProvision(
    {
      self,
      service: provision.service,
      store: provision.store,
      checkCertificate: async (pem, recipient) =>
        checkRecipientCertificate(pem, await trust(), recipient, new Date()),
      onProgress: (rows) =>
        node.log?.info('provision.media.progress', { recipient: recipientId, rows }),
    },
    {
      recipientId,
      affairId: field(b, 'affairId'),
      inPath: field(b, 'inPath'),
      outPath: field(b, 'outPath'),
      operator: actingOperator(b, 'operator', caller) ?? field(b, 'operator'),
      key,
    },
  );
  node.log?.info('provision.media.written', {
    media: result.id,
    operator: result.operator,
    recipient: result.recipientId,
    affair: result.affairId,
    file: result.fileName,
    rows: result.rowsIn,
  });
  return result;
}
