import { encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { InvalidMessageError } from '../errors.ts';
import {
  AUDIT_ANCHOR_MAX_SEALS,
  type AuditAnchorAck,
  type AuditSealAnchor,
} from './AuditSealAnchor.ts';
import { MessageCodec } from './codec.ts';
import type { MessageRole } from './define-message.ts';
import { replyKindOf } from './registry.ts';

const codec = new MessageCodec();

const seal = (seq = 1) => ({
  seq,
  uptoSeq: seq * 1000,
  at: '2026-11-24T05:06:07.089Z',
  node: 'cs:131016',
  hash: 'ab'.repeat(32),
  certFingerprint: 'cd'.repeat(32),
  signature: 'MEUCIQDx'.repeat(8),
});

function invalid(body: unknown, role: MessageRole = 'request'): InvalidMessageError {
  try {
    codec.decode(encode(body), role);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidMessageError);
    return e as InvalidMessageError;
  }
  throw new Error('the body was accepted');
}

describe('audit-seal-anchor / audit-anchor-ack (R23)', () => {
  it('R23: a seal anchor and its ack survive the codec unchanged', () => {
    const request: AuditSealAnchor = { kind: 'audit-seal-anchor', seals: [seal(1), seal(2)] };
    expect(codec.decode(codec.encode(request), 'request')).toEqual(request);
    const ack: AuditAnchorAck = {
      kind: 'audit-anchor-ack',
      anchored: 1,
      duplicates: 1,
      uptoSeal: 2,
    };
    expect(codec.decode(codec.encode(ack), 'reply')).toEqual(ack);
    expect(replyKindOf('audit-seal-anchor')).toBe('audit-anchor-ack');
  });

  it.each([
    ['seq', 0],
    ['uptoSeq', -1],
    ['at', '2026-11-24T05:06:07Z'],
    ['node', 'not a node'],
    ['hash', 'AB'.repeat(32)],
    ['certFingerprint', 'cd'],
    ['signature', 'not base64!'],
  ])('R23: a seal with a bad %s is refused, naming the field', (field, value) => {
    const e = invalid({ kind: 'audit-seal-anchor', seals: [{ ...seal(), [field]: value }] });
    expect(e).toMatchObject({ messageKind: 'audit-seal-anchor' });
    expect(e.field).toContain(field);
  });

  it('R23: no seal, too many seals, or an ack as a request are refused', () => {
    expect(invalid({ kind: 'audit-seal-anchor', seals: [] }).field).toBe('seals');
    const many = Array.from({ length: AUDIT_ANCHOR_MAX_SEALS + 1 }, (_, i) => seal(i + 1));
    expect(invalid({ kind: 'audit-seal-anchor', seals: many }).field).toBe('seals');
    invalid({ kind: 'audit-anchor-ack', anchored: 0, duplicates: 0, uptoSeal: 0 }, 'request');
  });
});
