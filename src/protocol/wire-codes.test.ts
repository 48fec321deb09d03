import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, RegistryError } from '../domain/errors.ts';
import {
  ConnectionClosedError,
  errorFromWire,
  errorToWire,
  GoawayError,
  ProtocolError,
  TimeoutError,
  toRegistryError,
} from './errors.ts';
import {
  fromWireCode,
  PROTOCOL_FAULT_CODES,
  registryCodeOf,
  toWireCode,
  WIRE_CODE_TABLE,
} from './wire-codes.ts';

describe('wire codes (R10: one error vocabulary, mapped to numbers in one place)', () => {
  it('R10: the numbers are fixed (they are part of the wire format, docs/PROTOCOL.md §7)', () => {
    expect(Object.fromEntries(WIRE_CODE_TABLE.map((r) => [r.code, r.wire]))).toEqual({
      invalid: 1,
      'not-found': 2,
      conflict: 3,
      forbidden: 4,
      'too-many-matches': 5,
      suspended: 6,
      'rate-limited': 7,
      unavailable: 8,
      'bad-frame': 100,
      'unsupported-version': 101,
      'frame-too-large': 102,
      'unknown-kind': 103,
      'invalid-message': 104,
      violation: 105,
      'flow-control': 106,
      timeout: 110,
      cancelled: 111,
      goaway: 112,
      closed: 113,
      internal: 120,
    });
  });

  it('R10: every domain ErrorCode and protocol fault has a number, and it maps back', () => {
    for (const code of [...ERROR_CODES, ...PROTOCOL_FAULT_CODES])
      expect(fromWireCode(toWireCode(code))).toBe(code);
    expect(new Set(WIRE_CODE_TABLE.map((r) => r.wire)).size).toBe(WIRE_CODE_TABLE.length);
  });

  it('R10: a number this node does not know maps to internal (a failure, never success)', () => {
    const known = new Set(WIRE_CODE_TABLE.map((r) => r.wire));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }).filter((n) => !known.has(n)),
        (n) => {
          expect(fromWireCode(n)).toBe('internal');
        },
      ),
    );
  });

  it('R10: a handler’s RegistryError crosses the wire as the same code, message and reason', () => {
    for (const code of ERROR_CODES) {
      const wire = errorToWire(new RegistryError(code, 'メッセージ', 'some.reason'));
      const back = errorFromWire(fromWireCode(toWireCode(wire.code)), wire.message, wire.reason);
      expect(back).toBeInstanceOf(RegistryError);
      expect(back).toMatchObject({ code, message: 'メッセージ', reason: 'some.reason' });
    }
  });

  it('R10: a bug’s message never leaves the node: anything else is internal with a fixed text', () => {
    expect(
      errorToWire(new TypeError('Cannot read properties of undefined (SELECT * FROM …)')),
    ).toEqual({
      code: 'internal',
      message: 'internal error',
      reason: 'peer.internal',
    });
  });

  it('R10: protocol faults from the peer become their ProtocolError class, marked remote', () => {
    expect(errorFromWire('goaway', 'bye')).toBeInstanceOf(GoawayError);
    expect(errorFromWire('timeout', 'slow')).toBeInstanceOf(TimeoutError);
    expect(errorFromWire('closed', 'gone')).toBeInstanceOf(ConnectionClosedError);
    for (const code of PROTOCOL_FAULT_CODES) {
      const e = errorFromWire(code, 'x') as ProtocolError;
      expect(e).toBeInstanceOf(ProtocolError);
      expect(e).toMatchObject({ code, remote: true });
    }
  });

  it('R10: protocol faults read in domain terms: transient ones unavailable, malformed ones invalid', () => {
    expect(registryCodeOf('timeout')).toBe('unavailable');
    expect(registryCodeOf('goaway')).toBe('unavailable');
    expect(registryCodeOf('closed')).toBe('unavailable');
    expect(registryCodeOf('invalid-message')).toBe('invalid');
    expect(registryCodeOf('not-found')).toBe('not-found');
    const r = toRegistryError(new TimeoutError('no reply'));
    expect(r).toMatchObject({ code: 'unavailable', reason: 'request.timeout' });
    expect(r.cause).toBeInstanceOf(TimeoutError);
  });
});
