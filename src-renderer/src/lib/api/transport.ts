// The two ways the renderer reaches the studio. Everything above this file sees only
// the `Transport` interface, so the same views run in Electron and in a browser.
import type { Result } from '../../../../src-main/api/envelope.ts';
import type { StudioBridge } from '../../../../src-main/preload/types.ts';
import { FILES_PREFIX, SOCKET_PATH, UPLOAD_PREFIX, type ServerMessage } from '../../../../src-main/api/wire.ts';

export type RawEventListener = (name: string, payload: unknown) => void;

export interface Transport {
  readonly kind: 'electron' | 'web';
  request(name: string, input: unknown): Promise<Result<unknown>>;
  subscribe(listener: RawEventListener): () => void;
  /** URL of `/files/<path>` (library images, thumbnails, run artefacts). */
  fileUrl(path: string): string;
  /** Electron: the dropped file's path on disk. Web: null (its bytes get uploaded). */
  pathForFile(file: File): string | null;
  /** Web: sends one dropped file's bytes to the server's upload folder for `session`. */
  upload(session: string, relativePath: string, file: Blob): Promise<void>;
  /** Connection state changes (web: socket closed / reopened). */
  onStatus(listener: (connected: boolean) => void): () => void;
}

declare global {
  interface Window {
    studio?: StudioBridge;
  }
}

function electronTransport(bridge: StudioBridge): Transport {
  return {
    kind: 'electron',
    request: (name, input) => bridge.request(name as never, input as never) as Promise<Result<unknown>>,
    subscribe: (listener) => bridge.subscribe((name, payload) => listener(name, payload)),
    fileUrl: (path) => `studio://app${FILES_PREFIX}${path}`,
    pathForFile: (file) => bridge.pathForFile(file) || null,
    upload: () => Promise.reject(new Error('Uploads are for web mode; Electron reads dropped paths directly.')),
    onStatus: (listener) => {
      listener(true);
      return () => {};
    },
  };
}

interface Pending {
  resolve: (result: Result<unknown>) => void;
}

/** A WebSocket that reconnects, queues requests while down and fails them if it drops mid-way. */
function webTransport(): Transport {
  const listeners = new Set<RawEventListener>();
  const statusListeners = new Set<(connected: boolean) => void>();
  const pending = new Map<number, Pending>();
  const queue: string[] = [];
  let nextId = 1;
  let socket: WebSocket | null = null;
  let connected = false;
  let retryMs = 250;

  const setConnected = (value: boolean) => {
    connected = value;
    for (const listener of statusListeners) listener(value);
  };

  const connect = () => {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}${SOCKET_PATH}`);
    socket = ws;
    ws.onopen = () => {
      retryMs = 250;
      setConnected(true);
      for (const message of queue.splice(0)) ws.send(message);
    };
    ws.onmessage = (event: MessageEvent<string>) => {
      const message = JSON.parse(event.data) as ServerMessage;
      if (message.type === 'response' && message.id !== null) {
        pending.get(message.id)?.resolve(message.result);
        pending.delete(message.id);
      } else if (message.type === 'event') {
        for (const listener of listeners) listener(message.name, message.payload);
      }
    };
    ws.onclose = () => {
      socket = null;
      setConnected(false);
      // Requests in flight will never be answered by this socket: answer them now.
      for (const [id, entry] of pending) {
        entry.resolve({ ok: false, error: { code: 'unavailable', message: 'Lost the connection to the studio server.' } });
        pending.delete(id);
      }
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  };
  connect();

  return {
    kind: 'web',
    request(name, input) {
      const id = nextId++;
      const message = JSON.stringify({ type: 'request', id, name, input: input ?? {} });
      return new Promise((resolve) => {
        pending.set(id, { resolve });
        if (connected && socket) socket.send(message);
        else queue.push(message);
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    fileUrl: (path) => `${FILES_PREFIX}${path}`,
    pathForFile: () => null,
    async upload(session, relativePath, file) {
      const path = relativePath.split('/').map(encodeURIComponent).join('/');
      const response = await fetch(`${UPLOAD_PREFIX}${session}/${path}`, { method: 'PUT', body: file });
      if (!response.ok) throw new Error(await response.text());
    },
    onStatus(listener) {
      statusListeners.add(listener);
      listener(connected);
      return () => statusListeners.delete(listener);
    },
  };
}

/** Picked once at start: Electron's preload bridge if present, else the local web server. */
export function pickTransport(): Transport {
  return window.studio ? electronTransport(window.studio) : webTransport();
}
