import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { Rng } from '../../src-main/engine/rng.ts';

export const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'src-main', 'cli', 'main.ts');

export interface CliResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  lines: Array<Record<string, unknown> & { type: string }>;
}

/** Tiny models: a training step takes milliseconds, so the tests exercise the machinery, not the GPU. */
export const TINY = [
  '--set',
  'generatorWidth=8',
  '--set',
  'discriminatorWidth=8',
  '--set',
  'latentDim=16',
  '--set',
  'gridColumns=4',
  '--batch',
  '12',
];

export function startCli(
  args: string[],
  onLine?: (line: Record<string, unknown> & { type: string }, child: ChildProcess) => void,
): {
  child: ChildProcess;
  done: Promise<CliResult>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let pending = '';
  const lines: CliResult['lines'] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    pending += chunk.toString();
    let at: number;
    while ((at = pending.indexOf('\n')) >= 0) {
      const text = pending.slice(0, at);
      pending = pending.slice(at + 1);
      if (!text.trim().startsWith('{')) continue;
      const line = JSON.parse(text) as CliResult['lines'][number];
      lines.push(line);
      onLine?.(line, child);
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, lines })),
  );
  return { child, done };
}

export function cli(args: string[]): Promise<CliResult> {
  return startCli(args).done;
}

/** The last line of stderr that is ours (tfjs prints a banner). */
export function errorLine(result: CliResult): string {
  return result.stderr
    .split('\n')
    .filter((l) => l.startsWith('cgan-studio:'))
    .join('\n');
}

/** `count` 28×28 grey PNGs per label: discs, squares and horizontal stripes at random places. */
export async function writeShapes(dir: string, labels: string[], count: number, seed = 1): Promise<void> {
  const rng = new Rng(seed);
  for (const [labelIndex, label] of labels.entries()) {
    mkdirSync(join(dir, label), { recursive: true });
    for (let i = 0; i < count; i++) {
      const pixels = new Uint8Array(28 * 28);
      const cx = 8 + rng.int(12);
      const cy = 8 + rng.int(12);
      const r = 4 + rng.int(4);
      for (let y = 0; y < 28; y++) {
        for (let x = 0; x < 28; x++) {
          let on: boolean;
          if (labelIndex % 3 === 0) on = (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
          else if (labelIndex % 3 === 1) on = Math.abs(x - cx) <= r && Math.abs(y - cy) <= r;
          else on = Math.floor((y + cy) / 3) % 2 === 0;
          pixels[y * 28 + x] = on ? 200 + rng.int(55) : rng.int(30);
        }
      }
      await sharp(Buffer.from(pixels), { raw: { width: 28, height: 28, channels: 1 } })
        .png()
        .toFile(join(dir, label, `${i}.png`));
    }
  }
}
