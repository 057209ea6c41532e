import type {
  ReplyValues,
  TrainerEvent,
  TrainerMessage,
  TrainerRequest,
  TrainerRequestType,
} from '../../trainer/protocol.ts';
import { describeExit, type TrainerExit, type TrainerProcess } from './trainer-process.ts';

/** A trainer request failed: the trainer said no, it died, or it did not answer in time. */
export class TrainerRequestError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'TrainerRequestError';
  }
}

type Payload<T extends TrainerRequestType> = Omit<Extract<TrainerRequest, { type: T }>, 'type' | 'id'>;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

const TIMEOUTS: Record<TrainerRequestType, number> = {
  // Starting may decode a whole dataset into the tensor cache first.
  start: 30 * 60_000,
  stop: 10 * 60_000,
  'checkpoint-now': 5 * 60_000,
  pause: 5 * 60_000,
  resume: 60_000,
  'set-sample-interval': 60_000,
};

/**
 * The host side of the trainer protocol (src-main/trainer/protocol.ts). Every request
 * resolves exactly once: with the trainer's reply, or rejected when the process exits
 * or the request times out.
 */
export class TrainerClient {
  readonly #process: TrainerProcess;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #exit: TrainerExit | null = null;
  #exitReason = '';

  constructor(process: TrainerProcess, onEvent: (event: TrainerEvent) => void, onExit: (exit: TrainerExit, reason: string) => void) {
    this.#process = process;
    process.onMessage((raw) => {
      const message = raw as TrainerMessage;
      if (message.type === 'reply') {
        const pending = this.#pending.get(message.id);
        if (!pending) return;
        this.#pending.delete(message.id);
        clearTimeout(pending.timer);
        if (message.ok) pending.resolve(message.value);
        else pending.reject(new TrainerRequestError(message.error.message, message.error.code));
      } else {
        onEvent(message);
      }
    });
    process.onExit((exit) => {
      this.#exit = exit;
      this.#exitReason = describeExit(exit, process.stderrTail());
      for (const [id, pending] of this.#pending) {
        clearTimeout(pending.timer);
        pending.reject(new TrainerRequestError(this.#exitReason, 'exited'));
        this.#pending.delete(id);
      }
      onExit(exit, this.#exitReason);
    });
  }

  get pid(): number | undefined {
    return this.#process.pid;
  }

  get exited(): boolean {
    return this.#exit !== null;
  }

  request<T extends TrainerRequestType>(type: T, payload: Payload<T>): Promise<ReplyValues[T]> {
    if (this.#exit) return Promise.reject(new TrainerRequestError(this.#exitReason, 'exited'));
    const id = this.#nextId++;
    return new Promise<ReplyValues[T]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new TrainerRequestError(`The trainer did not answer "${type}" within ${TIMEOUTS[type] / 1000} s.`, 'timeout'));
      }, TIMEOUTS[type]);
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.#process.send({ type, id, ...payload });
    });
  }

  kill(signal?: NodeJS.Signals): void {
    this.#process.kill(signal);
  }

  /** Resolves when the process has exited (at once if it already has). */
  exitedPromise(): Promise<void> {
    if (this.#exit) return Promise.resolve();
    return new Promise((resolve) => this.#process.onExit(() => resolve()));
  }
}
