import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RegistryError } from '../domain/errors.ts';
import type { NewMediaOutput } from '../domain/provision/media-output.ts';
import type { ProvisionStore } from './ports.ts';

const SHA = (c: string) => c.repeat(64);
const output = (n: number, over: Partial<NewMediaOutput> = {}): NewMediaOutput => ({
  id: `media-00000000-0000-4000-8000-00000000000${n}`,
  at: `2026-11-24T0${n}:00:00.000Z`,
  node: 'national:jlis',
  operator: 'jlis-operator-3',
  recipientId: 'mhlw-pension',
  affairId: '別表第一:七十七',
  fileName: `pension-${n}.jkm`,
  fileSha256: SHA(String(n)),
  byteSize: 1234 + n,
  rowsIn: 10,
  rowsFound: 7,
  rowsNotFound: 2,
  rowsRefused: 1,
  keyKind: 'password',
  ...over,
});

async function reasonOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RegistryError) return `${e.code}/${e.reason}`;
    throw e;
  }
  return undefined;
}

/** The media output record (R22), as every ProvisionStore keeps it (SQLite and PostgreSQL). */
export function describeMediaOutputContract(
  name: string,
  open: () => Promise<{ store: ProvisionStore; cleanup: () => Promise<void> }>,
): void {
  describe(`${name}: media output record (R22)`, () => {
    let store: ProvisionStore;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });
    afterEach(async () => {
      await cleanup();
    });

    it('R22: every output is recorded and listed newest first, per recipient on request', async () => {
      const sealed = output(2, {
        recipientId: 'mofa-passport',
        keyKind: 'public-key',
        recipientCertSha256: SHA('a'),
      });
      expect(await store.recordMediaOutput(output(1))).toEqual(output(1));
      expect(await store.recordMediaOutput(sealed)).toEqual(sealed);
      await store.recordMediaOutput(output(3));
      expect((await store.listMediaOutputs({ limit: 10 })).map((m) => m.id)).toEqual([
        output(3).id,
        sealed.id,
        output(1).id,
      ]);
      expect(await store.listMediaOutputs({ limit: 10, recipientId: 'mofa-passport' })).toEqual([
        sealed,
      ]);
      expect(await store.listMediaOutputs({ limit: 1 })).toHaveLength(1);
    });

    it('R22: an id is recorded once; a record that does not add up or names a path is refused', async () => {
      await store.recordMediaOutput(output(1));
      expect(await reasonOf(store.recordMediaOutput(output(1, { operator: 'x' })))).toBe(
        'conflict/media-output.exists',
      );
      expect(await reasonOf(store.recordMediaOutput(output(2, { rowsRefused: 5 })))).toBe(
        'invalid/media-output.counts',
      );
      expect(
        await reasonOf(store.recordMediaOutput(output(3, { fileName: '/media/usb/out.jkm' }))),
      ).toBe('invalid/media-output.field');
      expect(await reasonOf(store.recordMediaOutput(output(4, { keyKind: 'public-key' })))).toBe(
        'invalid/media-output.key',
      );
      expect(
        await reasonOf(store.recordMediaOutput(output(5, { recipientCertSha256: SHA('b') }))),
      ).toBe('invalid/media-output.key');
      expect(await reasonOf(store.recordMediaOutput(output(6, { operator: '' })))).toBe(
        'invalid/media-output.field',
      );
      expect((await store.listMediaOutputs({ limit: 10 })).map((m) => m.id)).toEqual([
        output(1).id,
      ]);
    });

    it('R33: a medium’s disposal is recorded once, for a recorded output only, and listed with it', async () => {
      await store.recordMediaOutput(output(1));
      await store.recordMediaOutput(output(2));
      const disposal = {
        mediaId: output(1).id,
        at: '2026-11-25T05:00:00.000Z',
        node: 'national:jlis',
        operator: 'jlis-operator-4',
        method: 'returned-erased' as const,
        note: '受領書 第12号\n立会 jlis-operator-5',
      };
      expect(await store.recordMediaDisposal(disposal)).toEqual(disposal);
      // Once: a second disposal of the same medium is refused, the first one stays.
      expect(
        await reasonOf(
          store.recordMediaDisposal({ ...disposal, method: 'destroyed', note: undefined }),
        ),
      ).toBe('conflict/media.already-disposed');
      // An output never recorded, a malformed method or note: refused, nothing written.
      expect(
        await reasonOf(
          store.recordMediaDisposal({
            ...disposal,
            mediaId: 'media-00000000-0000-4000-8000-000000000009',
          }),
        ),
      ).toBe('not-found/media.unknown-output');
      expect(
        await reasonOf(
          store.recordMediaDisposal({
            ...disposal,
            mediaId: output(2).id,
            method: 'lost' as never,
          }),
        ),
      ).toBe('invalid/media-disposal.method');
      expect(
        await reasonOf(
          store.recordMediaDisposal({ ...disposal, mediaId: output(2).id, note: 'x'.repeat(501) }),
        ),
      ).toBe('invalid/media-disposal.field');
      expect(await store.listMediaOutputs({ limit: 10 })).toEqual([
        output(2),
        { ...output(1), disposal },
      ]);
    });
  });
}
