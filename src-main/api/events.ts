import type { EventName, EventPayload } from './contract/index.ts';

export type EventListener = <E extends EventName>(name: E, payload: EventPayload<E>) => void;

/** Pushed events fan out from here to every window and socket. */
export class EventBus {
  readonly #listeners = new Set<EventListener>();

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    for (const listener of this.#listeners) {
      try {
        listener(name, payload);
      } catch (error) {
        // One broken window must not stop the others from hearing about progress.
        console.error(`event listener for ${name} failed:`, error);
      }
    }
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
