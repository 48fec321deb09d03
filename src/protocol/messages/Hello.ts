import { checkMaxFrameSize } from '../frame/frame.ts';
import { defineMessage } from './define-message.ts';
import type { NodeName } from './NodeName.ts';
import { NODE_NAME_RULE } from './NodeName.ts';

/**
 * The first request each side sends on a connection, and the reply to it (docs/PROTOCOL.md §6).
 * Each side announces the protocol versions it speaks, its node name (which must be the one its
 * certificate names), its capabilities, the largest frame body it accepts and the credit it
 * grants every stream towards it before any `stream-credit`.
 */
export type Hello = {
  readonly kind: 'hello';
  readonly minVersion: number;
  readonly maxVersion: number;
  readonly node: NodeName;
  /** Optional features and message kinds beyond the negotiated version, e.g. `route`. */
  readonly capabilities: readonly string[];
  readonly maxFrameSize: number;
  /** Initial credit (bytes) of every stream flowing towards the sender of this hello. */
  readonly initialCredit: number;
};

const CAPABILITY = { max: 64, pattern: /^[a-z0-9][a-z0-9.-]*$/, patternText: 'a-z 0-9 . -' };
export const MAX_CREDIT = 0x7fff_ffff;

export const Hello = defineMessage<Hello, 'hello'>({
  kind: 'hello',
  roles: ['request', 'reply'],
  reply: 'hello',
  effect: 'read',
  parse(r): Hello {
    const minVersion = r.integer('minVersion', { min: 1, max: 0xffff });
    const maxVersion = r.integer('maxVersion', { min: minVersion, max: 0xffff });
    const node = r.string('node', NODE_NAME_RULE);
    const capabilities = r.strings('capabilities', { ...CAPABILITY, maxItems: 64 });
    const maxFrameSize = r.integer('maxFrameSize');
    try {
      checkMaxFrameSize(maxFrameSize);
    } catch (e) {
      r.fail('maxFrameSize', (e as Error).message);
    }
    const initialCredit = r.integer('initialCredit', { min: 1, max: MAX_CREDIT });
    return {
      kind: 'hello',
      minVersion,
      maxVersion,
      node,
      capabilities,
      maxFrameSize,
      initialCredit,
    };
  },
});
