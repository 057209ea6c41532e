// The Train view end to end in web mode: start a short run on the sample dataset from
// the form, watch progress and sample grids arrive, pause and resume, kill the trainer
// process from outside and resume the interrupted run from its checkpoint, while the
// Library keeps answering clicks; then the run history: duplicate, compare, rename, delete.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { launchBrowser } from './support/browser.ts';
import { startStudio, type RunningStudio } from './support/studio-server.ts';

const SHOTS = join(import.meta.dirname, '..', '..', 'test-results');
/** Small enough to train a few hundred steps in seconds on two shared cores. */
const TINY = { batch: 16, latent: 16, width: 8, progressEvery: 5, sampleEvery: 20, checkpointEvery: 20 };
const STEPS = 240;

let studio: RunningStudio;
/** The library outlives a studio restart, so the test removes it itself. */
let library: string;
let browser: Browser;
let page: Page;
let ws: WebSocket;

/** One request over the studio's own WebSocket (setting up data the test is not about). */
function call(name: string, input: unknown): Promise<unknown> {
  const id = Math.floor(Math.random() * 1e9);
  return new Promise((resolve, reject) => {
    const onMessage = (data: Buffer) => {
      const message = JSON.parse(data.toString()) as {
        type: string;
        id?: number;
        result?: { ok: boolean; value?: unknown };
      };
      if (message.type !== 'response' || message.id !== id) return;
      ws.off('message', onMessage);
      if (message.result?.ok) resolve(message.result.value);
      else reject(new Error(JSON.stringify(message.result)));
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ type: 'request', id, name, input }));
  });
}

function nextEvent(name: string): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { type: string; name?: string; payload?: Record<string, unknown> };
      if (message.type === 'event' && message.name === name) {
        ws.off('message', onMessage);
        resolve(message.payload ?? {});
      }
    };
    ws.on('message', onMessage);
  });
}

function connect(): Promise<WebSocket> {
  return new Promise<WebSocket>((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${studio.port}/ws?token=${studio.token}`);
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  library = mkdtempSync(join(tmpdir(), 'cgan-e2e-train-'));
  studio = await startStudio({ library });
  ws = await connect();
  // The sample dataset, imported through the library contract.
  const done = nextEvent('import-done');
  await call('dataset-import', { source: { type: 'sample' } });
  expect(await done).toMatchObject({ type: 'done' });

  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (error) => console.error('page error:', error));
  await page.goto(studio.url);
  await page.getByRole('navigation', { name: 'Studio sections' }).waitFor();
});

afterAll(async () => {
  ws?.close();
  await browser?.close();
  await studio?.stop();
  if (library) rmSync(library, { recursive: true, force: true });
});

const detail = () => page.getByTestId('run-detail');
const runStatus = () => detail().getAttribute('data-status');
const shownStep = async () =>
  Number(((await page.getByTestId('progress-step').textContent()) ?? '').split('/')[0].replace(/[^\d]/g, ''));

/** The trainer: the studio server's child process running the trainer entry (tsx also runs esbuild). */
function trainerPids(): number[] {
  const children = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(studio.process.pid)], { encoding: 'utf8' });
  return children
    .split('\n')
    .filter((line) => /trainer/.test(line))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function fill(testid: string, value: number): Promise<void> {
  await page.getByTestId(testid).fill(String(value));
}

/** Clicks through the Library: a label filter, then all images; each click must be answered. */
async function clickAroundLibrary(): Promise<void> {
  await page.click('[data-view="library"]');
  const total = () => page.getByTestId('image-grid').getAttribute('data-total').then(Number);
  await page.locator('[data-label="Trouser"] .label-button').click();
  await expect.poll(total).toBe(300);
  await page.getByTestId('view-all').click();
  await expect.poll(total).toBe(3000);
  await page.locator('.cell img').first().waitFor();
}

describe('Train', () => {
  it('starts a run from the form filled from the data, with an advanced section', async () => {
    await page.click('[data-view="train"]');
    await page.getByRole('heading', { name: 'No training runs yet' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'train-empty.png') });

    await page.getByTestId('new-run').click();
    await page.getByTestId('plan-facts').waitFor();
    // The defaults come from the data: 28 px greyscale Fashion-MNIST, 3,000 images.
    expect(await page.getByTestId('image-size').inputValue()).toBe('28');
    expect(await page.getByTestId('plan-facts').textContent()).toContain('3,000');
    await page.screenshot({ path: join(SHOTS, 'train-form.png') });

    await fill('batch-size', TINY.batch);
    await page.getByTestId('length-unit').selectOption('steps');
    await fill('steps', STEPS);
    await page.getByTestId('advanced-toggle').click();
    await fill('latent-dim', TINY.latent);
    await fill('generator-width', TINY.width);
    await fill('discriminator-width', TINY.width);
    await fill('progress-interval', TINY.progressEvery);
    await fill('sample-interval-input', TINY.sampleEvery);
    await fill('checkpoint-interval', TINY.checkpointEvery);
    expect(await page.getByTestId('total-steps').textContent()).toBe(String(STEPS));
    await page.screenshot({ path: join(SHOTS, 'train-form-advanced.png'), fullPage: true });

    await page.getByTestId('start-run').click();
    await detail().waitFor();
    expect(await page.getByTestId('run-row').count()).toBe(1);
    const run = await detail().getAttribute('data-run-id');
    const config = ((await call('run-get', { runId: run })) as { run: { config: Record<string, unknown> } }).run.config;
    expect(config).toMatchObject({
      batchSize: TINY.batch,
      latentDim: TINY.latent,
      generatorWidth: TINY.width,
      progressInterval: 5,
    });
  });

  it('shows progress events moving the bar, the curves and a sample grid', async () => {
    await expect.poll(runStatus, { timeout: 60_000 }).toBe('training');
    await expect.poll(shownStep, { timeout: 60_000 }).toBeGreaterThan(0);
    const grid = page.getByTestId('sample-grid');
    await grid.waitFor({ timeout: 60_000 });
    await expect.poll(() => grid.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    const points = () => page.getByTestId('loss-chart').getAttribute('data-points').then(Number);
    await expect.poll(points).toBeGreaterThan(1);
    // New points stream into the same uPlot canvas: the chart is not re-created per point.
    const canvas = await page.getByTestId('loss-chart').locator('canvas').elementHandle();
    const seen = await points();
    await expect.poll(points, { timeout: 60_000 }).toBeGreaterThan(seen);
    expect(await canvas!.evaluate((c) => c.isConnected)).toBe(true);
    expect(await page.getByTestId('loss-chart').locator('canvas').count()).toBe(1);
    expect(Number(await page.getByRole('progressbar').getAttribute('aria-valuenow'))).toBeGreaterThan(0);
    expect(await page.getByTestId('throughput').textContent()).toMatch(/\d/);
    await page.screenshot({ path: join(SHOTS, 'train-live.png') });
  });

  it('pauses and resumes (button and Space)', async () => {
    await page.getByTestId('pause').click();
    await expect.poll(runStatus).toBe('paused');
    const pausedAt = await shownStep();
    await page.screenshot({ path: join(SHOTS, 'train-paused.png') });
    // While paused the run makes no progress (read from the server, not the page).
    const runId = await detail().getAttribute('data-run-id');
    const lastStep = async () => ((await call('run-get', { runId })) as { run: { lastStep: number } }).run.lastStep;
    const before = await lastStep();
    await page.waitForTimeout(1500);
    expect(await lastStep()).toBe(before);

    // Save a checkpoint now, and change the sample interval, while paused.
    await page.getByTestId('save-checkpoint').click();
    const saved = page.getByRole('status').getByText(/Checkpoint saved at step/);
    await saved.waitFor();
    const savedStep = Number((await saved.textContent())!.replace(/[^\d]/g, ''));
    const afterSave = (await call('run-get', { runId })) as { checkpoints: number[] };
    expect(afterSave.checkpoints).toContain(savedStep);
    await page.getByTestId('sample-interval').fill('10');
    await page.getByTestId('sample-interval').press('Enter');
    await expect
      .poll(
        async () =>
          ((await call('run-get', { runId })) as { run: { config: { sampleInterval: number } } }).run.config
            .sampleInterval,
      )
      .toBe(10);

    await page.locator('body').click({ position: { x: 5, y: 400 } });
    await page.keyboard.press('Space');
    await expect.poll(runStatus).toBe('training');
    await expect.poll(shownStep, { timeout: 60_000 }).toBeGreaterThan(pausedAt);
  });

  it('survives the trainer being killed, while the Library keeps answering, and resumes from the checkpoint', async () => {
    await expect.poll(() => page.getByTestId('last-checkpoint').textContent(), { timeout: 60_000 }).toMatch(/step \d/);
    const runId = (await detail().getAttribute('data-run-id'))!;

    // The Library answers clicks while the run trains in its own process.
    await clickAroundLibrary();
    await page.click('[data-view="train"]');
    await detail().waitFor();

    expect(await runStatus()).toBe('training');
    const pids = trainerPids();
    expect(pids).toHaveLength(1);
    process.kill(pids[0], 'SIGKILL');

    await expect.poll(runStatus, { timeout: 30_000 }).toBe('interrupted');
    expect(await page.getByTestId('status-reason').textContent()).toMatch(/killed|SIGKILL/);
    const resume = page.getByTestId('resume-from-checkpoint');
    const resumeText = (await resume.textContent()) ?? '';
    const checkpoint = Number(resumeText.replace(/[^\d]/g, ''));
    expect(checkpoint).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'train-interrupted.png') });
    expect(studio.process.exitCode).toBeNull();

    // Still answering after the crash.
    await clickAroundLibrary();
    await page.click('[data-view="train"]');
    await expect.poll(runStatus).toBe('interrupted');

    await page.getByTestId('resume-from-checkpoint').click();
    await expect.poll(runStatus, { timeout: 60_000 }).toMatch(/training|done/);
    await expect.poll(runStatus, { timeout: 120_000 }).toBe('done');
    expect(await shownStep()).toBe(STEPS);
    const data = (await call('run-get', { runId })) as { run: { lastStep: number }; checkpoints: number[] };
    expect(data.run.lastStep).toBe(STEPS);
    expect(Math.max(...data.checkpoints)).toBe(STEPS);
    // Step back through the sample grids with the keyboard, and return to the latest.
    await page.getByTestId('grid-scrubber').waitFor();
    expect(await page.getByTestId('grid-step').textContent()).toBe(`step ${STEPS}`);
    await page.locator('body').click({ position: { x: 5, y: 400 } });
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    const { grids } = (await call('run-get', { runId })) as { grids: Array<{ step: number }> };
    expect(await page.getByTestId('grid-step').textContent()).toBe(`step ${grids.at(-3)!.step}`);
    await page.getByRole('button', { name: 'Latest' }).click();
    expect(await page.getByTestId('grid-step').textContent()).toBe(`step ${STEPS}`);
    await page.screenshot({ path: join(SHOTS, 'train-done.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    // Let the buttons' colour transitions finish before the picture.
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(SHOTS, 'train-done-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('evaluates a run: fidelity per label as bars and the Fréchet distance, kept with the run', async () => {
    const runId = (await detail().getAttribute('data-run-id'))!;
    await page.getByTestId('evaluate').click();
    await expect.poll(() => page.getByTestId('fidelity').textContent(), { timeout: 150_000 }).toMatch(/%/);
    expect(await page.getByTestId('frechet').textContent()).toMatch(/\d/);
    expect(await page.getByTestId('evaluation-panel').getByRole('listitem').count()).toBe(10);
    await page.getByTestId('evaluation-panel').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'train-evaluation.png') });
    const kept = (await call('run-get', { runId })) as {
      evaluations: Array<{ fidelityPerLabel: Record<string, number> }>;
    };
    expect(kept.evaluations).toHaveLength(1);
    expect(Object.keys(kept.evaluations[0].fidelityPerLabel)).toHaveLength(10);
  });

  it('duplicates a config, compares two runs, renames and deletes one', async () => {
    const first = (await detail().getAttribute('data-run-id'))!;
    await page.getByTestId('run-menu').first().click();
    await page.getByTestId('duplicate-run').click();
    await page.getByTestId('plan-facts').waitFor();
    await expect.poll(() => page.getByTestId('batch-size').inputValue()).toBe(String(TINY.batch));
    expect(await page.getByTestId('steps').inputValue()).toBe(String(STEPS));
    await fill('steps', 40);
    await page.getByTestId('start-run').click();
    await expect.poll(() => page.getByTestId('run-row').count()).toBe(2);
    await expect.poll(runStatus, { timeout: 120_000 }).toBe('done');
    const second = (await detail().getAttribute('data-run-id'))!;
    expect(second).not.toBe(first);

    await page.getByTestId('compare-runs').click();
    await page.getByTestId('compare').waitFor();
    expect(await page.getByTestId('compare-a').inputValue()).toBe(second);
    expect(await page.getByTestId('compare-b').inputValue()).toBe(first);
    await expect.poll(() => page.getByTestId('compare-table').textContent()).toContain(String(STEPS));
    await page.screenshot({ path: join(SHOTS, 'train-compare.png'), fullPage: true });

    // Rename the second run from its header menu.
    await page.locator(`[data-run-id="${second}"] .open`).click();
    await detail().waitFor();
    await detail().getByTestId('run-menu').click();
    await page.getByRole('menuitem', { name: 'Rename…' }).click();
    await page.getByTestId('prompt-dialog').locator('input').fill('Tiny follow-up');
    await page.getByTestId('prompt-dialog').getByRole('button', { name: 'Rename' }).click();
    await expect.poll(() => page.getByTestId('run-name').textContent()).toBe('Tiny follow-up');

    // Delete it, with its files, after a confirmation.
    await detail().getByTestId('run-menu').click();
    await page.getByRole('menuitem', { name: 'Delete…' }).click();
    await page.getByTestId('confirm-dialog').getByRole('button', { name: 'Delete run' }).click();
    await expect.poll(() => page.getByTestId('run-row').count()).toBe(1);
    const remaining = (await call('run-list', {})) as Array<{ id: string }>;
    expect(remaining.map((r) => r.id)).toEqual([first]);
    expect(existsSync(join(studio.library, 'runs', second))).toBe(false);
    await page.screenshot({ path: join(SHOTS, 'train-history.png') });
  });

  it('offers the same resume after the studio itself was killed and restarted, and stops a run cleanly', async () => {
    const { datasets } = (await call('dataset-list', {})) as { datasets: Array<{ id: number }> };
    const config = {
      imageSize: 28,
      batchSize: TINY.batch,
      latentDim: TINY.latent,
      generatorWidth: TINY.width,
      discriminatorWidth: TINY.width,
      progressInterval: TINY.progressEvery,
      sampleInterval: TINY.sampleEvery,
      checkpointInterval: TINY.checkpointEvery,
    };
    const run = (await call('run-start', {
      datasetId: datasets[0].id,
      name: 'Survives a restart',
      steps: 2000,
      config,
    })) as { id: string };
    await expect.poll(() => page.getByTestId('run-row').count()).toBe(2);
    await page.locator(`[data-run-id="${run.id}"] .open`).click();
    await expect.poll(() => page.getByTestId('last-checkpoint').textContent(), { timeout: 60_000 }).toMatch(/step \d/);

    // The studio dies mid-run; its trainer notices and ends; a new studio opens the same library.
    const [trainer] = trainerPids();
    const exited = new Promise((resolve) => studio.process.once('exit', resolve));
    studio.process.kill('SIGKILL');
    await exited;
    await expect.poll(() => isAlive(trainer), { timeout: 60_000 }).toBe(false);
    ws.close();
    studio = await startStudio({ library });
    ws = await connect();

    // Leaving the page while (as far as it knows) a run trains asks first.
    const asked = page.waitForEvent('dialog').then(async (dialog) => {
      const type = dialog.type();
      await dialog.accept();
      return type;
    });
    await page.goto(studio.url);
    expect(await asked).toBe('beforeunload');
    await page.getByRole('navigation', { name: 'Studio sections' }).waitFor();
    await page.click('[data-view="train"]');
    await page.locator(`[data-run-id="${run.id}"] .open`).click();
    await expect.poll(runStatus).toBe('interrupted');
    expect(await page.getByTestId('status-reason').textContent()).toMatch(/studio closed/);
    await page.screenshot({ path: join(SHOTS, 'train-after-restart.png') });

    await page.getByTestId('resume-from-checkpoint').click();
    await expect.poll(runStatus, { timeout: 60_000 }).toBe('training');
    const resumedAt = await shownStep();
    await expect.poll(shownStep, { timeout: 60_000 }).toBeGreaterThan(resumedAt);
    await page.getByTestId('stop').click();
    await expect.poll(runStatus, { timeout: 60_000 }).toBe('stopped');
    await page.getByTestId('continue').waitFor();
    const stopped = (await call('run-get', { runId: run.id })) as { run: { lastStep: number }; checkpoints: number[] };
    // Stopping wrote a final checkpoint at the step it stopped on.
    expect(Math.max(...stopped.checkpoints)).toBe(stopped.run.lastStep);
  });

  it('warns about unlabelled images before training and asks to confirm', async () => {
    const { datasets } = (await call('dataset-list', {})) as { datasets: Array<{ id: number }> };
    const datasetId = datasets[0].id;
    const { ids } = (await call('image-ids', { datasetId })) as { ids: number[] };
    await call('image-assign-label', { datasetId, imageIds: ids.slice(0, 5), labelId: null });
    const before = await page.getByTestId('run-row').count();

    await page.getByTestId('new-run').click();
    await expect.poll(() => page.getByTestId('plan-warnings').textContent()).toContain('5 image(s) have no label');
    await page.getByTestId('start-run').click();
    const confirm = page.getByTestId('confirm-dialog');
    await confirm.waitFor();
    expect(await page.getByTestId('plan-warnings-confirm').textContent()).toContain('5 image(s) have no label');
    await page.screenshot({ path: join(SHOTS, 'train-plan-warning.png') });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect(await page.getByTestId('run-row').count()).toBe(before);
    expect(((await call('run-list', {})) as unknown[]).length).toBe(before);
  });
});
