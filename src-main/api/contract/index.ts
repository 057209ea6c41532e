// The one contract. Every request and event of every domain is listed here;
// the handler registry, the Electron IPC wiring, the preload, the web server and
// the renderer's client are all derived from these two tables.
import type { z } from 'zod';
import { appEvents, appRequests } from './app.ts';
import { libraryEvents, libraryRequests } from './library.ts';
import { runsEvents, runsRequests } from './runs.ts';
import { generatorEvents, generatorRequests } from './generator.ts';

export const requests = {
  ...appRequests,
  ...libraryRequests,
  ...runsRequests,
  ...generatorRequests,
};

export const events = {
  ...appEvents,
  ...libraryEvents,
  ...runsEvents,
  ...generatorEvents,
};

export type Requests = typeof requests;
export type Events = typeof events;
export type RequestName = keyof Requests & string;
export type EventName = keyof Events & string;

/** What a caller passes (defaults not yet applied). */
export type RequestInput<N extends RequestName> = z.input<Requests[N]['input']>;
/** What a handler receives (after parsing, defaults applied). */
export type ParsedInput<N extends RequestName> = z.output<Requests[N]['input']>;
export type RequestOutput<N extends RequestName> = z.output<Requests[N]['output']>;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export const requestNames = Object.keys(requests) as RequestName[];
export const eventNames = Object.keys(events) as EventName[];

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.hasOwn(requests, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}
