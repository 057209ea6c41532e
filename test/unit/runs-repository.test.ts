import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/library/db.ts';
import { Repositories } from '../../src-main/library/library.ts';

function fresh() {
  const repos = new Repositories(openDatabase(':memory:'));
  const dataset = repos.datasets.create('shoes');
  return { repos, dataset };
}

describe('RunRepository (real migrations, in memory)', () => {
  it('creates, updates and lists runs, newest first', () => {
    const { repos, dataset } = fresh();
    repos.runs.create({ id: 'a', datasetId: dataset.id, datasetName: 'shoes', name: 'first', dir: '/r/a', config: { batchSize: 64 }, totalSteps: 100 }, 1);
    repos.runs.create({ id: 'b', datasetId: dataset.id, datasetName: 'shoes', name: 'second', dir: '/r/b', config: {}, totalSteps: 50 }, 2);
    expect(repos.runs.list().map((r) => r.id)).toEqual(['b', 'a']);
    const updated = repos.runs.update('a', { status: 'training', lastStep: 40, finalMetrics: { fidelity: 0.9 } }, 3);
    expect(updated).toMatchObject({ status: 'training', lastStep: 40, finalMetrics: { fidelity: 0.9 }, config: { batchSize: 64 }, updatedAt: 3 });
  });

  it('marks runs that were training as interrupted after a crash, and leaves finished ones', () => {
    const { repos, dataset } = fresh();
    for (const [id, status] of [['t', 'training'], ['p', 'paused'], ['d', 'done']] as const) {
      repos.runs.create({ id, datasetId: dataset.id, datasetName: 'shoes', name: id, dir: `/r/${id}`, config: {}, totalSteps: 1 });
      repos.runs.update(id, { status });
    }
    expect(repos.runs.markInterrupted('the studio quit while it trained')).toBe(2);
    expect(repos.runs.get('t')).toMatchObject({ status: 'interrupted', statusReason: 'the studio quit while it trained' });
    expect(repos.runs.get('d')?.status).toBe('done');
  });

  it('keeps a run when its dataset is deleted, and refuses unknown statuses', () => {
    const { repos, dataset } = fresh();
    repos.runs.create({ id: 'a', datasetId: dataset.id, datasetName: 'shoes', name: 'a', dir: '/r/a', config: {}, totalSteps: 1 });
    repos.db.prepare('DELETE FROM datasets WHERE id = ?').run(dataset.id);
    expect(repos.runs.get('a')).toMatchObject({ datasetId: null, datasetName: 'shoes' });
    expect(() => repos.runs.update('a', { status: 'exploded' as 'done' })).toThrow(/CHECK/);
  });
});
