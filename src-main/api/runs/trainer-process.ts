import { fork } from 'node:child_process';

// The trainer runs in its own process (DESIGN §3): a crash or OOM there must never take
// the studio down. Electron hosts it with utilityProcess (src-main/app/trainer-launcher.ts),
// web mode and the CLI with child_process.fork (here). Supervisors see only this interface.

export interface TrainerExit {
  code: number | null;
  signal: string | null;
}

export interface TrainerProcess {
  readonly pid: number | undefined;
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (exit: TrainerExit) => void): void;
  /** Everything the process wrote to stderr lately (for the "interrupted" reason). */
  stderrTail(): string;
  kill(signal?: NodeJS.Signals): void;
}

export type TrainerLauncher = () => TrainerProcess;

const TAIL = 4000;

/** Forks a trainer entry; `.ts` entries (running from a checkout) are loaded through tsx. */
export function forkTrainer(entry: string, options: { heapMb?: number } = {}): TrainerProcess {
  const execArgv = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  if (options.heapMb) execArgv.push(`--max-old-space-size=${options.heapMb}`);
  const child = fork(entry, [], { execArgv, stdio: ['ignore', 'inherit', 'pipe', 'ipc'], serialization: 'advanced' });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    stderr = (stderr + chunk.toString()).slice(-TAIL);
  });
  return {
    pid: child.pid,
    send(message) {
      if (child.connected) child.send(message as never);
    },
    onMessage(listener) {
      child.on('message', listener);
    },
    onExit(listener) {
      child.once('exit', (code, signal) => listener({ code, signal }));
    },
    stderrTail: () => stderr,
    kill(signal = 'SIGTERM') {
      child.kill(signal);
    },
  };
}

/** A reason a person can act on, from how the process ended. */
export function describeExit(exit: TrainerExit, stderr: string): string {
  if (/heap out of memory|Allocation failed|ENOMEM|Cannot allocate/i.test(stderr)) {
    return 'the trainer ran out of memory: lower the batch size or image size, then resume';
  }
  if (exit.signal === 'SIGKILL') return 'the trainer process was killed (SIGKILL): resume from the last checkpoint';
  if (exit.signal) return `the trainer process ended on signal ${exit.signal}`;
  const lastLine = stderr.trim().split('\n').at(-1);
  return `the trainer process exited with code ${exit.code}${lastLine ? `: ${lastLine}` : ''}`;
}
