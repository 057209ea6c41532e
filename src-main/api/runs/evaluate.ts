import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../paths.ts';
import { StudioError } from '../envelope.ts';

/**
 * Runs the built-in evaluation (`cgan-studio eval --json`) in a child process: it trains
 * or loads the cached classifier and runs the generator, which is tensor work that must
 * not block this process (DESIGN §3). Resolves to the eval record it printed last.
 */
export function evaluateInChildProcess(runDir: string, checkpoint?: number): Promise<Record<string, unknown>> {
  const args = ['--import', 'tsx', join(packageRoot(), 'src-main/cli/main.ts'), 'eval', '--run', runDir, '--json'];
  if (checkpoint !== undefined) args.push('--checkpoint', String(checkpoint));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => reject(new StudioError('unavailable', `Could not start the evaluation: ${error.message}`)));
    child.on('exit', (code) => {
      const records = stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const result = records.reverse().find((r) => r.type === 'eval');
      if (code === 0 && result) resolve(result);
      else reject(new StudioError('unavailable', `The evaluation failed: ${stderr.trim().split('\n').at(-1) ?? `exit code ${code}`}`));
    });
  });
}
