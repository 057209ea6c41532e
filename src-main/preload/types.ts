// What the preload puts on `window.studio`: the whole surface the page gets in Electron.
import type { Result } from '../api/envelope.ts';
import type { EventName, EventPayload, RequestInput, RequestName, RequestOutput } from '../api/contract/index.ts';

export type StudioEventListener = <E extends EventName>(name: E, payload: EventPayload<E>) => void;

export interface StudioBridge {
  readonly transport: 'electron';
  request<N extends RequestName>(name: N, input: RequestInput<N>): Promise<Result<RequestOutput<N>>>;
  /** Returns the unsubscribe function. */
  subscribe(listener: StudioEventListener): () => void;
  /** The absolute path of a dropped file (Electron ≥ 32 no longer exposes File.path). */
  pathForFile(file: File): string;
}

export const REQUEST_CHANNEL = 'studio:request';
export const EVENT_CHANNEL = 'studio:event';
