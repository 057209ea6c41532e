import { utilityProcess } from 'electron';
import { textTail, type TrainerLauncher } from '../api/runs/trainer-process.ts';
import { TrainerClient, utilityProcessTransport } from '../trainer/client.ts';

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
    return { client: new TrainerClient(utilityProcessTransport(child)), stderrTail: stderr.read };
  };
}
