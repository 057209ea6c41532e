// Repositories and curation on an in-memory database with the real migrations.
import { beforeEach, describe, expect, it } from 'vitest';
import { Curation } from '../../../src-main/library/curation.ts';
import { openDatabase } from '../../../src-main/library/db.ts';
import { LibraryError } from '../../../src-main/library/errors.ts';
import { Repositories } from '../../../src-main/library/library.ts';

let repos: Repositories;
let curation: Curation;
let datasetId: number;

function sha(n: number): string {
  return n.toString(16).padStart(64, '0');
}

/** Inserts `count` images; returns their ids. */
function addImages(count: number, labelId: number | null = null, start = 0): number[] {
  return repos.transaction(() => {
    const ids: number[] = [];
    for (let i = start; i < start + count; i++) {
      repos.blobs.insert({ sha256: sha(i), size: 10, format: 'png', width: 8, height: 8, channels: 1, has_alpha: 0 });
      repos.images.insert({
        dataset_id: datasetId,
        sha256: sha(i),
        label_id: labelId,
        file_name: `img-${String(i).padStart(5, '0')}.png`,
        source_path: `x/img-${i}.png`,
        import_job_id: null,
        imported_at: 1000 + i,
      });
      ids.push(repos.db.prepare('SELECT id FROM images WHERE sha256 = ?').pluck().get(sha(i)) as number);
    }
    return ids;
  });
}

const labelsOf = () => repos.labels.listWithCounts(datasetId).map((l) => [l.name, l.images]);

beforeEach(() => {
  repos = new Repositories(openDatabase(':memory:'));
  curation = new Curation(repos);
  datasetId = repos.datasets.create('test').id;
});

describe('images', () => {
  it('dedup: the same bytes go into a dataset once', () => {
    addImages(3);
    const again = repos.transaction(() =>
      repos.images.insert({
        dataset_id: datasetId,
        sha256: sha(1),
        label_id: null,
        file_name: 'copy.png',
        source_path: 'copy.png',
        import_job_id: null,
        imported_at: 0,
      }),
    );
    expect(again).toBe(false);
    expect(repos.images.count(datasetId)).toBe(3);
  });

  it('pages with filters, search and sorts', () => {
    const cat = curation.createLabel(datasetId, 'cat');
    const dog = curation.createLabel(datasetId, 'dog');
    const catIds = addImages(30, cat.id, 0);
    addImages(20, dog.id, 30);
    addImages(10, null, 50);
    curation.setExcluded(datasetId, catIds.slice(0, 5), true);
    expect(repos.images.count(datasetId)).toBe(60);
    expect(repos.images.count(datasetId, { labelId: cat.id })).toBe(30);
    expect(repos.images.count(datasetId, { unlabelled: true })).toBe(10);
    expect(repos.images.count(datasetId, { labelId: cat.id, excluded: true })).toBe(5);
    expect(repos.images.count(datasetId, { search: 'IMG-0001' })).toBe(10);
    const page = repos.images.page({ datasetId, offset: 10, limit: 5, sort: 'name', descending: true });
    expect(page.map((i) => i.fileName)).toEqual([
      'img-00049.png',
      'img-00048.png',
      'img-00047.png',
      'img-00046.png',
      'img-00045.png',
    ]);
    const byLabel = repos.images.page({ datasetId, offset: 0, limit: 60, sort: 'label' });
    expect(byLabel[0]!.labelId).toBe(cat.id);
    expect(byLabel.at(-1)!.labelId).toBeNull();
    expect(repos.labels.listWithCounts(datasetId).map((l) => [l.name, l.images, l.excluded])).toEqual([
      ['cat', 30, 5],
      ['dog', 20, 0],
    ]);
  });
});

describe('curation and undo/redo', () => {
  it('assigns a label to 10,000 images in one action and undoes it exactly', () => {
    const a = curation.createLabel(datasetId, 'a');
    const b = curation.createLabel(datasetId, 'b');
    const ids = [...addImages(5000, a.id, 0), ...addImages(5000, null, 5000), ...addImages(100, b.id, 10_000)];
    const selection = ids.slice(0, 10_000);
    expect(curation.assignLabel(datasetId, selection, b.id)).toEqual({ changed: 10_000 });
    expect(labelsOf()).toEqual([
      ['a', 0],
      ['b', 10_100],
    ]);
    expect(curation.history(datasetId).undoSummary).toBe('label 10000 images "b"');
    curation.undo(datasetId);
    expect(labelsOf()).toEqual([
      ['a', 5000],
      ['b', 100],
    ]);
    expect(repos.images.count(datasetId, { unlabelled: true })).toBe(5000);
    curation.redo(datasetId);
    expect(labelsOf()).toEqual([
      ['a', 0],
      ['b', 10_100],
    ]);
  });

  it('undoes and redoes create, rename, recolour, merge, delete and exclude, in order', () => {
    const states: unknown[] = [];
    const state = () => ({
      labels: repos.labels.listWithCounts(datasetId).map((l) => [l.id, l.name, l.color, l.images]),
      excluded: repos.images.count(datasetId, { excluded: true }),
    });
    states.push(state());
    const cat = curation.createLabel(datasetId, 'cat', '#112233');
    states.push(state());
    const dog = curation.createLabel(datasetId, 'dog');
    states.push(state());
    const catIds = addImages(4, cat.id, 0);
    addImages(3, dog.id, 4);
    states[2] = state(); // images came in by import, which is not an undoable action
    curation.renameLabel(datasetId, cat.id, 'Cat');
    states.push(state());
    curation.recolourLabel(datasetId, dog.id, '#ABCDEF');
    states.push(state());
    curation.setExcluded(datasetId, catIds.slice(0, 2), true);
    states.push(state());
    curation.mergeLabels(datasetId, [dog.id], cat.id);
    states.push(state());
    curation.deleteLabel(datasetId, cat.id);
    states.push(state());
    expect(repos.images.count(datasetId, { unlabelled: true })).toBe(7);

    for (let i = states.length - 2; i >= 2; i--) {
      expect(curation.undo(datasetId)).not.toBeNull();
      expect(state()).toEqual(states[i]);
    }
    for (let i = 3; i < states.length; i++) {
      expect(curation.redo(datasetId)).not.toBeNull();
      expect(state()).toEqual(states[i]);
    }
    expect(curation.redo(datasetId)).toBeNull();
  });

  it('a new action drops what could have been redone', () => {
    const a = curation.createLabel(datasetId, 'a');
    curation.renameLabel(datasetId, a.id, 'b');
    curation.undo(datasetId);
    expect(curation.history(datasetId).canRedo).toBe(true);
    curation.recolourLabel(datasetId, a.id, '#000000');
    expect(curation.history(datasetId)).toMatchObject({ canRedo: false, canUndo: true });
  });

  it('refuses duplicate, empty and unknown labels with a reason', () => {
    curation.createLabel(datasetId, 'cat');
    expect(() => curation.createLabel(datasetId, '  cat ')).toThrow(/already exists/);
    expect(() => curation.createLabel(datasetId, '   ')).toThrow(LibraryError);
    expect(() => curation.renameLabel(datasetId, 999, 'x')).toThrow(/no label 999/);
    expect(() => curation.recolourLabel(datasetId, repos.labels.byName(datasetId, 'cat')!.id, 'red')).toThrow(
      /#rrggbb/,
    );
  });

  it('undo survives a restart: the log is in the database', () => {
    const a = curation.createLabel(datasetId, 'a');
    curation.renameLabel(datasetId, a.id, 'renamed');
    const again = new Curation(new Repositories(repos.db));
    expect(again.undo(datasetId)).toBe('rename "a" to "renamed"');
    expect(repos.labels.get(a.id)!.name).toBe('a');
  });
});

describe('import jobs', () => {
  it('marks a running import interrupted only when its process is gone', () => {
    const mine = repos.importJobs.start(datasetId, '/here');
    const other = repos.importJobs.start(datasetId, '/there');
    // A process id that cannot exist (above the kernel's pid_max).
    repos.db.prepare('UPDATE import_jobs SET pid = 99999999 WHERE id = ?').run(other);
    expect(repos.importJobs.markInterrupted()).toBe(1);
    expect(repos.importJobs.get(mine)!.status).toBe('running');
    expect(repos.importJobs.get(other)!.status).toBe('interrupted');
  });
});

describe('undo after an import re-created a name', () => {
  it('refuses to bring back a label whose name is taken, and changes nothing', () => {
    const cat = curation.createLabel(datasetId, 'cat');
    curation.deleteLabel(datasetId, cat.id);
    repos.transaction(() => repos.labels.create(datasetId, 'cat')); // as an import would
    expect(() => curation.undo(datasetId)).toThrow(/exists again/);
    expect(curation.history(datasetId).canUndo).toBe(true);
    expect(labelsOf()).toEqual([['cat', 0]]);
  });
});
