import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../errors.ts';
import { FrameDecoder } from './frame-decoder.ts';
import { HEADER_LENGTH, MIN_FRAME_SIZE_LIMIT } from './frame.ts';
import { encodeFrames, sampleFrames } from './frame-fixtures.ts';

const MAX = MIN_FRAME_SIZE_LIMIT;

/**
 * Feeds chunks; the only outcomes allowed are frames or a ProtocolError. Checks after every push
 * that the decoder buffers at most one header and one maximum body.
 */
function survive(chunks: readonly Uint8Array[]): 'frames' | 'protocol-error' {
  const d = new FrameDecoder({ maxFrameSize: MAX });
  try {
    for (const c of chunks) {
      for (const f of d.push(c)) expect(f.body.length).toBeLessThanOrEqual(MAX);
      expect(d.bufferedBytes).toBeLessThanOrEqual(HEADER_LENGTH + MAX);
    }
    return 'frames';
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    expect(typeof e.code).toBe('string');
    return 'protocol-error';
  }
}

describe('FrameDecoder under arbitrary input (DESIGN §7: the decoder survives arbitrary bytes)', () => {
  it('R11: arbitrary bytes yield frames or a typed ProtocolError, never another exception', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 512 }), { maxLength: 8 }), (chunks) => {
        survive(chunks);
      }),
      { numRuns: 2000 },
    );
  });

  it('R11: a valid stream with bytes flipped yields frames or a typed error, with bounded memory', () => {
    const valid = encodeFrames(sampleFrames());
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.nat(valid.length),
        (flips, cut) => {
          const bytes = Buffer.from(valid);
          for (const [at, value] of flips) bytes[at] = value;
          survive([bytes.subarray(0, cut), bytes.subarray(cut)]);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('R11: a valid header followed by arbitrary body bytes never over-buffers', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ maxLength: 8000 }),
        (h, rest) => {
          h[0] = 0xa5;
          h[1] = 0x4a;
          h[2] = 1;
          survive([h, rest]);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
