import { z } from 'zod';
import { StudioError, fail, ok, type Result } from './envelope.ts';
import {
  isRequestName,
  requestNames,
  requests,
  type ParsedInput,
  type RequestName,
  type RequestOutput,
} from './contract/index.ts';

/** Who is calling: lets handlers tie uploads or subscriptions to one window or socket. */
export interface CallContext {
  transport: 'electron' | 'web' | 'cli' | 'test';
  /** A stable id of the window or socket the call came from. */
  clientId: string;
}

export type Handler<N extends RequestName> = (
  input: ParsedInput<N>,
  ctx: CallContext,
) => Promise<RequestOutput<N>> | RequestOutput<N>;

type AnyHandler = (input: unknown, ctx: CallContext) => unknown;

/**
 * Handlers by request name. A name may be registered once; dispatch validates the
 * input against the contract and always resolves to an envelope, never throws.
 */
export class HandlerRegistry {
  readonly #handlers = new Map<RequestName, AnyHandler>();

  register<N extends RequestName>(name: N, handler: Handler<N>): void {
    if (!isRequestName(name)) throw new Error(`"${String(name)}" is not a request of the contract`);
    if (this.#handlers.has(name)) throw new Error(`a handler for "${name}" is already registered`);
    this.#handlers.set(name, handler as AnyHandler);
  }

  has(name: RequestName): boolean {
    return this.#handlers.has(name);
  }

  /** Requests of the contract that nothing handles. Empty in a complete studio. */
  missing(): RequestName[] {
    return requestNames.filter((name) => !this.#handlers.has(name));
  }

  async dispatch(name: unknown, rawInput: unknown, ctx: CallContext): Promise<Result<unknown>> {
    if (!isRequestName(name)) {
      return fail('unknown-request', `There is no request named ${JSON.stringify(name)}.`);
    }
    const handler = this.#handlers.get(name);
    if (!handler) return fail('unavailable', `The request "${name}" is not available in this studio.`);
    const parsed = requests[name].input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      return fail(
        'invalid-input',
        `Invalid input for "${name}": ${z.prettifyError(parsed.error).replaceAll('\n', ' ')}`,
        parsed.error.issues,
      );
    }
    try {
      return ok(await handler(parsed.data, ctx));
    } catch (error) {
      return toFailure(name, error);
    }
  }
}

export function toFailure(name: string, error: unknown): Result<never> {
  if (error instanceof StudioError) return fail(error.code, error.message, error.details);
  const message = error instanceof Error ? error.message : String(error);
  return fail('internal', `"${name}" failed: ${message}`);
}
