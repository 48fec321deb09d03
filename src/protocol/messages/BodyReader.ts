import type { FieldProblem } from '../../domain/resident/identity-fields.ts';
import { InvalidMessageError } from '../errors.ts';

export type MessageBody = Readonly<Record<string, unknown>>;

type StringRule = {
  readonly min?: number;
  /** Length limit in UTF-16 code units (every string on the wire is bounded). */
  readonly max?: number;
  readonly pattern?: RegExp;
  /** What the pattern means, for the error message. */
  readonly patternText?: string;
  /** Refuse control characters (C0, DEL, C1) — a loop, cheaper than a Unicode regex. */
  readonly noControl?: boolean;
};

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

type IntegerRule = { readonly min?: number; readonly max?: number };

const NO_RULE = {};

export const isPlainObject = (v: unknown): v is MessageBody =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

/**
 * Reads the fields of a decoded body and refuses, with InvalidMessageError naming the field
 * (`event.values.residentCode`), anything of the wrong type, length or form. Hand-written, so
 * that one pass checks the shape and runs the domain's own field checks (check digits, dates,
 * kana, 団体コード) with their stable reasons; zod v4 was measured too (docs/PROTOCOL.md §11).
 * `null` and absent are the same for optional fields (MessagePack has no `undefined`).
 */
export class BodyReader {
  constructor(
    readonly kind: string,
    readonly body: MessageBody,
    readonly path = '',
  ) {}

  fail(field: string, problem: string, reason = 'message.invalid'): never {
    throw new InvalidMessageError(this.kind, this.path + field, problem, { reason });
  }

  /** A domain field check (`identity-fields.ts`): its problem becomes the error, with its reason. */
  check(field: string, problem: FieldProblem | undefined): void {
    if (problem) this.fail(field, `${problem.message} (${problem.reason})`, problem.reason);
  }

  has(field: string): boolean {
    const v = this.body[field];
    return v !== undefined && v !== null;
  }

  value(field: string): unknown {
    const v = this.body[field];
    if (v === undefined || v === null) this.fail(field, 'is missing', 'message.missing-field');
    return v;
  }

  /** `value` stands in for the field's value when the caller has it already (list items). */
  string(field: string, rule: StringRule = NO_RULE, value?: unknown): string {
    const v = value === undefined ? this.value(field) : value;
    if (typeof v !== 'string') return this.fail(field, 'must be a string');
    const min = rule.min ?? 1;
    const max = rule.max ?? 256;
    if (v.length < min) this.fail(field, min === 1 ? 'must not be empty' : `shorter than ${min}`);
    if (v.length > max) this.fail(field, `longer than ${max} characters`);
    if (rule.pattern && !rule.pattern.test(v))
      this.fail(field, `must be ${rule.patternText ?? String(rule.pattern)}`);
    if (rule.noControl && hasControl(v)) this.fail(field, 'must not contain control characters');
    return v;
  }

  optionalString(field: string, rule: StringRule = NO_RULE): string | undefined {
    return this.has(field) ? this.string(field, rule) : undefined;
  }

  integer(field: string, rule: IntegerRule = NO_RULE): number {
    const v = this.value(field);
    const min = rule.min ?? 0;
    const max = rule.max ?? Number.MAX_SAFE_INTEGER;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max)
      this.fail(field, `must be a whole number in [${min}, ${max}]`);
    return v;
  }

  boolean(field: string): boolean {
    const v = this.value(field);
    if (typeof v !== 'boolean') this.fail(field, 'must be true or false');
    return v;
  }

  optionalBoolean(field: string): boolean | undefined {
    return this.has(field) ? this.boolean(field) : undefined;
  }

  oneOf<T extends string>(field: string, values: readonly T[] | ReadonlySet<T>): T {
    const v = this.value(field);
    const known =
      typeof v === 'string' &&
      (values instanceof Set
        ? (values as ReadonlySet<string>).has(v)
        : (values as readonly string[]).includes(v));
    if (!known) this.fail(field, `must be one of ${[...values].join(', ')}`);
    return v as T;
  }

  strings(field: string, rule: StringRule & { readonly maxItems: number }): string[] {
    const v = this.value(field);
    if (!Array.isArray(v)) return this.fail(field, 'must be a list');
    if (v.length > rule.maxItems) this.fail(field, `has more than ${rule.maxItems} items`);
    return v.map((item: unknown, i) => this.string(`${field}[${i}]`, rule, item));
  }

  /** A list of maps, each read by its own BodyReader (`field[i].name` in errors). */
  objects(field: string, rule: { readonly maxItems: number }): BodyReader[] {
    const v = this.value(field);
    if (!Array.isArray(v)) return this.fail(field, 'must be a list');
    if (v.length > rule.maxItems) this.fail(field, `has more than ${rule.maxItems} items`);
    return v.map((item: unknown, i) => {
      if (!isPlainObject(item)) this.fail(`${field}[${i}]`, 'must be a map');
      return new BodyReader(this.kind, item, `${this.path}${field}[${i}].`);
    });
  }

  object(field: string): BodyReader {
    const v = this.value(field);
    if (!isPlainObject(v)) this.fail(field, 'must be a map');
    return new BodyReader(this.kind, v, `${this.path}${field}.`);
  }
}
