import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyFirstBytes } from './first-bytes.ts';

const ascii = (s: string) => new TextEncoder().encode(s);

describe('the first bytes of a connection', () => {
  it('R10: a TLS handshake record is ours to continue', () => {
    expect(classifyFirstBytes(Uint8Array.of(0x16, 0x03, 0x01, 0x02, 0x00))).toBe('tls');
    expect(classifyFirstBytes(Uint8Array.of(0x16, 0x03, 0x03))).toBe('tls');
  });

  it('R10: HTTP, SMTP, SSH, Telnet-like text and our own frame magic in clear are not our protocol', () => {
    for (const s of ['GET / HTTP/1.1\r\n', 'EHLO x\r\n', 'SSH-2.0-OpenSSH\r\n', 'hello\n'])
      expect(classifyFirstBytes(ascii(s))).toBe('not-our-protocol');
    // Frames are only ever carried inside TLS: a cleartext frame is refused too.
    expect(classifyFirstBytes(Uint8Array.of(0xa5, 0x4a, 0x01))).toBe('not-our-protocol');
    // A TLS alert or application-data record as the first record is not a handshake.
    expect(classifyFirstBytes(Uint8Array.of(0x15, 0x03, 0x03))).toBe('not-our-protocol');
    expect(classifyFirstBytes(Uint8Array.of(0x16, 0x03, 0x00))).toBe('not-our-protocol');
    expect(classifyFirstBytes(Uint8Array.of(0x16, 0x02))).toBe('not-our-protocol');
  });

  it('R10: waits for more while the bytes so far could still start a handshake record', () => {
    expect(classifyFirstBytes(new Uint8Array(0))).toBe('need-more');
    expect(classifyFirstBytes(Uint8Array.of(0x16))).toBe('need-more');
    expect(classifyFirstBytes(Uint8Array.of(0x16, 0x03))).toBe('need-more');
  });

  it('R10: the verdict never changes once given, however more bytes arrive (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ maxLength: 8 }), (a, b) => {
        const first = classifyFirstBytes(a);
        if (first !== 'need-more')
          expect(classifyFirstBytes(Uint8Array.from([...a, ...b]))).toBe(first);
      }),
    );
  });
});
