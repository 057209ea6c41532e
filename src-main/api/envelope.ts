// The envelope every request resolves to, on every transport. Handlers never
// let a raw exception cross the boundary: the registry turns it into one of these.

export const ERROR_CODES = [
  'invalid-input', // the input failed the contract's schema
  'unknown-request', // no such request name
  'invalid-message', // a transport message that is not a request at all
  'not-found', // a dataset, run, image, label... that does not exist
  'conflict', // the action clashes with the current state (name taken, run already training)
  'unsupported', // a file format, backend or option this build cannot handle
  'io', // reading or writing a file failed
  'cancelled',
  'unavailable', // the service is not ready (no library open, trainer gone)
  'internal', // a bug: the message says what was being done
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ApiError {
  code: ErrorCode;
  message: string;
  /** e.g. the zod issues of an invalid input */
  details?: unknown;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** Throw this from a handler to answer with a specific code and a message meant for a person. */
export class StudioError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'StudioError';
    this.code = code;
    this.details = details;
  }
}

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail(code: ErrorCode, message: string, details?: unknown): Result<never> {
  return details === undefined
    ? { ok: false, error: { code, message } }
    : { ok: false, error: { code, message, details } };
}
