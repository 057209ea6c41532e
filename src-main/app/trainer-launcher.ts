import { utilityProcess } from 'electron';
import type { TrainerLauncher, TrainerProcess } from '../api/runs/trainer-process.ts';

const TAIL = 4000;

/**
 * Electron hosts the trainer in a utility process: a real OS process (a crash or OOM
 * there leaves the windows alive), started without the RunAsNode fuse that
 * child_process.fork would need.
 */
export function utilityTrainer(entry: string): TrainerLauncher {
  return (): TrainerProcess => {
    const child = utilityProcess.fork(entry, [], { stdio: 'pipe', serviceName: 'cGAN Studio trainer' });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      stderr = (stderr + chunk.toString()).slice(-TAIL);
    });
    child.stdout?.on('data', (chunk: Buffer) => process.stdout.write(chunk));
    let alive = true;
    return {
      get pid() {
        return child.pid;
      },
      send(message) {
        if (alive) child.postMessage(message);
      },
      onMessage(listener) {
        child.on('message', listener);
      },
      onExit(listener) {
        child.once('exit', (code) => {
          alive = false;
          // utilityProcess reports no signal; a crash shows as a non-zero code.
          listener({ code, signal: null });
        });
      },
      stderrTail: () => stderr,
      kill() {
        child.kill();
      },
    };
  };
}
