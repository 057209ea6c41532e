import { join } from 'node:path';
import { BrowserWindow, dialog, nativeTheme } from 'electron';
import { APP_ORIGIN } from './protocol.ts';

/**
 * `busy` lists work that closing would interrupt (training runs): the person is asked
 * first, and told that a training run keeps its progress up to a final checkpoint.
 */
export function createMainWindow(preloadDir: string, busy: () => string[]): BrowserWindow {
  const window = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'cGAN Studio',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#0f1115' : '#f7f7f8',
    webPreferences: {
      preload: join(preloadDir, 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  let confirmed = false;
  // The page's own beforeunload guard (web mode's "leave site?") would block an Electron
  // close without a word: main already asked, so it decides.
  window.webContents.on('will-prevent-unload', (event) => {
    if (confirmed || busy().length === 0) event.preventDefault();
  });
  window.on('close', (event) => {
    const work = busy();
    if (confirmed || work.length === 0 || BrowserWindow.getAllWindows().length > 1) return;
    event.preventDefault();
    void dialog
      .showMessageBox(window, {
        type: 'question',
        buttons: ['Keep working', 'Close and stop training'],
        defaultId: 0,
        cancelId: 0,
        message: 'Training is still running',
        detail: `${work.join('\n')}.\n\nClosing stops it after writing a checkpoint; you can resume it later from the Train view.`,
      })
      .then(({ response }) => {
        if (response === 1) {
          confirmed = true;
          window.close();
        }
      });
  });
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  void window.loadURL(devUrl ?? `${APP_ORIGIN}/index.html`);
  return window;
}
