/**
 * One error vocabulary for the whole system (DESIGN §2 "Errors are one vocabulary").
 * The domain throws or returns these; the edges (CLI exit codes, wire codes) translate them
 * in one place each. Never throw transport-specific errors from the domain.
 */
export const ERROR_CODES = [
  'invalid',
  'not-found',
  'conflict',
  'forbidden',
  'too-many-matches',
  'suspended',
  'rate-limited',
  'unavailable',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** A stable, machine-readable reason, e.g. `resident-code.check-digit`. */
    readonly reason?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const isRegistryError = (e: unknown): e is RegistryError => e instanceof RegistryError;
