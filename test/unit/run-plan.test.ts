import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { planRun } from '../../src-main/api/runs/plan.ts';
import { Library } from '../../src-main/library/library.ts';

// The start form's defaults and warnings come from the dataset's rows: a real library
// (real migrations) filled through its repositories, no image files needed.

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function libraryWith(counts: Record<string, number>, options: { unlabelled?: number; excluded?: number; width?: number; height?: number; channels?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cgan-plan-'));
  dirs.push(dir);
  const library = Library.open(dir);
  const dataset = library.datasets.create('things');
  let n = 0;
  const add = (labelId: number | null, excluded = false) => {
    const sha256 = (n++).toString(16).padStart(64, '0');
    library.blobs.insert({ sha256, size: 100, format: 'png', width: options.width ?? 28, height: options.height ?? 28, channels: options.channels ?? 1, has_alpha: 0 });
    library.images.insert({ dataset_id: dataset.id, sha256, label_id: labelId, file_name: `${sha256}.png`, source_path: `x/${sha256}.png`, import_job_id: null, imported_at: 0 });
    if (excluded) {
      const id = library.images.ids(dataset.id).at(-1)!;
      library.images.setExcluded(dataset.id, [id], true);
    }
  };
  for (const [name, count] of Object.entries(counts)) {
    const label = library.labels.create(dataset.id, name);
    for (let i = 0; i < count; i++) add(label.id);
  }
  for (let i = 0; i < (options.unlabelled ?? 0); i++) add(null);
  const first = library.labels.list(dataset.id)[0];
  for (let i = 0; i < (options.excluded ?? 0); i++) add(first.id, true);
  return { library, datasetId: dataset.id };
}

describe('planRun', () => {
  it('sizes the run from the images and suggests epochs for a few thousand steps', () => {
    const { library, datasetId } = libraryWith({ cats: 100, dogs: 100 }, { width: 60, height: 40, channels: 3 });
    const plan = planRun(library, datasetId);
    expect(plan.config).toMatchObject({ imageSize: 64, channels: 3, numClasses: 2 });
    expect(plan.images).toBe(200);
    expect(plan.stepsPerEpoch).toBe(Math.ceil(200 / (plan.config.batchSize as number)));
    expect(plan.suggestedEpochs).toBeGreaterThanOrEqual(5);
    expect(plan.warnings).toEqual([]);
    library.close();
  });

  it('warns about unlabelled and excluded images, tiny labels and imbalance', () => {
    const { library, datasetId } = libraryWith({ common: 60, rare: 3 }, { unlabelled: 2, excluded: 1 });
    const plan = planRun(library, datasetId);
    expect(plan.labels).toEqual([
      { name: 'common', count: 60 },
      { name: 'rare', count: 3 },
    ]);
    const text = plan.warnings.join('\n');
    expect(text).toMatch(/2 image\(s\) have no label/);
    expect(text).toMatch(/1 excluded image/);
    expect(text).toMatch(/"rare" \(3\)/);
    expect(text).toMatch(/imbalance.*60.*3/);
    library.close();
  });

  it('says that a single label trains an unconditional GAN, and refuses an unknown dataset', () => {
    const { library, datasetId } = libraryWith({ only: 30 });
    expect(planRun(library, datasetId).warnings).toEqual(['Only one label: this trains an unconditional GAN.']);
    expect(() => planRun(library, 999)).toThrow(/no dataset 999/);
    library.close();
  });
});
