// The library's requests and events through the real registry, as a window sees them:
// import (a folder path and a web upload session), browse, label, undo/redo, files.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventName, EventPayload, RequestName, RequestOutput } from '../../src-main/api/contract/index.ts';
import { createStudio, type Studio } from '../../src-main/api/studio.ts';
import { writeZip } from '../../src-main/library/zip-writer.ts';
import { grayPng, rgbaImage, write } from '../fixtures/library/images.ts';

let tmp: string;
let studio: Studio;
const ctx = { transport: 'test', clientId: 'api-test' } as const;
const seen: Array<{ name: string; payload: unknown }> = [];

async function call<N extends RequestName>(name: N, input: unknown): Promise<RequestOutput<N>> {
  const result = await studio.registry.dispatch(name, input, ctx);
  if (!result.ok) throw new Error(`${name}: ${result.error.code}: ${result.error.message}`);
  return result.value as RequestOutput<N>;
}

function nextEvent<E extends EventName>(name: E, match: (p: EventPayload<E>) => boolean): Promise<EventPayload<E>> {
  return new Promise((resolve) => {
    const off = studio.events.subscribe((n: string, payload: unknown) => {
      if (n === name && match(payload as EventPayload<E>)) {
        off();
        resolve(payload as EventPayload<E>);
      }
    });
  });
}

async function importAndWait(input: unknown) {
  // Subscribe before starting: a small import may finish before `call` returns.
  let wanted = '';
  const done = nextEvent('import-done', (p) => p.importId === wanted);
  const { importId } = await call('dataset-import', input);
  wanted = importId;
  const event = await done;
  if (event.type !== 'done') throw new Error(event.message);
  return event.summary;
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'cgan-import-api-'));
  studio = createStudio({ transport: 'web', libraryPath: join(tmp, 'library') });
  studio.events.subscribe((name, payload) => seen.push({ name, payload }));
});
afterAll(async () => {
  await studio.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('library requests', () => {
  let datasetId: number;

  it('imports a folder by path, with progress events and a summary', async () => {
    const drop = join(tmp, 'pets');
    for (let i = 0; i < 12; i++) write(join(drop, 'cat', `${i}.png`), grayPng(i));
    for (let i = 0; i < 8; i++) write(join(drop, 'dog', `${i}.png`), grayPng(100 + i));
    write(join(drop, 'dog', 'alpha.png'), await rgbaImage('png', 7, 200));
    write(join(drop, 'dog', 'bad.png'), 'not a png');
    const summary = await importAndWait({ source: { type: 'path', path: drop } });
    expect(summary).toMatchObject({ dataset: 'pets', imported: 21, labels: { cat: 12, dog: 9 } });
    expect(summary.rejected).toEqual([{ path: 'dog/bad.png', reason: expect.any(String) }]);
    expect(seen.some((e) => e.name === 'import-progress')).toBe(true);
    expect(seen.some((e) => e.name === 'library-changed')).toBe(true);
    datasetId = summary.datasetId;
    const { datasets } = await call('dataset-list', {});
    expect(datasets).toEqual([expect.objectContaining({ name: 'pets', images: 21, labelled: 21, labels: 2 })]);
    const rejections = await call('dataset-rejections', { datasetId });
    expect(rejections.items.map((r) => r.path)).toEqual(['dog/bad.png']);
  });

  it('imports a web-mode upload session and removes the uploaded copies', async () => {
    // The browser uploads paths relative to what was dropped: here one folder "more".
    const session = 'upload-session-1';
    const folder = studio.services.uploadFolder(session);
    for (let i = 0; i < 3; i++) write(join(folder, 'more', 'bird', `${i}.png`), grayPng(500 + i));
    write(join(folder, 'more', 'bird', 'broken.png'), Buffer.alloc(0));
    const summary = await importAndWait({ source: { type: 'upload', session }, dataset: 'pets' });
    expect(summary.labels).toEqual({ cat: 12, dog: 9, bird: 3 });
    expect(summary.rejected).toEqual([{ path: 'bird/broken.png', reason: 'empty file (0 bytes)' }]);
    expect(existsSync(folder)).toBe(false);
  });

  it('imports an uploaded .zip, and a folder mixing images and archives', async () => {
    const zipSession = 'upload-session-2';
    mkdirSync(studio.services.uploadFolder(zipSession), { recursive: true });
    writeZip(join(studio.services.uploadFolder(zipSession), 'zipped.zip'), [
      { name: 'zipped/fish/a.png', data: grayPng(600) },
      { name: 'zipped/fish/b.png', data: grayPng(601) },
      { name: 'zipped/crab/c.png', data: grayPng(602) },
    ]);
    const zipped = await importAndWait({ source: { type: 'upload', session: zipSession } });
    expect(zipped).toMatchObject({ dataset: 'zipped', labels: { crab: 1, fish: 2 } });
    const mixed = join(tmp, 'mixed');
    write(join(mixed, 'owl', 'a.png'), grayPng(700));
    writeZip(join(mixed, 'more-owls.zip'), [{ name: 'owl/b.png', data: grayPng(701) }]);
    writeZip(join(mixed, 'frogs.zip'), [{ name: 'c.png', data: grayPng(702) }]);
    write(join(mixed, 'fake.zip'), 'not an archive');
    const summary = await importAndWait({ source: { type: 'path', path: mixed } });
    expect(summary.labels).toEqual({ frogs: 1, owl: 2 });
    expect(summary.rejected).toEqual([{ path: 'fake.zip', reason: expect.stringMatching(/not a readable .zip/) }]);
    await call('dataset-delete', { datasetId: zipped.datasetId });
    await call('dataset-delete', { datasetId: summary.datasetId });
  });

  it('pages, filters and searches for the grid; thumbnails and blobs resolve to files', async () => {
    const labels = await call('label-list', { datasetId });
    expect(labels.labels.map((l) => [l.name, l.images])).toEqual([
      ['cat', 12],
      ['dog', 9],
      ['bird', 3],
    ]);
    const cat = labels.labels[0]!;
    const page = await call('image-page', { datasetId, filter: { labelId: cat.id }, sort: 'name', limit: 5 });
    expect(page.total).toBe(12);
    expect(page.items).toHaveLength(5);
    expect(page.items[0]!.fileName).toBe('0.png');
    const search = await call('image-page', { datasetId, filter: { search: 'ALPHA' } });
    expect(search.items.map((i) => i.fileName)).toEqual(['alpha.png']);
    const big = search.items[0]!;
    const thumb = await studio.services.files.resolve(big.thumbnail.replace(/^\/files\//, ''));
    expect(thumb).toMatchObject({ contentType: 'image/webp' });
    expect(existsSync(thumb!.path)).toBe(true);
    const detail = await call('image-detail', { imageId: big.id });
    expect(detail).toMatchObject({
      width: 200,
      height: 200,
      hasAlpha: true,
      labelName: 'dog',
      sourcePath: 'dog/alpha.png',
    });
    expect(await studio.services.files.resolve(detail.url.replace(/^\/files\//, ''))).toMatchObject({
      contentType: 'image/png',
    });
    expect(await studio.services.files.resolve('thumb/../../etc/passwd')).toBeNull();
  });

  it('labels, excludes, merges and undoes through requests', async () => {
    const { labels } = await call('label-list', { datasetId });
    const [cat, dog, bird] = labels;
    const { ids } = await call('image-ids', { datasetId, filter: { labelId: cat!.id } });
    expect(await call('image-assign-label', { datasetId, imageIds: ids.slice(0, 4), labelId: bird!.id })).toEqual({
      changed: 4,
    });
    expect(await call('image-exclude', { datasetId, imageIds: ids.slice(4, 6), excluded: true })).toEqual({
      changed: 2,
    });
    await call('label-merge', { datasetId, sourceIds: [dog!.id], targetId: cat!.id });
    let state = await call('label-list', { datasetId });
    expect(state.labels.map((l) => [l.name, l.images, l.excluded])).toEqual([
      ['cat', 17, 2],
      ['bird', 7, 0],
    ]);
    const undo = await call('history-undo', { datasetId });
    expect(undo.summary).toBe('merge "dog" into "cat"');
    await call('history-undo', { datasetId });
    await call('history-undo', { datasetId });
    state = await call('label-list', { datasetId });
    expect(state.labels.map((l) => [l.name, l.images, l.excluded])).toEqual([
      ['cat', 12, 0],
      ['dog', 9, 0],
      ['bird', 3, 0],
    ]);
    expect((await call('history-redo', { datasetId })).history.canRedo).toBe(true);
  });

  it('answers bad requests with codes and messages, never a raw exception', async () => {
    const dup = await studio.registry.dispatch('label-create', { datasetId, name: 'cat' }, ctx);
    expect(dup).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const missing = await studio.registry.dispatch('image-page', { datasetId: 9999 }, ctx);
    expect(missing).toMatchObject({ ok: false, error: { code: 'not-found' } });
    const invalid = await studio.registry.dispatch('label-recolour', { datasetId, labelId: 1, color: 'red' }, ctx);
    expect(invalid).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
  });

  it('exports and deletes a dataset', async () => {
    const out = join(tmp, 'export');
    const exported = await call('dataset-export', { datasetId, folder: out });
    // The exclusion was undone above: all 24 images are written.
    expect(exported.written).toBe(24);
    const again = await studio.registry.dispatch('dataset-export', { datasetId, folder: out }, ctx);
    expect(again).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const deleted = await call('dataset-delete', { datasetId });
    expect(deleted).toEqual({ deleted: true, blobsRemoved: 24 });
    expect((await call('dataset-list', {})).datasets).toEqual([]);
  });
});
