// The runs domain (issue 5): thin handlers over the RunSupervisor, plus the
// `/files/run/<runId>/...` route that serves sample grids and exported generators.
import { join } from 'node:path';
import { RUN_ID, type ProgressPoint, type Evaluation } from '../contract/runs.ts';
import { StudioError } from '../envelope.ts';
import { safeJoin } from '../files.ts';
import type { HandlerRegistry } from '../registry.ts';
import type { StudioServices } from '../studio.ts';
import { planRun } from '../runs/plan.ts';
import { RunSupervisor } from '../runs/supervisor.ts';
import { RunFolder } from '../../trainer/run-folder.ts';

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** metrics.jsonl `eval` records, in the contract's shape. */
export function toEvaluation(record: Record<string, unknown>): Evaluation {
  return {
    step: num(record.step),
    fidelity: num(record.fidelity),
    fidelityPerLabel: (record.fidelity_per_label ?? {}) as Record<string, number>,
    frechetDistance: num(record.frechet_distance),
    frechetFloor: num(record.frechet_floor),
    at: typeof record.time === 'string' ? Date.parse(record.time) : 0,
  };
}

export function registerRunHandlers(registry: HandlerRegistry, services: StudioServices): void {
  const library = services.library;
  const supervisor = new RunSupervisor({
    library,
    events: services.events,
    launch: services.launchTrainer,
    runsDir: join(services.libraryPath, 'runs'),
  });
  services.onClose(() => supervisor.stopAll());
  services.addBusyCheck(() => supervisor.busy());

  services.files.register('run', (rest) => {
    const slash = rest.indexOf('/');
    const runId = rest.slice(0, slash);
    if (slash <= 0 || !RUN_ID.test(runId)) return null;
    const run = library.runs.get(runId);
    const path = run ? safeJoin(run.dir, rest.slice(slash + 1)) : null;
    return path ? { path } : null;
  });

  registry.register('run-list', () => supervisor.list());

  registry.register('run-get', ({ runId }) => {
    const run = supervisor.get(runId);
    const folder = new RunFolder(run.dir);
    const progress: ProgressPoint[] = [];
    const warnings: Array<{ step: number; message: string }> = [];
    const evaluations: Evaluation[] = [];
    for (const record of folder.readMetrics()) {
      if (record.type === 'progress') {
        progress.push({
          step: num(record.step),
          epoch: num(record.epoch),
          dLoss: num(record.d_loss),
          gLoss: num(record.g_loss),
          dReal: num(record.d_real),
          dFake: num(record.d_fake),
          imagesPerSec: num(record.images_per_s),
          etaSec: num(record.eta_s),
        });
      } else if (record.type === 'warning') {
        warnings.push({ step: num(record.step), message: String(record.message ?? '') });
      } else if (record.type === 'eval') {
        evaluations.push(toEvaluation(record));
      }
    }
    return {
      run: supervisor.summary(run),
      labels: folder.hasManifest() ? folder.readManifest().dataset.labels : [],
      progress,
      grids: supervisor.grids(run),
      checkpoints: folder.checkpointSteps(),
      warnings,
      evaluations,
    };
  });

  registry.register('run-plan', ({ datasetId }) => planRun(library, datasetId));
  registry.register('run-start', (input) => supervisor.start(input));
  registry.register('run-continue', ({ runId, force, extraEpochs }) =>
    supervisor.continueRun(runId, force, extraEpochs),
  );
  registry.register('run-pause', ({ runId }) => supervisor.pause(runId));
  registry.register('run-resume', ({ runId }) => supervisor.resume(runId));
  registry.register('run-stop', ({ runId }) => supervisor.stop(runId));
  registry.register('run-checkpoint', ({ runId }) => supervisor.checkpoint(runId));
  registry.register('run-set-sample-interval', ({ runId, steps }) => supervisor.setSampleInterval(runId, steps));
  registry.register('run-rename', ({ runId, name }) => supervisor.rename(runId, name));
  registry.register('run-delete', async ({ runId }) => {
    await supervisor.delete(runId);
    return { deleted: true as const };
  });
  registry.register('run-evaluate', async ({ runId, checkpoint }) => {
    const run = supervisor.get(runId);
    if (supervisor.isActive(runId) && checkpoint === undefined && run.lastCheckpointStep === null) {
      throw new StudioError('conflict', `"${run.name}" has no checkpoint yet: wait for the first one or save one now.`);
    }
    const evaluation = toEvaluation(await supervisor.evaluate(runId, checkpoint));
    services.events.emit('run-evaluation', { runId, ...evaluation });
    return evaluation;
  });
}
