import { z } from 'zod';
import { defineEvents, defineRequests } from './define.ts';

/** A web-mode upload session: names the folder under <library>/.uploads/. */
export const UPLOAD_SESSION = /^[A-Za-z0-9_-]{8,64}$/;
export const uploadSession = z.string().regex(UPLOAD_SESSION, 'an upload session id');

export const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export const backendName = z.enum(BACKENDS);
export type BackendName = z.infer<typeof backendName>;

export const appRequests = defineRequests({
  'app-info': {
    summary: 'What this studio is running on: version, transport, library folder and compute backends.',
    input: z.object({}).strict(),
    output: z.object({
      version: z.string(),
      transport: z.enum(['electron', 'web']),
      libraryPath: z.string(),
      /** Backends that can be loaded here, best first. */
      backends: z.array(backendName),
      /** The one `auto` would pick. */
      backend: backendName,
      platform: z.string(),
    }),
  },
  'upload-discard': {
    summary: 'Remove the files of a web-mode upload that will not be imported (cancelled or failed).',
    input: z.object({ session: uploadSession }).strict(),
    output: z.object({ removed: z.boolean() }),
  },
  'app-ping': {
    summary: 'Echo a value back: a liveness check for transports.',
    input: z.object({ value: z.string().max(1000) }).strict(),
    output: z.object({ value: z.string(), at: z.number() }),
  },
});

export const VIEWS = ['library', 'train', 'generate'] as const;
export type ViewName = (typeof VIEWS)[number];

export const appEvents = defineEvents({
  /** The native menu (or another window) asks the renderer to show a view. */
  'app-navigate': z.object({ view: z.enum(VIEWS) }),
  /** Something the person should see in a toast: an error from a background task, a finished export. */
  'app-notice': z.object({
    level: z.enum(['info', 'success', 'warning', 'error']),
    message: z.string(),
  }),
});
