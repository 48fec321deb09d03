import { decode, encode } from '@msgpack/msgpack';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidMessageError, UnknownMessageKindError } from '../errors.ts';
import { sampleMessages } from '../protocol-fixtures.ts';
import { MessageCodec } from './codec.ts';
import type { MessageRole } from './define-message.ts';
import { MESSAGE_DEFINITIONS } from './registry.ts';

/**
 * The per-kind schema readers under arbitrary input (DESIGN §7, R10): whatever map arrives with a
 * known kind, decoding yields a message or a typed InvalidMessageError / UnknownMessageKindError,
 * never another exception (a TypeError from a reader that trusted a field's shape would escape
 * the session's error handling).
 */
const codec = new MessageCodec();

function survive(body: unknown, role: MessageRole): 'message' | 'refused' {
  let bytes: Uint8Array;
  try {
    bytes = encode(body);
  } catch {
    return 'refused'; // not encodable: not a body anyone can send
  }
  try {
    codec.decode(bytes, role);
    return 'message';
  } catch (e) {
    if (e instanceof InvalidMessageError || e instanceof UnknownMessageKindError) return 'refused';
    throw e;
  }
}

/** Any MessagePack value: scalars of every type, bytes, nested arrays and maps. */
const { value: anyValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.integer({ min: -1, max: 2 ** 40 }),
    fc.double(),
    fc.string({ maxLength: 40 }),
    fc.constantFrom('', 'cs:131016', '2024-01-01', '131016', 'a'.repeat(64), 'request', 'answer'),
    fc.uint8Array({ maxLength: 16 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 12 }), tie('value'), { maxKeys: 5 }),
  ),
}));

/** Field names the readers know, so random maps reach past the first missing field. */
function names(v: unknown): string[] {
  if (Array.isArray(v)) return v.flatMap((x) => names(x));
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return [];
  return Object.entries(v).flatMap(([k, x]) => [k, ...names(x)]);
}
const FIELD_NAMES = [...new Set(sampleMessages().flatMap((m) => names(m)))];
const fieldName = fc.oneof(fc.constantFrom(...FIELD_NAMES), fc.string({ maxLength: 12 }));

const kinds = MESSAGE_DEFINITIONS.map((d) => [d.kind, d.roles] as const);

describe('message readers under arbitrary input (R10: refused at the edge, never crashing)', () => {
  it.each(kinds)(
    'R10: %s: random maps are decoded or refused with a typed error',
    (kind, roles) => {
      fc.assert(
        fc.property(
          fc.dictionary(fieldName, anyValue, { maxKeys: 8 }),
          fc.constantFrom(...roles),
          (fields, role) => {
            survive({ ...fields, kind }, role);
          },
        ),
        { numRuns: 300 },
      );
    },
  );

  /** The wire form of each sample, as plain values (what the reader sees). */
  const wireSamples = sampleMessages().map((m) => ({
    kind: m.kind,
    role: MESSAGE_DEFINITIONS.find((d) => d.kind === m.kind)!.roles[0]!,
    wire: decode(codec.encode(m).slice()),
  }));

  type Mutation = {
    path: readonly number[];
    op: 'replace' | 'delete' | 'add';
    value: unknown;
    key: string;
  };

  /** Applies one mutation at the node the path indices walk to (each index modulo the fan-out). */
  function mutate(root: unknown, m: Mutation): unknown {
    const copy = structuredClone(root);
    let node: unknown = copy;
    for (const step of m.path) {
      const children = childrenOf(node);
      if (children.length === 0) break;
      const [, child] = children[step % children.length]!;
      if (childrenOf(child).length === 0) {
        const [k] = children[step % children.length]!;
        setChild(node, k, m);
        return copy;
      }
      node = child;
    }
    const children = childrenOf(node);
    if (m.op === 'add' && !Array.isArray(node) && node !== null && typeof node === 'object')
      (node as Record<string, unknown>)[m.key] = m.value;
    else if (children.length > 0) setChild(node, children[0]![0], m);
    return copy;
  }
  function childrenOf(node: unknown): [string | number, unknown][] {
    if (Array.isArray(node)) return node.map((v, i) => [i, v]);
    if (node === null || typeof node !== 'object' || node instanceof Uint8Array) return [];
    return Object.entries(node);
  }
  function setChild(node: unknown, k: string | number, m: Mutation): void {
    if (Array.isArray(node)) {
      if (m.op === 'delete') node.splice(Number(k), 1);
      else node[Number(k)] = m.value;
    } else {
      const o = node as Record<string, unknown>;
      if (m.op === 'delete') delete o[String(k)];
      else if (m.op === 'add') o[m.key] = m.value;
      else o[String(k)] = m.value;
    }
  }

  it.each(wireSamples.map((s) => [s.kind, s] as const))(
    'R10: %s: valid samples with fields replaced, removed or added are decoded or refused',
    (_kind, sample) => {
      expect(survive(sample.wire, sample.role)).toBe('message');
      fc.assert(
        fc.property(
          fc.array(
            fc.record({
              path: fc.array(fc.nat(), { maxLength: 6 }),
              op: fc.constantFrom('replace', 'delete', 'add'),
              value: anyValue,
              key: fieldName,
            }),
            { minLength: 1, maxLength: 3 },
          ),
          (mutations) => {
            let body = sample.wire;
            for (const m of mutations) body = mutate(body, m);
            // `kind` may have been mutated too: then it is another kind or none, still typed.
            survive(body, sample.role);
          },
        ),
        { numRuns: 300 },
      );
    },
  );
});
