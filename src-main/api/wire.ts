// The messages that carry the contract over a WebSocket (web mode). Electron IPC
// carries the same request/response pair through ipcRenderer.invoke instead.
import { z } from 'zod';
import type { Result } from './envelope.ts';

export const clientMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('request'),
    id: z.number().int().nonnegative(),
    name: z.string().max(100),
    input: z.unknown(),
  }),
]);
export type ClientMessage = z.infer<typeof clientMessage>;

export type ServerMessage =
  | { type: 'response'; id: number | null; result: Result<unknown> }
  | { type: 'event'; name: string; payload: unknown }
  | { type: 'hello'; clientId: string };

/** Where the renderer reaches library images and run files: the same path on both transports. */
export const FILES_PREFIX = '/files/';
/** The web server's endpoint for the bytes of dropped files (web-mode drag-in). */
export const UPLOAD_PREFIX = '/upload/';
export const SOCKET_PATH = '/ws';
