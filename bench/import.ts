// Import speed and memory: Fashion-MNIST's 60,000 training images written as PNG files
// in 10 class folders (cached under /tmp between runs), imported into a fresh library
// in a child process so its peak RSS is the importer's alone; then relabelling 10,000
// images in one action (and undoing it).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Curation } from '../src-main/library/curation.ts';
import { fashionMnistAvailable, writeFashionMnistImageFolder } from '../src-main/library/fashion-mnist.ts';
import { importPath } from '../src-main/library/import/importer.ts';
import { Library } from '../src-main/library/library.ts';
import type { BenchSection } from './section.ts';

const CACHE = join(tmpdir(), 'cgan-bench');
const CHILD_FLAG = 'CGAN_BENCH_IMPORT_CHILD';

interface ChildResult {
  images: number;
  seconds: number;
  imagesPerSecond: number;
  /** CPU time of the importing process: on a machine shared with other work, images/cpuSeconds shows what it could do alone. */
  cpuSeconds: number;
  peakRssMiB: number;
  relabel10kMs: number;
  undo10kMs: number;
  durable: boolean;
  blockingIo: boolean;
}

function pngFolder(perClass: number | undefined): string {
  const dir = join(CACHE, perClass === undefined ? 'fashion-mnist-train-png' : `fashion-mnist-train-png-${perClass}`);
  const marker = `${dir}.complete`;
  if (!existsSync(marker)) {
    rmSync(dir, { recursive: true, force: true });
    writeFashionMnistImageFolder(dir, 'train', { perClass });
    writeFileSync(marker, new Date().toISOString());
  }
  return dir;
}

async function child(folder: string, durable: boolean, blockingIo: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cgan-bench-library-'));
  try {
    const library = Library.open(dir, { durable });
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const summary = await importPath(library, folder, { dataset: 'bench', blockingIo });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const datasetId = summary.datasetId;
    const ids = library.images.ids(datasetId).slice(0, 10_000);
    const target = library.labels.list(datasetId)[0]!.id;
    const curation = new Curation(library);
    let t = performance.now();
    curation.assignLabel(datasetId, ids, target);
    const relabel10kMs = performance.now() - t;
    t = performance.now();
    curation.undo(datasetId);
    const undo10kMs = performance.now() - t;
    library.close();
    const result: ChildResult = {
      images: summary.imported,
      seconds,
      imagesPerSecond: summary.imported / seconds,
      cpuSeconds,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      relabel10kMs,
      undo10kMs,
      durable,
      blockingIo,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runChild(folder: string, durable: boolean, blockingIo: boolean): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
      env: { ...process.env, [CHILD_FLAG]: JSON.stringify({ folder, durable, blockingIo }) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code !== 0) return reject(new Error(`import bench child exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)!) as ChildResult);
    });
  });
}

export const importBench: BenchSection = {
  name: 'import',
  description: 'library import of Fashion-MNIST as PNG files (images/s, peak RSS) and relabelling 10,000 images',
  async run(options) {
    if (!fashionMnistAvailable()) {
      process.stderr.write('  skipped: Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)\n');
      return;
    }
    const folder = pngFolder(options.quick ? 600 : undefined);
    // The path the CLI and the studio take (file I/O through the libuv pool), then
    // blocking file I/O on the main thread, kept as an option: which one is faster
    // here depends on how busy the machine is (the pool gets more CPU when it is shared).
    for (const [durable, blockingIo, what] of [
      [true, false, 'CLI and studio: async I/O, durable'],
      [true, true, 'blocking I/O, durable'],
    ] as const) {
      const r = await runChild(folder, durable, blockingIo);
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ section: 'import', ...r })}\n`);
      } else {
        process.stderr.write(
          `  import ${r.images} PNGs (${what}): ${r.seconds.toFixed(1)} s, ` +
            `${Math.round(r.imagesPerSecond)} images/s, peak RSS ${Math.round(r.peakRssMiB)} MiB, ` +
            `CPU ${r.cpuSeconds.toFixed(1)} s (${Math.round(r.images / r.cpuSeconds)} images per CPU-second)\n` +
            `  relabel 10,000 images: ${r.relabel10kMs.toFixed(0)} ms, undo: ${r.undo10kMs.toFixed(0)} ms\n`,
        );
      }
    }
  },
};

const childArgs = process.env[CHILD_FLAG];
if (childArgs) {
  const { folder, durable, blockingIo } = JSON.parse(childArgs) as {
    folder: string;
    durable: boolean;
    blockingIo: boolean;
  };
  await child(folder, durable, blockingIo);
}
