import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { EventBus } from './events.ts';
import { FileRoutes } from './files.ts';
import { HandlerRegistry } from './registry.ts';
import { registerAppHandlers } from './handlers/app.ts';
import { registerLibraryHandlers } from './handlers/library.ts';
import { registerRunHandlers } from './handlers/runs.ts';
import { registerGeneratorHandlers } from './handlers/generator.ts';
import { forkedTrainer, type TrainerLauncher } from './runs/trainer-process.ts';
import { Library } from '../library/library.ts';
import { STUDIO_VERSION } from './version.ts';

export interface StudioOptions {
  transport: 'electron' | 'web';
  /** The library folder (library.db, blobs/). Created if missing. */
  libraryPath: string;
  /** How to start a trainer process: Electron passes utilityProcess; default child_process.fork. */
  launchTrainer?: TrainerLauncher;
}

/** The trainer entry beside the trainer's client (web mode, CLI, tests from a checkout). */
export const defaultLaunchTrainer: TrainerLauncher = forkedTrainer();

/** Everything handlers share. One per studio process (Electron main or web server). */
export interface StudioServices {
  readonly version: string;
  readonly transport: 'electron' | 'web';
  readonly libraryPath: string;
  readonly events: EventBus;
  /** The open library database, shared by every domain of this process. */
  readonly library: Library;
  readonly launchTrainer: TrainerLauncher;
  /** `/files/<kind>/...` routes each domain registers (images, thumbnails, run artefacts). */
  readonly files: FileRoutes;
  /** Where web mode puts the bytes of one drag-in before importing them. */
  uploadFolder(session: string): string;
  /** Closed in reverse order when the studio shuts down (databases, trainer processes). */
  onClose(task: () => void | Promise<void>): void;
  /** Registers a report of work that closing the studio would interrupt. */
  addBusyCheck(check: () => string[]): void;
}

export interface Studio {
  readonly registry: HandlerRegistry;
  readonly events: EventBus;
  readonly services: StudioServices;
  /** Work in progress, in words ("“shoes #2” is training"): ask before quitting when not empty. */
  busy(): string[];
  close(): Promise<void>;
}

type DomainRegistration = (registry: HandlerRegistry, services: StudioServices) => void;

/** One entry per domain: each registers its handlers and file routes. */
const domains: DomainRegistration[] = [
  registerAppHandlers,
  registerLibraryHandlers,
  registerRunHandlers,
  registerGeneratorHandlers,
];

export function createStudio(options: StudioOptions): Studio {
  mkdirSync(options.libraryPath, { recursive: true });
  const events = new EventBus();
  const library = Library.open(options.libraryPath);
  // Closed last: every other domain's shutdown may still write to it.
  const closers: Array<() => void | Promise<void>> = [() => library.close()];
  const busyChecks: Array<() => string[]> = [];
  const services: StudioServices = {
    version: STUDIO_VERSION,
    transport: options.transport,
    libraryPath: options.libraryPath,
    events,
    library,
    launchTrainer: options.launchTrainer ?? defaultLaunchTrainer,
    files: new FileRoutes(),
    uploadFolder: (session) => join(options.libraryPath, '.uploads', session),
    onClose: (task) => closers.push(task),
    addBusyCheck: (check) => busyChecks.push(check),
  };
  const registry = new HandlerRegistry();
  for (const register of domains) register(registry, services);
  let closed = false;
  return {
    registry,
    events,
    services,
    busy: () => busyChecks.flatMap((check) => check()),
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
