import { forkTrainer, type TrainerClient, type TrainerExit } from '../../trainer/client.ts';

// The trainer runs in its own process (DESIGN §3): a crash or OOM there must never take
// the studio down. Electron hosts it with utilityProcess (src-main/app/trainer-launcher.ts),
// web mode and the CLI with child_process.fork (here). Both speak src-main/trainer/protocol.ts
// through the trainer's own TrainerClient.

export interface HostedTrainer {
  client: TrainerClient;
  /** The end of what the process wrote to stderr, to explain how it died. */
  stderrTail(): string;
}

export type TrainerLauncher = () => HostedTrainer;

const TAIL = 4000;

/** Keeps the last few kilobytes of a stream of text. */
export function textTail(): { add(text: string): void; read(): string } {
  let tail = '';
  return {
    add: (text) => {
      tail = (tail + text).slice(-TAIL);
    },
    read: () => tail,
  };
}

/** child_process.fork of the trainer entry (a `.ts` entry from a checkout runs through tsx). */
export function forkedTrainer(entry?: string): TrainerLauncher {
  return () => {
    const stderr = textTail();
    const client = forkTrainer({ entry, onStderr: stderr.add });
    return { client, stderrTail: stderr.read };
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
