import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export interface RunningStudio {
  url: string;
  origin: string;
  port: number;
  token: string;
  library: string;
  process: ChildProcess;
  /** Everything the server printed on stderr, for failure messages. */
  stderr(): string;
  stop(): Promise<void>;
}

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

/** Starts `cgan-studio serve` as a real subprocess on a free port, with a fresh library. */
export async function startStudio(options: { library?: string; env?: Record<string, string> } = {}): Promise<RunningStudio> {
  const ownLibrary = options.library === undefined;
  const library = options.library ?? mkdtempSync(join(tmpdir(), 'cgan-e2e-lib-'));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src-main/cli/main.ts'), 'serve', '--json', '--port', '0', '--library', library],
    { cwd: ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  const listening = await new Promise<{ url: string; port: number }>((resolveLine, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in 60 s:\n${stderr}`)), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${stderr}`));
    });
    lines.on('line', (line) => {
      const message = JSON.parse(line) as { type: string; url: string; port: number };
      if (message.type === 'listening') {
        clearTimeout(timer);
        resolveLine(message);
      }
    });
  });
  const url = new URL(listening.url);
  return {
    url: listening.url,
    origin: url.origin,
    port: listening.port,
    token: url.searchParams.get('token') ?? '',
    library,
    process: child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        await exited;
      }
      if (ownLibrary) rmSync(library, { recursive: true, force: true });
    },
  };
}
