import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../src-main/library/library.ts';
import { launchBrowser } from './support/browser.ts';
import { startStudio, type RunningStudio } from './support/studio-server.ts';
import { FIXTURE_LABELS, makeFixtureRun } from './generate-fixture.ts';
import { canvasPixels, frameCount, measureLatency, moveSlider, nextFrame } from './generate-page.ts';

// The generator explorer against web mode, on a run written the way the trainer writes
// it (64 px RGB, 3 labels, two checkpoints): what the person sees must be what they save.

const SHOTS = join(import.meta.dirname, '..', '..', 'test-results');

let studio: RunningStudio;
let browser: Browser;
let page: Page;
let library: string;
let scratch: string;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  library = mkdtempSync(join(tmpdir(), 'cgan-e2e-generate-'));
  scratch = mkdtempSync(join(tmpdir(), 'cgan-e2e-generate-out-'));
  await makeFixtureRun(library);
  studio = await startStudio({ library });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1360, height: 860 }, acceptDownloads: true });
  await page.goto(studio.url);
  await page.click('[data-view="generate"]');
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid="generated-image"]')?.getAttribute('data-frames')) > 0,
  );
});

afterAll(async () => {
  await browser?.close();
  await studio?.stop();
  rmSync(library, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

async function setSeed(seed: number): Promise<void> {
  const current = await page.inputValue('[data-testid="seed"]');
  const edited = await page.locator('text=Sliders moved away').count();
  if (current === String(seed) && edited === 0) return;
  if (current === String(seed)) {
    const frames = await frameCount(page);
    await page.keyboard.press('0');
    await nextFrame(page, frames);
    return;
  }
  const before = await frameCount(page);
  await page.fill('[data-testid="seed"]', String(seed));
  await page.press('[data-testid="seed"]', 'Enter');
  await nextFrame(page, before);
}

async function setLabel(name: string): Promise<void> {
  const selected = await page.getAttribute(`[data-testid="label-picker"] [data-label="${name}"]`, 'aria-selected');
  if (selected === 'true') return;
  const before = await frameCount(page);
  await page.click(`[data-testid="label-picker"] [data-label="${name}"]`);
  await nextFrame(page, before);
}

async function setMode(mode: string): Promise<void> {
  await page.click(`[role="tab"][data-mode="${mode}"]`);
}

/** The large image for a seed and label (sliders reset to the seed). */
async function imageFor(seed: number, label: string): Promise<number[]> {
  await setMode('single');
  await page.locator('[data-testid="generated-image"]').waitFor();
  await setSeed(seed);
  await setLabel(label);
  return canvasPixels(page, '[data-testid="generated-image"]');
}

function differing(a: number[], b: number[]): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

async function downloadOf(click: () => Promise<void>): Promise<{ path: string; name: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = join(scratch, download.suggestedFilename());
  await download.saveAs(path);
  return { path, name: download.suggestedFilename() };
}

describe('generator explorer', () => {
  it('opens the run, generates in the page on wasm and computes the latent directions', async () => {
    expect(await page.textContent('[data-testid="run-picker"] option:checked')).toContain('Shapes 64 px');
    expect(await page.textContent('[title="TensorFlow.js backend generating in this window"]')).toMatch(/wasm|webgl/);
    expect(await page.$eval('[data-testid="generated-image"]', (c) => (c as HTMLCanvasElement).width)).toBe(64);
    await page.locator('[data-testid="direction-sliders"]').waitFor({ timeout: 120_000 });
    expect(await page.locator('[data-testid="direction-sliders"] input[type=range]').count()).toBe(8);
    await page.screenshot({ path: join(SHOTS, 'generate-single.png') });
  });

  it('gives identical pixels for a fixed seed and label, every time', async () => {
    const first = await imageFor(1234, 'square');
    const other = await imageFor(99, 'circle');
    const again = await imageFor(1234, 'square');
    expect(differing(first, other)).toBeGreaterThan(1000);
    expect(again).toEqual(first);
    // A fresh window (new backend, new model load) draws the same bytes.
    await page.reload();
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="generated-image"]')?.getAttribute('data-frames')) > 0,
    );
    expect(await imageFor(1234, 'square')).toEqual(first);
  });

  it('changes the pixels when a latent or direction slider moves', async () => {
    const before = await imageFor(1234, 'square');
    await moveSlider(page, 'latent-3', 2.5);
    const moved = await canvasPixels(page, '[data-testid="generated-image"]');
    expect(differing(before, moved)).toBeGreaterThan(100);
    await page.locator('[data-testid="direction-0"]').waitFor({ timeout: 120_000 });
    await moveSlider(page, 'direction-0', -2);
    expect(differing(moved, await canvasPixels(page, '[data-testid="generated-image"]'))).toBeGreaterThan(100);
    // Reset goes back to the seed's own picture.
    const frames = await frameCount(page);
    await page.keyboard.press('0');
    await nextFrame(page, frames);
    expect(await canvasPixels(page, '[data-testid="generated-image"]')).toEqual(before);
  });

  it('answers the keyboard: arrows for the label, R for a new seed unless locked, 0 to reset', async () => {
    await imageFor(1234, 'circle');
    await page.click('[data-testid="generated-image"]');
    let frames = await frameCount(page);
    await page.keyboard.press('ArrowRight');
    await nextFrame(page, frames);
    expect(await page.getAttribute('[data-label="square"]', 'aria-selected')).toBe('true');
    await page.keyboard.press('l');
    await page.keyboard.press('r');
    expect(await page.inputValue('[data-testid="seed"]')).toBe('1234');
    await page.keyboard.press('l');
    frames = await frameCount(page);
    await page.keyboard.press('r');
    await nextFrame(page, frames);
    expect(await page.inputValue('[data-testid="seed"]')).not.toBe('1234');
  });

  it('truncation redraws the seed with every component within ±t', async () => {
    await imageFor(1234, 'circle');
    const values = () =>
      page.$$eval('[data-testid^="latent-"]', (inputs) => inputs.map((i) => Number((i as HTMLInputElement).value)));
    expect(Math.max(...(await values()).map(Math.abs))).toBeGreaterThan(0.5);
    await page.$eval('[data-testid="truncation"]', (input) => {
      (input as HTMLInputElement).value = '0.5';
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await page.waitForFunction(
      () => document.querySelector('[data-testid="truncation"] + output')?.textContent === '±0.5σ',
    );
    expect(Math.max(...(await values()).map(Math.abs))).toBeLessThanOrEqual(0.5);
    await page.$eval('[data-testid="truncation"]', (input) => {
      (input as HTMLInputElement).value = '3';
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await page.waitForFunction(
      () => document.querySelector('[data-testid="truncation"] + output')?.textContent === 'off',
    );
  });

  it('reports the input-to-pixels latency for one 64×64 RGB image', async () => {
    await imageFor(1234, 'square');
    const figures = await measureLatency(page, 60);
    console.log(
      `generate latency (${figures.backend}, ${figures.imageSize} px RGB, ${figures.samples} slider inputs): ` +
        `input→pixels median ${figures.medianMs.toFixed(1)} ms, p95 ${figures.p95Ms.toFixed(1)} ms; ` +
        `generation+draw median ${figures.computeMedianMs.toFixed(1)} ms`,
    );
    writeFileSync(join(SHOTS, 'generate-latency.json'), `${JSON.stringify(figures, null, 2)}\n`);
    expect(figures.samples).toBe(60);
    expect(Number.isFinite(figures.medianMs)).toBe(true);
  });

  it("keeps each column's z across the label × seed grid", async () => {
    await imageFor(500, 'circle');
    await setMode('grid');
    const grid = page.locator('[data-testid="label-seed-grid"]');
    await grid.waitFor();
    await page.waitForFunction(
      () => (document.querySelector('canvas[data-row="2"][data-col="7"]') as HTMLCanvasElement)?.width > 1,
    );
    await page.screenshot({ path: join(SHOTS, 'generate-grid.png') });
    const cells: Record<string, number[]> = {};
    for (const [r, c] of [
      [0, 0],
      [1, 0],
      [2, 3],
      [0, 3],
      [1, 5],
    ]) {
      cells[`${r},${c}`] = await canvasPixels(page, `canvas[data-row="${r}"][data-col="${c}"]`);
    }
    const seeds = await grid
      .locator('canvas[data-row="0"]')
      .evaluateAll((all) => all.map((c) => Number(c.getAttribute('data-seed'))));
    expect(seeds).toEqual([500, 501, 502, 503, 504, 505, 506, 507]);
    for (const [key, pixels] of Object.entries(cells)) {
      const [r, c] = key.split(',').map(Number);
      expect(await imageFor(seeds[c], FIXTURE_LABELS[r]), `grid cell ${key}`).toEqual(pixels);
    }
    expect(differing(cells['0,0'], cells['0,3'])).toBeGreaterThan(1000);
  });

  it('saves PNGs that reproduce the on-screen image, nearest at 4× and at 1×', async () => {
    const screen = await imageFor(321, 'triangle');
    for (const factor of [1, 4]) {
      await page.click('[data-testid="open-save-png"]');
      await page.click(`[data-testid="save-png-dialog"] [data-factor="${factor}"]`);
      await page.click('[data-testid="save-png-dialog"] [data-scaling="nearest"]');
      const file = await downloadOf(() => page.click('[data-testid="save-png"]'));
      expect(file.name).toBe(`Shapes_64_px-triangle-seed321@${factor}x.png`.replace('Shapes_64_px', 'Shapes 64 px'));
      const { data, info } = await sharp(file.path).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([64 * factor, 64 * factor]);
      for (let y = 0; y < info.height; y++) {
        for (let x = 0; x < info.width; x++) {
          const s = (Math.floor(y / factor) * 64 + Math.floor(x / factor)) * 4;
          const d = (y * info.width + x) * 4;
          if (data[d] !== screen[s] || data[d + 1] !== screen[s + 1] || data[d + 2] !== screen[s + 2]) {
            throw new Error(`saved ${factor}× PNG differs from the screen at (${x}, ${y})`);
          }
        }
      }
    }
  });

  it('writes N images per label to a folder and adds pictures to a dataset as synthetic', async () => {
    const screen = await imageFor(700, 'square');
    const folder = join(scratch, 'batch');
    await page.click('[data-testid="open-batch"]');
    await page.fill('[data-testid="batch-count"]', '2');
    await page.fill('[data-testid="batch-folder"]', folder);
    await page.click('[data-testid="run-batch"]');
    await page.locator('[data-testid="batch-dialog"]').waitFor({ state: 'detached' });
    for (const label of FIXTURE_LABELS)
      expect(readdirSync(join(folder, label)).sort()).toEqual(['seed-700.png', 'seed-701.png']);
    const manifest = readFileSync(join(folder, 'manifest.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(manifest).toHaveLength(6);
    expect(manifest[0]).toMatchObject({ label: 'circle', seed: 700, run: 'fixture-run' });
    const { data } = await sharp(join(folder, 'square', 'seed-700.png'))
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(Array.from(data)).toEqual(screen);

    await page.click('[data-testid="open-batch"]');
    await page.fill('[data-testid="batch-count"]', '1');
    await page.click('[data-testid="batch-to-dataset"]');
    await page.fill('[data-testid="batch-dataset-name"]', 'shapes synthetic');
    await page.click('[data-testid="run-batch"]');
    await page.locator('[data-testid="batch-dialog"]').waitFor({ state: 'detached' });
    const lib = Library.open(library);
    try {
      const rows = lib.db
        .prepare(
          `SELECT i.source_path AS source, l.name AS label FROM images i JOIN datasets d ON d.id = i.dataset_id
           LEFT JOIN labels l ON l.id = i.label_id WHERE d.name = ? ORDER BY l.name`,
        )
        .all('shapes synthetic') as Array<{ source: string; label: string }>;
      expect(rows.map((r) => r.label)).toEqual(FIXTURE_LABELS);
      expect(rows[1].source).toBe('synthetic:run/fixture-run/generator/ema?label=square&seed=700');
    } finally {
      lib.close();
    }
  });

  it('interpolates between two seeds and two labels, and saves the animation as GIF and WebM', async () => {
    await imageFor(10, 'circle');
    await setMode('interpolate');
    await page.waitForFunction(
      () => (document.querySelector('[data-testid="interpolation-strip"]') as HTMLCanvasElement)?.width > 64,
    );
    const strip = await page.$eval('[data-testid="interpolation-strip"]', (c) => (c as HTMLCanvasElement).width);
    expect(strip).toBe(9 * 64 + 8 * 2);
    await page.screenshot({ path: join(SHOTS, 'generate-interpolate.png') });
    const gif = await downloadOf(() => page.click('[data-testid="save-gif"]'));
    expect(gif.name).toBe('circle-seed10-to-11.gif');
    const bytes = readFileSync(gif.path);
    expect(bytes.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    const meta = await sharp(gif.path, { animated: true }).metadata();
    expect(meta.pages).toBe(2 * 36 - 2);
    // The same loop as video, recorded from a canvas by MediaRecorder.
    const webm = await downloadOf(() => page.click('button:has-text("Save WebM")'));
    expect(webm.name).toBe('circle-seed10-to-11.webm');
    expect(readFileSync(webm.path).subarray(0, 4)).toEqual(Buffer.from([0x1a, 0x45, 0xdf, 0xa3]));
    await page.click('[role="radio"]:has-text("Two labels")');
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SHOTS, 'generate-interpolate-labels.png') });
  });

  it('compares two checkpoints with the same seed side by side', async () => {
    const exported = await imageFor(42, 'triangle');
    await setMode('compare');
    await page.selectOption('[data-testid="compare-picker"]', '100:ema');
    await page.waitForFunction(
      () => (document.querySelector('[data-testid="compare-right"]') as HTMLCanvasElement)?.width === 64,
    );
    await page.waitForTimeout(200);
    const left = await canvasPixels(page, '[data-testid="compare-left"]');
    const right = await canvasPixels(page, '[data-testid="compare-right"]');
    expect(left).toEqual(exported);
    expect(differing(left, right)).toBeGreaterThan(1000);
    await page.screenshot({ path: join(SHOTS, 'generate-compare.png') });
    // Step 200's EMA checkpoint is what the trainer exported: the same picture.
    await page.selectOption('[data-testid="compare-picker"]', '200:ema');
    await page.waitForFunction((expected) => {
      const c = document.querySelector('[data-testid="compare-right"]') as HTMLCanvasElement;
      const data = c.getContext('2d')!.getImageData(0, 0, 64, 64).data;
      return data.every((v, i) => v === expected[i]);
    }, exported);
  });

  it('exports a self-contained HTML page that draws the same image from file://', async () => {
    const screen = await imageFor(2024, 'circle');
    const file = await downloadOf(() => page.click('[data-testid="share-page"]'));
    expect(file.name).toBe('Shapes 64 px.html');
    const html = readFileSync(file.path, 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=/);
    const shared = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    try {
      await shared.goto(pathToFileURL(file.path).href);
      await shared.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
      expect(await canvasPixels(shared, '#image')).toEqual(screen);
      // Another seed and label typed in the page match the studio too.
      await shared.fill('#seed', '77');
      await shared.press('#seed', 'Enter');
      await shared.click('#labels button:has-text("triangle")');
      await shared.waitForTimeout(300);
      expect(await canvasPixels(shared, '#image')).toEqual(await imageFor(77, 'triangle'));
      await shared.screenshot({ path: join(SHOTS, 'generate-share-page.png') });
    } finally {
      await shared.close();
    }
  });

  it("shares any checkpoint's weights, raw or EMA, as they are on screen", async () => {
    await imageFor(5, 'square');
    await page.selectOption('[data-testid="checkpoint-picker"]', '100');
    await page.waitForSelector('[data-testid="generated-image"][data-weights="100:ema"]');
    await page.click('[role="radio"]:has-text("Raw")');
    await page.waitForSelector('[data-testid="generated-image"][data-weights="100:raw"]');
    const screen = await canvasPixels(page, '[data-testid="generated-image"]');
    const file = await downloadOf(() => page.click('[data-testid="share-page"]'));
    const shared = await browser.newPage();
    try {
      await shared.goto(pathToFileURL(file.path).href);
      await shared.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
      expect(await shared.textContent('#status')).toContain('step 100');
      expect(await canvasPixels(shared, '#image')).toEqual(screen);
    } finally {
      await shared.close();
    }
  });
});
