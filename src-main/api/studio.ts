import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { EventBus } from './events.ts';
import { FileRoutes } from './files.ts';
import { HandlerRegistry } from './registry.ts';
import { registerAppHandlers } from './handlers/app.ts';
import { registerLibraryHandlers } from './handlers/library.ts';
import { STUDIO_VERSION } from './version.ts';

export interface StudioOptions {
  transport: 'electron' | 'web';
  /** The library folder (library.db, blobs/). Created if missing. */
  libraryPath: string;
}

/** Everything handlers share. One per studio process (Electron main or web server). */
export interface StudioServices {
  readonly version: string;
  readonly transport: 'electron' | 'web';
  readonly libraryPath: string;
  readonly events: EventBus;
  /** `/files/<kind>/...` routes each domain registers (images, thumbnails, run artefacts). */
  readonly files: FileRoutes;
  /** Where web mode puts the bytes of one drag-in before importing them. */
  uploadFolder(session: string): string;
  /** Closed in reverse order when the studio shuts down (databases, trainer processes). */
  onClose(task: () => void | Promise<void>): void;
}

export interface Studio {
  readonly registry: HandlerRegistry;
  readonly events: EventBus;
  readonly services: StudioServices;
  close(): Promise<void>;
}

type DomainRegistration = (registry: HandlerRegistry, services: StudioServices) => void;

/** One entry per domain: each registers its handlers and file routes. */
const domains: DomainRegistration[] = [registerAppHandlers, registerLibraryHandlers];

export function createStudio(options: StudioOptions): Studio {
  mkdirSync(options.libraryPath, { recursive: true });
  const events = new EventBus();
  const closers: Array<() => void | Promise<void>> = [];
  const services: StudioServices = {
    version: STUDIO_VERSION,
    transport: options.transport,
    libraryPath: options.libraryPath,
    events,
    files: new FileRoutes(),
    uploadFolder: (session) => join(options.libraryPath, '.uploads', session),
    onClose: (task) => closers.push(task),
  };
  const registry = new HandlerRegistry();
  for (const register of domains) register(registry, services);
  let closed = false;
  return {
    registry,
    events,
    services,
    async close() {
      if (closed) return;
      closed = true;
      for (const task of closers.reverse()) {
        try {
          await task();
        } catch (error) {
          console.error('while closing the studio:', error);
        }
      }
    },
  };
}
