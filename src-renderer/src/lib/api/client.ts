import type { ApiError, Result } from '../../../../src-main/api/envelope.ts';
import type {
  EventName,
  EventPayload,
  RequestInput,
  RequestName,
  RequestOutput,
} from '../../../../src-main/api/contract/index.ts';
import { pickTransport, type Transport } from './transport.ts';

export class ApiCallError extends Error {
  readonly code: ApiError['code'];
  constructor(readonly error: ApiError) {
    super(error.message);
    this.name = 'ApiCallError';
    this.code = error.code;
  }
}

/** The typed face of the contract for views: names, inputs and outputs all checked by TypeScript. */
export class StudioClient {
  constructor(readonly transport: Transport) {}

  /** Resolves to the envelope: for callers that show errors inline. */
  request<N extends RequestName>(name: N, input: RequestInput<N>): Promise<Result<RequestOutput<N>>> {
    return this.transport.request(name, input) as Promise<Result<RequestOutput<N>>>;
  }

  /** Resolves to the value or rejects with an ApiCallError. */
  async call<N extends RequestName>(name: N, input: RequestInput<N>): Promise<RequestOutput<N>> {
    const result = await this.request(name, input);
    if (!result.ok) throw new ApiCallError(result.error);
    return result.value;
  }

  /** Returns the unsubscribe function: call it from the `$effect` cleanup. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    return this.transport.subscribe((name, payload) => {
      if (name === event) listener(payload as EventPayload<E>);
    });
  }

  fileUrl(path: string): string {
    return this.transport.fileUrl(path);
  }
}

export const studio = new StudioClient(pickTransport());
