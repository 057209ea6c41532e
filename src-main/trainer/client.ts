import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type {
  ErrorCode,
  ReplyValues,
  TrainerEvent,
  TrainerMessage,
  TrainerRequest,
  TrainerRequestType,
} from './protocol.ts';

// The host side of the trainer protocol. Every request resolves or rejects exactly once:
// with its reply, with TrainerExitedError when the process ends first, or with a
// timeout. Works over child_process.fork and, through TrainerTransport, Electron's
// utilityProcess.

export class TrainerRequestError extends Error {
  readonly code: ErrorCode | 'exited' | 'timeout';
  constructor(code: ErrorCode | 'exited' | 'timeout', message: string) {
    super(message);
    this.name = 'TrainerRequestError';
    this.code = code;
  }
}

export interface TrainerExit {
  code: number | null;
  signal: string | null;
}

/** What the client needs of a process; wrap utilityProcess in one of these in Electron. */
export interface TrainerTransport {
  readonly pid: number | undefined;
  send(message: TrainerRequest): void;
  onMessage(listener: (message: TrainerMessage) => void): void;
  onExit(listener: (exit: TrainerExit) => void): void;
  /** Closes the channel: the trainer stops cleanly (writing a checkpoint) and exits. */
  disconnect(): void;
  kill(signal?: NodeJS.Signals): void;
}

type RequestFields<T extends TrainerRequestType> = Omit<Extract<TrainerRequest, { type: T }>, 'type' | 'id'>;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout | null;
}

export class TrainerClient {
  private readonly transport: TrainerTransport;
  private readonly pending = new Map<number, Pending>();
  private readonly eventListeners = new Set<(event: TrainerEvent) => void>();
  private readonly exitListeners = new Set<(exit: TrainerExit) => void>();
  private nextId = 1;
  private exited: TrainerExit | null = null;
  private readonly exitPromise: Promise<TrainerExit>;

  constructor(transport: TrainerTransport) {
    this.transport = transport;
    let resolveExit: (exit: TrainerExit) => void = () => undefined;
    this.exitPromise = new Promise((resolve) => (resolveExit = resolve));
    transport.onMessage((message) => this.receive(message));
    transport.onExit((exit) => {
      this.exited = exit;
      const how = exit.signal ? `was killed (${exit.signal})` : `exited with code ${exit.code}`;
      for (const [id, pending] of this.pending) {
        this.pending.delete(id);
        if (pending.timer) clearTimeout(pending.timer);
        pending.reject(new TrainerRequestError('exited', `The trainer process ${how} before answering.`));
      }
      for (const listener of this.exitListeners) listener(exit);
      resolveExit(exit);
    });
  }

  get pid(): number | undefined {
    return this.transport.pid;
  }

  /** Sends a request; resolves with its reply's value. `timeoutMs` 0 waits as long as the process lives. */
  request<T extends TrainerRequestType>(type: T, fields: RequestFields<T>, timeoutMs = 0): Promise<ReplyValues[T]> {
    if (this.exited) return Promise.reject(new TrainerRequestError('exited', 'The trainer process has exited.'));
    const id = this.nextId++;
    return new Promise<ReplyValues[T]>((resolve, reject) => {
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              if (this.pending.delete(id))
                reject(
                  new TrainerRequestError('timeout', `The trainer did not answer "${type}" within ${timeoutMs} ms.`),
                );
            }, timeoutMs)
          : null;
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      try {
        this.transport.send({ type, id, ...fields } as TrainerRequest);
      } catch (error) {
        this.pending.delete(id);
        if (timer) clearTimeout(timer);
        reject(new TrainerRequestError('exited', `Could not reach the trainer: ${(error as Error).message}`));
      }
    });
  }

  private receive(message: TrainerMessage): void {
    if (message.type === 'reply') {
      const pending = this.pending.get(message.id);
      if (!pending) return; // timed out already: the reply is late, and ignored.
      this.pending.delete(message.id);
      if (pending.timer) clearTimeout(pending.timer);
      if (message.ok) pending.resolve(message.value);
      else pending.reject(new TrainerRequestError(message.error.code, message.error.message));
      return;
    }
    for (const listener of this.eventListeners) listener(message);
  }

  /** Returns the function that removes the listener. */
  onEvent(listener: (event: TrainerEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onExit(listener: (exit: TrainerExit) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /** Resolves when the process has exited. */
  exit(): Promise<TrainerExit> {
    return this.exitPromise;
  }

  /** Closes the channel and waits for the trainer to exit (it writes a checkpoint first if training). */
  async close(): Promise<TrainerExit> {
    if (!this.exited) this.transport.disconnect();
    return this.exitPromise;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!this.exited) this.transport.kill(signal);
  }
}

/** The trainer entry next to this file (source form; a bundled app passes its own path). */
export const DEFAULT_TRAINER_ENTRY = fileURLToPath(new URL('./entry.ts', import.meta.url));

function childTransport(child: ChildProcess): TrainerTransport {
  return {
    get pid() {
      return child.pid;
    },
    send: (message) => {
      // Sending on a closed channel would surface as an uncaught 'error' event instead.
      if (!child.connected) throw new Error('the channel to the trainer is closed');
      child.send(message);
    },
    onMessage: (listener) => child.on('message', (message) => listener(message as TrainerMessage)),
    onExit: (listener) => child.once('exit', (code, signal) => listener({ code, signal })),
    disconnect: () => {
      if (child.connected) child.disconnect();
    },
    kill: (signal) => child.kill(signal),
  };
}

/** What client.ts needs of Electron's UtilityProcess (structural, so this file does not import electron). */
export interface UtilityProcessLike {
  readonly pid: number | undefined;
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  once(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

/**
 * Electron: `new TrainerClient(utilityProcessTransport(utilityProcess.fork(entry, [], { serviceName: 'trainer' })))`.
 * A utility process has no channel to close: disconnect() asks the trainer to shut down
 * (final checkpoint first) and it exits by itself.
 */
export function utilityProcessTransport(child: UtilityProcessLike): TrainerTransport {
  return {
    get pid() {
      return child.pid;
    },
    send: (message) => child.postMessage(message),
    onMessage: (listener) => child.on('message', (message) => listener(message as TrainerMessage)),
    onExit: (listener) => child.once('exit', (code) => listener({ code, signal: null })),
    disconnect: () => child.postMessage({ type: 'shutdown', id: -1 }),
    kill: () => child.kill(),
  };
}

/** Forks the trainer with child_process (CLI, web mode, tests). A .ts entry runs through tsx. */
export function forkTrainer(
  options: {
    entry?: string;
    env?: NodeJS.ProcessEnv;
    stdio?: 'inherit' | 'pipe';
    /** Sees what the trainer writes to stderr (still echoed), e.g. to explain a crash. */
    onStderr?: (text: string) => void;
  } = {},
): TrainerClient {
  const entry = options.entry ?? DEFAULT_TRAINER_ENTRY;
  const execArgv = entry.endsWith('.ts')
    ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href]
    : [];
  const child = fork(entry, [], {
    execArgv,
    env: options.env ?? process.env,
    stdio:
      options.stdio === 'pipe'
        ? ['ignore', 'pipe', 'pipe', 'ipc']
        : ['ignore', 'inherit', options.onStderr ? 'pipe' : 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  const onStderr = options.onStderr;
  if (onStderr && options.stdio !== 'pipe') {
    child.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      onStderr(chunk.toString());
    });
  }
  return new TrainerClient(childTransport(child));
}
