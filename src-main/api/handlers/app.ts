import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { HandlerRegistry } from '../registry.ts';
import type { StudioServices } from '../studio.ts';
import { availableBackends } from '../../engine/backend-detect.ts';

export function registerAppHandlers(registry: HandlerRegistry, services: StudioServices): void {
  registry.register('app-info', () => {
    const backends = availableBackends();
    return {
      version: services.version,
      transport: services.transport,
      libraryPath: services.libraryPath,
      backends,
      backend: backends[0] ?? 'cpu',
      platform: `${process.platform}-${process.arch}`,
    };
  });
  registry.register('app-ping', ({ value }) => ({ value, at: Date.now() }));
  registry.register('upload-discard', async ({ session }) => {
    const folder = services.uploadFolder(session);
    if (!existsSync(folder)) return { removed: false };
    await rm(folder, { recursive: true, force: true });
    return { removed: true };
  });
}
