import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const APP_NAME = 'cgan-studio';

/**
 * The per-user folder Electron calls `userData`; the desktop app, the CLI and web mode
 * share the library under it unless told otherwise (`--library`, CGAN_STUDIO_LIBRARY).
 */
export function userDataPath(): string {
  const home = homedir();
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP_NAME);
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', APP_NAME);
  return join(process.env.XDG_CONFIG_HOME ?? join(home, '.config'), APP_NAME);
}

export function defaultLibraryPath(): string {
  return process.env.CGAN_STUDIO_LIBRARY ?? join(userDataPath(), 'library');
}

/** The repository (or installed package) root, found from this file's location. */
export function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** The built renderer, as `electron-vite build` writes it. */
export function builtRendererDir(): string {
  return join(packageRoot(), 'out', 'renderer');
}
