import { RegistryError } from '../domain/errors.ts';

/** Where randomness comes from (crypto.randomBytes in production; tests may pass their own). */
export type RandomBytes = (length: number) => Uint8Array;

export const SERIAL_BYTES = 16;

/**
 * A random 16-byte (128-bit, of which 127 random) positive serial number, as 32 lower-case hex
 * digits. The first byte is 0x01–0x7f: the high bit clear keeps the DER INTEGER positive, a
 * non-zero byte keeps the encoding minimal and the length fixed (RFC 5280 §4.1.2.2 allows up to
 * 20 octets; CA/B Forum asks for ≥ 64 random bits).
 */
export function randomSerialNumber(randomBytes: RandomBytes): string {
  const bytes = randomBytes(SERIAL_BYTES);
  if (bytes.length !== SERIAL_BYTES) throw new RangeError('randomBytes returned a wrong length');
  const b = Uint8Array.from(bytes);
  b[0] = b[0]! & 0x7f || 0x01;
  return Buffer.from(b).toString('hex');
}

/**
 * A serial number as the user may type it (`7F:AB:…`, `7fab…`, upper or lower case) in the form
 * kept in the index: lower-case hex, no separators, no leading zero octets.
 * Throws RegistryError('invalid', …, 'pki.serial.malformed').
 */
export function normalizeSerialNumber(input: string): string {
  let hex = input.replace(/[\s:]/g, '').toLowerCase();
  if (!/^[0-9a-f]{1,40}$/.test(hex)) {
    throw new RegistryError(
      'invalid',
      `serial number ${JSON.stringify(input)} must be 1–40 hex digits`,
      'pki.serial.malformed',
    );
  }
  if (hex.length % 2 === 1) hex = `0${hex}`;
  while (hex.length > 2 && hex.startsWith('00')) hex = hex.slice(2);
  return hex;
}
