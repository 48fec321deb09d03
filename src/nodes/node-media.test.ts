import { describe, expect, it } from 'vitest';
import { mediaDirectory, mediaFromTerminal, type MediaNode } from './node-media.ts';
import type { NodeProvision } from './node-provision.ts';

/*
 * The media routes' refusals that need no running node (the rest: web-terminal-media.int.test.ts
 * and provision-media.int.test.ts): a node that is not a providing node, and a providing node
 * without a media directory, which the web terminal's files must come from.
 */
const node = (over: Partial<MediaNode>): MediaNode => ({
  self: { role: 'national', code: 'jlis' },
  provision: {} as NodeProvision,
  bundleDir: '/nonexistent',
  mediaDir: undefined,
  log: undefined,
  ...over,
});

describe('media provision routes (R22)', () => {
  it('refuses at a node that provides nothing, and says to set mediaDir where it is missing', async () => {
    await expect(
      mediaDirectory(node({ self: { role: 'cs', code: '131016' } })),
    ).rejects.toMatchObject({ code: 'forbidden', reason: 'media.not-a-provider' });
    const missing = await mediaDirectory(node({})).catch((e: Error & { reason?: string }) => e);
    expect(missing).toMatchObject({ code: 'invalid', reason: 'media.no-media-dir' });
    expect((missing as Error).message).toContain('mediaDir');
    // From the web terminal, the files must be names in the media directory: none configured.
    await expect(
      mediaFromTerminal(
        node({}),
        {
          recipientId: 'mhlw-pension',
          affairId: '別表第一:七十七',
          inName: 'rows.jsonl',
          outName: 'o.jkm',
          password: 'x'.repeat(12),
        },
        { operator: 'prov-1', web: true },
      ),
    ).rejects.toMatchObject({ reason: 'media.no-media-dir' });
  });
});
