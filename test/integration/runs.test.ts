import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventName, EventPayload, RequestInput, RequestName, RequestOutput } from '../../src-main/api/contract/index.ts';
import { createStudio, type Studio } from '../../src-main/api/studio.ts';
import { writeSyntheticDataset } from '../support/synthetic-images.ts';

// The studio's run supervision end to end, in process (no browser): a real trainer
// process trains a tiny model on a real library dataset; we pause it, kill it with
// SIGKILL and resume it from its checkpoint.

let root: string;
let studio: Studio;

async function call<N extends RequestName>(name: N, input: RequestInput<N>): Promise<RequestOutput<N>> {
  const result = await studio.registry.dispatch(name, input, { transport: 'test', clientId: 'runs-test' });
  if (!result.ok) throw new Error(`${name}: ${result.error.code}: ${result.error.message}`);
  return result.value as RequestOutput<N>;
}

function nextEvent<E extends EventName>(name: E, where: (payload: EventPayload<E>) => boolean = () => true, timeoutMs = 120_000) {
  return new Promise<EventPayload<E>>((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`no ${name} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const unsubscribe = studio.events.subscribe((event, payload) => {
      if ((event as string) === name && where(payload as unknown as EventPayload<E>)) {
        clearTimeout(timer);
        unsubscribe();
        resolve(payload as unknown as EventPayload<E>);
      }
    });
  });
}

function trainerPids(): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid)]).toString().trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cgan-runs-'));
  const folder = await writeSyntheticDataset(join(root, 'bars'), { perLabel: 24 });
  studio = createStudio({ transport: 'web', libraryPath: join(root, 'library') });
  const done = nextEvent('import-done');
  await call('dataset-import', { source: { type: 'path', path: folder }, dataset: 'bars' });
  expect(await done).toMatchObject({ type: 'done' });
});

afterAll(async () => {
  await studio?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('training runs in the studio', () => {
  it('plans a run from the data: size and channels from the images, no warnings for a balanced set', async () => {
    const { datasets } = await call('dataset-list', {});
    const plan = await call('run-plan', { datasetId: datasets[0].id });
    expect(plan).toMatchObject({ images: 48, labels: [{ count: 24 }, { count: 24 }], config: { imageSize: 28, channels: 1 } });
    expect(plan.warnings).toEqual([]);
    expect(plan.stepsPerEpoch).toBe(1);
    expect(plan.backends).toContain('wasm');
  });

  it('trains, pauses, survives a killed trainer and resumes from the checkpoint', async () => {
    const { datasets } = await call('dataset-list', {});
    const config = {
      imageSize: 28 as const,
      latentDim: 16,
      generatorWidth: 8,
      discriminatorWidth: 8,
      batchSize: 16,
      sampleInterval: 10,
      checkpointInterval: 10,
    };
    const firstGrid = nextEvent('run-sample-grid');
    const progress = nextEvent('run-progress');
    const started = await call('run-start', { datasetId: datasets[0].id, steps: 400, backend: 'wasm', config, name: 'tiny' });
    expect(started).toMatchObject({ name: 'tiny', status: 'training', totalSteps: 400, backend: 'wasm' });
    const runId = started.id;

    expect((await progress).runId).toBe(runId);
    const grid = await firstGrid;
    const gridFile = await studio.services.files.resolve(grid.path);
    expect(gridFile && existsSync(gridFile.path)).toBe(true);

    expect(studio.busy()).toEqual(['“tiny” is training']);
    const paused = await call('run-pause', { runId });
    expect(paused.status).toBe('paused');
    const resumed = await call('run-resume', { runId });
    expect(resumed.status).toBe('training');

    const checkpoint = await nextEvent('run-checkpoint', (e) => e.runId === runId && e.step >= 10);
    const pids = trainerPids();
    expect(pids).toHaveLength(1);
    const interrupted = nextEvent('run-status', (s) => s.id === runId && s.status === 'interrupted');
    process.kill(pids[0], 'SIGKILL');
    const status = await interrupted;
    expect(status.statusReason).toMatch(/killed|SIGKILL/);
    expect(status.lastCheckpointStep).toBeGreaterThanOrEqual(checkpoint.step);

    // The same request a window makes after a restart: resume from step N.
    const finished = nextEvent('run-status', (s) => s.id === runId && s.status === 'done', 300_000);
    const continued = await call('run-continue', { runId });
    expect(continued.status).toBe('training');
    expect(continued.lastStep).toBe(status.lastCheckpointStep);
    const done = await finished;
    expect(done.lastStep).toBe(400);
    expect(done.hasGenerator).toBe(true);
    expect(done.durationMs).toBeGreaterThan(0);
    expect(done.finalMetrics).toMatchObject({ dLoss: expect.any(Number), gLoss: expect.any(Number), imagesPerSec: expect.any(Number) });
    await expect.poll(() => studio.busy()).toEqual([]);

    const detail = await call('run-get', { runId });
    expect(detail.labels.sort()).toEqual(['dark', 'light']);
    expect(detail.progress.at(-1)?.step).toBe(400);
    expect(detail.grids.length).toBeGreaterThan(1);
    expect(detail.checkpoints.at(-1)).toBe(400);
    const steps = detail.progress.map((p) => p.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));

    // The built-in evaluation runs in a child process and is kept with the run.
    const evaluation = await call('run-evaluate', { runId });
    expect(Object.keys(evaluation.fidelityPerLabel).sort()).toEqual(['dark', 'light']);
    expect(evaluation.fidelity).toBeGreaterThanOrEqual(0);
    expect(evaluation.fidelity).toBeLessThanOrEqual(1);
    expect(evaluation.frechetDistance).toBeGreaterThanOrEqual(0);
    expect(evaluation.step).toBe(400);
    const after = await call('run-get', { runId });
    expect(after.evaluations).toEqual([evaluation]);
    expect(after.run.finalMetrics).toMatchObject({ fidelity: evaluation.fidelity, frechetDistance: evaluation.frechetDistance, dLoss: expect.any(Number) });
  });
});
