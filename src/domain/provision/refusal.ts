import { RegistryError, type ErrorCode } from '../errors.ts';

/**
 * A refusal of provision (R3, R5, R13, R14, R22): what is refused and why, with a stable reason
 * code that stores, wire messages and the refusal log keep. Returned as a value, not thrown, so
 * that a batch can give each row its own status and a node can record the refusal before it
 * answers. `message` is Japanese first with an English gloss and never repeats personal data.
 */
export type Refusal<R extends string = string> = {
  readonly ok: false;
  readonly code: ErrorCode;
  readonly reason: R;
  readonly message: string;
};

export const refuse = <R extends string>(
  code: ErrorCode,
  reason: R,
  message: string,
): Refusal<R> => ({
  ok: false,
  code,
  reason,
  message,
});

/** The refusal as the one error type of the system (for callers that throw). */
export const refusalError = (r: Refusal): RegistryError =>
  new RegistryError(r.code, r.message, r.reason);
