// The trainer process (DESIGN §3): started with child_process.fork (CLI, web mode) or
// Electron's utilityProcess.fork, it hosts the engine and talks only through messages
// (./protocol.ts). If it dies, its host survives and the run resumes from a checkpoint.
import type {
  ErrorCode,
  ReplyValues,
  TrainerEvent,
  TrainerMessage,
  TrainerRequest,
  TrainerRequestType,
} from './protocol.ts';
import { initBackend } from '../engine/backend.ts';
import { evaluateRun } from './evaluate.ts';
import { TrainerFailure, TrainingSession } from './training-session.ts';

let backendPromise: ReturnType<typeof initBackend> | null = null;

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

// Electron's utilityProcess exposes process.parentPort; child_process.fork gives process.send.
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function post(message: TrainerMessage): void {
  if (parentPort) parentPort.postMessage(message);
  else if (process.send && process.connected) process.send(message);
}

const emit = (event: TrainerEvent): void => post(event);

function reply<T extends TrainerRequestType>(id: number, value: ReplyValues[T]): void {
  post({ type: 'reply', id, ok: true, value });
}

function fail(id: number, code: ErrorCode, message: string): void {
  post({ type: 'reply', id, ok: false, error: { code, message } });
}

type State =
  { kind: 'idle' } | { kind: 'preparing'; stopIds: number[] } | { kind: 'running'; session: TrainingSession };
let state: State = { kind: 'idle' };

function failureOf(error: unknown): TrainerFailure {
  return error instanceof TrainerFailure
    ? error
    : new TrainerFailure('internal', error instanceof Error ? (error.stack ?? error.message) : String(error));
}

async function start(id: number, request: Extract<TrainerRequest, { type: 'start' }>): Promise<void> {
  if (state.kind !== 'idle') {
    fail(id, 'busy', 'This trainer is already running a run: stop it first or start another trainer.');
    return;
  }
  const preparing: State = { kind: 'preparing', stopIds: [] };
  state = preparing;
  let session: TrainingSession;
  try {
    session = await TrainingSession.prepare(request.options, emit);
  } catch (error) {
    state = { kind: 'idle' };
    const failure = failureOf(error);
    fail(id, failure.code, failure.message);
    for (const stopId of preparing.stopIds) fail(stopId, 'not-running', 'The run did not start.');
    return;
  }
  state = { kind: 'running', session };
  reply<'start'>(id, session.started);
  // A stop that came in while preparing: stop right away (after one checkpoint).
  for (const stopId of preparing.stopIds) void session.stop().then((step) => reply<'stop'>(stopId, { step }));
  try {
    const { reason, seconds } = await session.run();
    emit({ type: 'done', steps: session.step, seconds, reason });
  } catch (error) {
    const failure = failureOf(error);
    emit({ type: 'error', code: failure.code, message: failure.message, step: session.step });
  } finally {
    session.dispose();
    state = { kind: 'idle' };
  }
}

async function evaluate(id: number, request: Extract<TrainerRequest, { type: 'evaluate' }>): Promise<void> {
  state = { kind: 'preparing', stopIds: [] };
  try {
    backendPromise ??= initBackend('auto');
    await backendPromise;
    const result = await evaluateRun(request.runDir, {
      checkpoint: request.checkpoint,
      raw: request.raw,
      perLabel: request.perLabel,
      onStatus: (message) => emit({ type: 'status', status: 'evaluating', message }),
    });
    reply<'evaluate'>(id, result);
  } catch (error) {
    const failure = failureOf(error);
    fail(id, failure.code === 'internal' ? 'run-folder' : failure.code, failure.message);
  } finally {
    state = { kind: 'idle' };
  }
}

function isRequest(message: unknown): message is TrainerRequest {
  return (
    typeof message === 'object' &&
    message !== null &&
    typeof (message as { type?: unknown }).type === 'string' &&
    typeof (message as { id?: unknown }).id === 'number'
  );
}

function handle(message: unknown): void {
  if (!isRequest(message)) return;
  const { id } = message;
  const running = state.kind === 'running' ? state.session : null;
  const notRunning = () =>
    fail(
      id,
      'not-running',
      state.kind === 'preparing' ? 'The run is still preparing.' : 'No run is training in this trainer.',
    );
  switch (message.type) {
    case 'start':
      void start(id, message);
      return;
    case 'stop':
      if (state.kind === 'preparing') state.stopIds.push(id);
      else if (running) void running.stop().then((step) => reply<'stop'>(id, { step }));
      else notRunning();
      return;
    case 'pause':
      if (running) void running.pause().then((step) => reply<'pause'>(id, { step }));
      else notRunning();
      return;
    case 'resume':
      if (running) reply<'resume'>(id, { step: running.resume() });
      else notRunning();
      return;
    case 'checkpoint-now':
      if (running) {
        running.checkpointNow().then(
          (value) => reply<'checkpoint-now'>(id, value),
          (error: unknown) => fail(id, failureOf(error).code, failureOf(error).message),
        );
      } else notRunning();
      return;
    case 'set-sample-interval':
      if (!Number.isInteger(message.steps) || message.steps < 1) {
        fail(
          id,
          'bad-request',
          `the sample interval must be a whole number of steps ≥ 1, not ${String(message.steps)}`,
        );
      } else if (running) {
        running.setSampleInterval(message.steps);
        reply<'set-sample-interval'>(id, { steps: message.steps });
      } else notRunning();
      return;
    case 'shutdown': {
      const finish = (step: number | null) => {
        reply<'shutdown'>(id, { step });
        // Let the reply leave before the process goes.
        setTimeout(() => process.exit(0), 50);
      };
      // While preparing there is nothing to save yet: exit right away.
      if (running) void running.stop().then(finish);
      else finish(null);
      return;
    }
    case 'evaluate':
      if (state.kind !== 'idle')
        fail(id, 'busy', 'This trainer is training: evaluate when the run is stopped, or in another trainer.');
      else void evaluate(id, message);
      return;
    default:
      fail(id, 'bad-request', `unknown request type "${(message as { type: string }).type}"`);
  }
}

if (parentPort) {
  parentPort.on('message', (event) => handle(event.data));
} else if (process.send) {
  process.on('message', handle);
  // The host is gone (closed the channel or died): stop cleanly, keeping a checkpoint.
  process.on('disconnect', () => {
    if (state.kind === 'running') void state.session.stop().then(() => process.exit(0));
    else process.exit(0);
  });
  // Ctrl-C in a terminal reaches the whole process group; the host decides what to do.
  process.on('SIGINT', () => undefined);
} else {
  process.stderr.write(
    'The trainer runs as a child process: start it with child_process.fork or utilityProcess.fork.\n',
  );
  process.exit(2);
}
