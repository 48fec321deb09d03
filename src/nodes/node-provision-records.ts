import { RegistryError } from '../domain/errors.ts';
import type { MediaOutput } from '../domain/provision/media-output.ts';
import type { RefusalRecord } from '../domain/provision/disclosure.ts';
import type { NodeProvision } from './node-provision.ts';

/*
 * The records of a providing node's provisions at its terminal side, for its provision operators
 * and auditors: the media output record (R22) and the refused attempts (R23). Reading them is
 * itself an act in the access log (the terminal side records every route).
 */

const notAProvider = (): RegistryError =>
  new RegistryError(
    'forbidden',
    '提供の記録は全国サーバと都道府県サーバにあります (provision records are kept at the national and prefecture servers)',
    'provision.not-a-provider',
  );

/** A `limit` of a listing route: 1–200, default 50. */
function limitOf(b: Record<string, unknown>): number {
  const v = b.limit ?? 50;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 200)
    throw new RegistryError(
      'invalid',
      'limit は 1～200 の整数です (limit: an integer in 1–200)',
      'terminal.limit',
    );
  return v;
}

/** An optional `recipientId` filter. */
function recipientFilter(b: Record<string, unknown>): { recipientId?: string } {
  const v = b.recipientId;
  if (v === undefined || v === '') return {};
  if (typeof v !== 'string' || v.length > 64)
    throw new RegistryError(
      'invalid',
      'recipientId は提供先 ID です (recipientId: a recipient id)',
      'terminal.recipient',
    );
  return { recipientId: v };
}

/**
 * `POST /provision/media/outputs` `{recipientId?, limit?}` (R22): the media output record, newest
 * first — who wrote which file when, for whom, how many rows; never content.
 */
export async function mediaOutputs(
  provision: NodeProvision | undefined,
  b: Record<string, unknown>,
): Promise<MediaOutput[]> {
  if (!provision) throw notAProvider();
  return provision.store.listMediaOutputs({ limit: limitOf(b), ...recipientFilter(b) });
}

/**
 * `POST /provision/refusals` `{recipientId?, limit?, afterId?}` (R23): refused provision
 * attempts, newest first — who asked, for which affair, why refused; never whom.
 */
export async function provisionRefusals(
  provision: NodeProvision | undefined,
  b: Record<string, unknown>,
): Promise<RefusalRecord[]> {
  if (!provision) throw notAProvider();
  const afterId = b.afterId;
  if (
    afterId !== undefined &&
    (typeof afterId !== 'number' || !Number.isSafeInteger(afterId) || afterId < 0)
  )
    throw new RegistryError(
      'invalid',
      'afterId は記録番号です (afterId: a record number)',
      'terminal.after-id',
    );
  return provision.store.listRefusals({
    limit: limitOf(b),
    ...recipientFilter(b),
    ...(afterId === undefined ? {} : { afterId }),
  });
}
