import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FileRoutes, safeJoin } from '../../src-main/api/files.ts';

describe('safeJoin', () => {
  it('keeps paths inside the root', () => {
    expect(safeJoin('/lib/blobs', 'ab/abcdef')).toBe('/lib/blobs/ab/abcdef');
    expect(safeJoin('/lib/blobs', 'a/../b')).toBe('/lib/blobs/b');
  });

  it('refuses anything that leaves the root', () => {
    for (const bad of ['..', '../x', 'a/../../x', '/etc/passwd', 'C:\\x', 'a\0b', '']) {
      expect(safeJoin('/lib/blobs', bad)).toBeNull();
    }
  });

  it('never returns a path outside the root, whatever the input', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('..', '.', 'a', 'b', '', '/', '\\', '%2e')), (parts) => {
        const joined = safeJoin('/root/dir', parts.join('/'));
        return joined === null || joined.startsWith('/root/dir/');
      }),
    );
  });
});

describe('FileRoutes', () => {
  it('routes by kind and decodes the rest once', async () => {
    const routes = new FileRoutes();
    routes.register('blob', (rest) => ({ path: `/blobs/${rest}` }));
    expect(await routes.resolve('blob/a%20b')).toEqual({ path: '/blobs/a b' });
    expect(await routes.resolve('thumb/x')).toBeNull();
    expect(await routes.resolve('blob')).toBeNull();
    expect(await routes.resolve('blob/%E0%A4%A')).toBeNull();
    expect(() => routes.register('blob', () => null)).toThrow(/already/);
  });
});
