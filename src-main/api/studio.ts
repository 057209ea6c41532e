import { EventBus } from './events.ts';
import { HandlerRegistry } from './registry.ts';
import { registerAppHandlers } from './handlers/app.ts';
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
}

export interface Studio {
  readonly registry: HandlerRegistry;
  readonly events: EventBus;
  readonly services: StudioServices;
  close(): Promise<void>;
}

const domains = [registerAppHandlers];

export function createStudio(options: StudioOptions): Studio {
  const events = new EventBus();
  const services: StudioServices = {
    version: STUDIO_VERSION,
    transport: options.transport,
    libraryPath: options.libraryPath,
    events,
  };
  const registry = new HandlerRegistry();
  for (const register of domains) register(registry, services);
  return {
    registry,
    events,
    services,
    close: async () => {},
  };
}
