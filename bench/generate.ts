// Generator explorer latency (issue 6): in headless Chromium against web mode, the time
// from a latent slider's input event to the new pixels in the canvas, for one 64×64 RGB
// image of a run written the way the trainer writes it; also 28×28 grey (Fashion-MNIST
// size). The explorer times every frame itself (input event timeStamp → putImageData).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageSize } from '../src-main/engine/config.ts';
import { builtRendererDir } from '../src-main/api/paths.ts';
import { launchBrowser } from '../test/e2e/support/browser.ts';
import { startStudio } from '../test/e2e/support/studio-server.ts';
import { makeFixtureRun } from '../test/e2e/generate-fixture.ts';
import { measureLatency, type LatencyFigures } from '../test/e2e/generate-page.ts';
import type { BenchSection } from './section.ts';

async function measure(imageSize: ImageSize, channels: 1 | 3, samples: number): Promise<LatencyFigures> {
  const library = mkdtempSync(join(tmpdir(), 'cgan-bench-generate-'));
  await makeFixtureRun(library, imageSize, channels);
  const studio = await startStudio({ library });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
    await page.goto(studio.url);
    await page.click('[data-view="generate"]');
    // The latent directions are computed once per generator, in slices between frames:
    // wait for them so they do not share the CPU with the measured frames.
    await page.locator('[data-testid="direction-sliders"]').waitFor({ timeout: 300_000 });
    await measureLatency(page, 10); // warm-up: first-use allocations, JIT
    return await measureLatency(page, samples);
  } finally {
    await browser.close();
    await studio.stop();
    rmSync(library, { recursive: true, force: true });
  }
}

export const generateSection: BenchSection = {
  name: 'generate',
  description:
    'Generator explorer in Chromium: slider input → pixels for one 64×64 RGB image (target ≤ 16 ms) and one 28×28 grey',
  async run(options) {
    if (!existsSync(join(builtRendererDir(), 'index.html'))) {
      console.log('skipped: the renderer is not built (npx electron-vite build)');
      return;
    }
    const samples = options.quick ? 30 : 120;
    const results: Array<{ shape: string } & LatencyFigures> = [];
    for (const [size, channels] of [
      [64, 3],
      [28, 1],
    ] as const) {
      const figures = await measure(size, channels, samples);
      results.push({ shape: `${size}x${size}x${channels}`, ...figures });
      if (!options.json) {
        console.log(
          `${`${size}×${size}×${channels}`.padEnd(10)} ${figures.backend.padEnd(5)} ${figures.samples} inputs · ` +
            `input→pixels median ${figures.medianMs.toFixed(1)} ms, p95 ${figures.p95Ms.toFixed(1)} ms · ` +
            `generation+draw median ${figures.computeMedianMs.toFixed(1)} ms`,
        );
      }
    }
    if (options.json) console.log(JSON.stringify({ section: 'generate', results }));
  },
};
