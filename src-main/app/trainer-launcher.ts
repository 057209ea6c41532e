import { utilityProcess } from 'electron';
import { textTail, type TrainerLauncher } from '../api/runs/trainer-process.ts';
import { TrainerClient, type TrainerTransport } from '../trainer/client.ts';
import type { TrainerMessage } from '../trainer/protocol.ts';

/**
 * Electron hosts the trainer in a utility process: a real OS process (a crash or OOM
 * there leaves the windows alive), started without the RunAsNode fuse that
 * child_process.fork would need.
 */
export function utilityTrainer(entry: string): TrainerLauncher {
  return () => {
    const child = utilityProcess.fork(entry, [], { stdio: 'pipe', serviceName: 'cGAN Studio trainer' });
    const stderr = textTail();
    child.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      stderr.add(chunk.toString());
    });
    child.stdout?.on('data', (chunk: Buffer) => process.stdout.write(chunk));
    let alive = true;
    const transport: TrainerTransport = {
      get pid() {
        return child.pid;
      },
      send: (message) => {
        if (alive) child.postMessage(message);
      },
      onMessage: (listener) => child.on('message', (message: unknown) => listener(message as TrainerMessage)),
      // utilityProcess reports no signal; a crash shows as a non-zero code.
      onExit: (listener) =>
        child.once('exit', (code: number) => {
          alive = false;
          listener({ code, signal: null });
        }),
      // A utility process has no IPC channel to close: ask it to stop, as the CLI's Ctrl-C does.
      disconnect: () => {
        if (alive) child.postMessage({ type: 'stop', id: 0 });
      },
      kill: () => {
        child.kill();
      },
    };
    return { client: new TrainerClient(transport), stderrTail: stderr.read };
  };
}
