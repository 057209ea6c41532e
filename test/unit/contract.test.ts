import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventNames, requestNames, requests } from '../../src-main/api/contract/index.ts';
import { StudioError } from '../../src-main/api/envelope.ts';
import { HandlerRegistry } from '../../src-main/api/registry.ts';
import { createStudio } from '../../src-main/api/studio.ts';

const library = mkdtempSync(join(tmpdir(), 'cgan-contract-'));
const studio = createStudio({ transport: 'web', libraryPath: library });
const ctx = { transport: 'test', clientId: 'unit' } as const;

afterAll(async () => {
  await studio.close();
  rmSync(library, { recursive: true, force: true });
});

describe('the contract', () => {
  it('names requests and events in kebab-case domain-verb form', () => {
    for (const name of [...requestNames, ...eventNames]) expect(name).toMatch(/^[a-z]+(-[a-z0-9]+)+$/);
  });

  it('has a handler for every request', () => {
    expect(studio.registry.missing()).toEqual([]);
  });

  it('gives every request a summary for people', () => {
    for (const name of requestNames) expect(requests[name].summary.length).toBeGreaterThan(10);
  });
});

describe('the handler registry', () => {
  it('refuses a second handler for the same name', () => {
    const registry = new HandlerRegistry();
    registry.register('app-ping', ({ value }) => ({ value, at: 0 }));
    expect(() => registry.register('app-ping', ({ value }) => ({ value, at: 1 }))).toThrow(/already registered/);
  });

  it('refuses names that are not in the contract', () => {
    const registry = new HandlerRegistry();
    expect(() => registry.register('no-such-thing' as 'app-ping', () => ({ value: '', at: 0 }))).toThrow(/not a request/);
  });

  it('answers unknown names and invalid inputs with typed errors, not exceptions', async () => {
    const unknown = await studio.registry.dispatch('dataset-explode', {}, ctx);
    expect(unknown).toMatchObject({ ok: false, error: { code: 'unknown-request' } });
    const wrongType = await studio.registry.dispatch('app-ping', { value: 7 }, ctx);
    expect(wrongType).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    if (!wrongType.ok) expect(wrongType.error.message).toContain('value');
    const extraKey = await studio.registry.dispatch('app-ping', { value: 'a', sneaky: true }, ctx);
    expect(extraKey).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    const notAnObject = await studio.registry.dispatch('app-ping', 'hello', ctx);
    expect(notAnObject).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
  });

  it('turns thrown errors into envelopes, keeping StudioError codes', async () => {
    const registry = new HandlerRegistry();
    registry.register('app-ping', ({ value }) => {
      if (value === 'missing') throw new StudioError('not-found', 'No dataset named "x": import it first.');
      throw new Error('disk on fire');
    });
    expect(await registry.dispatch('app-ping', { value: 'missing' }, ctx)).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'No dataset named "x": import it first.' },
    });
    expect(await registry.dispatch('app-ping', { value: 'other' }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'internal', message: expect.stringContaining('disk on fire') as string },
    });
  });

  it('answers a valid request', async () => {
    const result = await studio.registry.dispatch('app-info', {}, ctx);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value).toMatchObject({ transport: 'web', libraryPath: library });
  });
});
