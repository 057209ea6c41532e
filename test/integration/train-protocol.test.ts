import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forkTrainer, TrainerRequestError } from '../../src-main/trainer/client.ts';
import type { StartOptions, TrainerEvent } from '../../src-main/trainer/protocol.ts';
import { writeShapes } from './train-helpers.ts';

// The trainer process driven the way the studio drives it (issue 5): fork, start,
// pause, checkpoint while paused, change the sample interval, resume, stop. Every
// request gets exactly one answer, also when the process dies.

let work: string;
let images: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'cgan-protocol-'));
  images = join(work, 'shapes');
  await writeShapes(images, ['disc', 'square'], 12);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

const options = (run: string, extra: Partial<StartOptions> = {}): StartOptions => ({
  runDir: run,
  source: { kind: 'folder', dir: images },
  steps: 100_000,
  config: {
    generatorWidth: 4,
    discriminatorWidth: 4,
    latentDim: 8,
    batchSize: 8,
    gridColumns: 2,
    progressInterval: 2,
    sampleInterval: 1000,
  },
  ...extra,
});

function waitFor<T extends TrainerEvent['type']>(
  events: TrainerEvent[],
  subscribe: (listener: (e: TrainerEvent) => void) => () => void,
  type: T,
  predicate: (e: Extract<TrainerEvent, { type: T }>) => boolean = () => true,
): Promise<Extract<TrainerEvent, { type: T }>> {
  const seen = events.find((e) => e.type === type && predicate(e as Extract<TrainerEvent, { type: T }>));
  if (seen) return Promise.resolve(seen as Extract<TrainerEvent, { type: T }>);
  return new Promise((resolve) => {
    const off = subscribe((e) => {
      if (e.type === type && predicate(e as Extract<TrainerEvent, { type: T }>)) {
        off();
        resolve(e as Extract<TrainerEvent, { type: T }>);
      }
    });
  });
}

describe('trainer protocol', () => {
  it('starts, pauses, checkpoints while paused, resumes, changes the sample interval and stops', async () => {
    const trainer = forkTrainer({ stdio: 'pipe' });
    const events: TrainerEvent[] = [];
    trainer.onEvent((e) => events.push(e));
    const on = (l: (e: TrainerEvent) => void) => trainer.onEvent(l);
    try {
      const run = join(work, 'run');
      const started = await trainer.request('start', { options: options(run) });
      expect(started).toMatchObject({
        startStep: 0,
        totalSteps: 100_000,
        dataset: { labels: ['disc', 'square'], images: 24 },
      });
      await expect(trainer.request('start', { options: options(join(work, 'other')) })).rejects.toMatchObject({
        code: 'busy',
      });
      await expect(trainer.request('evaluate', { runDir: run })).rejects.toMatchObject({ code: 'busy' });
      await waitFor(events, on, 'progress');

      const paused = await trainer.request('pause', {});
      const checkpoint = await trainer.request('checkpoint-now', {});
      expect(checkpoint.step).toBe(paused.step);
      expect(existsSync(join(checkpoint.path, 'state.json'))).toBe(true);
      // Paused means paused: no step is taken until resume.
      const progressBefore = events.filter((e) => e.type === 'progress').length;
      await new Promise((r) => setTimeout(r, 300));
      expect(events.filter((e) => e.type === 'progress').length).toBe(progressBefore);

      expect(await trainer.request('set-sample-interval', { steps: 3 })).toEqual({ steps: 3 });
      await expect(trainer.request('set-sample-interval', { steps: 0 })).rejects.toMatchObject({ code: 'bad-request' });
      expect((await trainer.request('resume', {})).step).toBe(paused.step);
      const grid = await waitFor(events, on, 'sample-grid', (e) => e.step > paused.step);
      expect(grid.step % 3).toBe(0);

      const stopped = await trainer.request('stop', {});
      const done = await waitFor(events, on, 'done');
      expect(done).toMatchObject({ reason: 'stopped', steps: stopped.step });
      expect(events.some((e) => e.type === 'checkpoint' && e.step === stopped.step)).toBe(true);
      await expect(trainer.request('pause', {})).rejects.toMatchObject({ code: 'not-running' });
      expect(await trainer.request('shutdown', {})).toEqual({ step: null });
      expect((await trainer.exit()).code).toBe(0);
    } finally {
      await trainer.close();
    }
    await expect(trainer.request('pause', {})).rejects.toBeInstanceOf(TrainerRequestError);
  });

  it('answers a start that fails with its reason, and pending requests when the process dies', async () => {
    const trainer = forkTrainer({ stdio: 'pipe' });
    await expect(
      trainer.request('start', {
        options: { ...options(join(work, 'bad')), source: { kind: 'folder', dir: join(work, 'nowhere') } },
      }),
    ).rejects.toMatchObject({ code: 'dataset', message: expect.stringMatching(/No image folder/) });

    const events: TrainerEvent[] = [];
    trainer.onEvent((e) => events.push(e));
    await trainer.request('start', { options: options(join(work, 'dies')) });
    await waitFor(events, (l) => trainer.onEvent(l), 'progress');
    const pending = trainer.request('checkpoint-now', {}, 0);
    const pause = trainer.request('pause', {});
    trainer.kill('SIGKILL');
    const results = await Promise.allSettled([pending, pause]);
    // Either answered before the kill landed or rejected as exited: never left hanging.
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toMatchObject({ code: 'exited' });
    }
    expect((await trainer.exit()).signal).toBe('SIGKILL');
  });
});
