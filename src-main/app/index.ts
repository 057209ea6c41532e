// Electron main: windows, menu, security, the studio:// protocol and IPC wiring.
// All domain work happens behind the contract; tensor work happens in the trainer process.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog } from 'electron';
import { createStudio, type Studio } from '../api/studio.ts';
import { wireIpc } from './ipc.ts';
import { installMenu } from './menu.ts';
import { handleStudioProtocol, registerSchemePrivileges } from './protocol.ts';
import { applySecurityBaseline } from './security.ts';
import { createMainWindow } from './window.ts';
import { utilityTrainer } from './trainer-launcher.ts';

const here = dirname(fileURLToPath(import.meta.url));

registerSchemePrivileges();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let studio: Studio | null = null;
  let mainWindow: BrowserWindow | null = null;

  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting || !studio) return;
    // Stop trainers and close the database before the process goes away.
    event.preventDefault();
    quitting = true;
    void studio.close().finally(() => app.quit());
  });

  void app.whenReady().then(() => {
    applySecurityBaseline();
    const libraryPath = process.env.CGAN_STUDIO_LIBRARY ?? join(app.getPath('userData'), 'library');
    try {
      studio = createStudio({
        transport: 'electron',
        libraryPath,
        launchTrainer: utilityTrainer(join(here, 'trainer.js')),
      });
    } catch (error) {
      dialog.showErrorBox('cGAN Studio cannot open its library', `${libraryPath}\n\n${(error as Error).message}`);
      app.exit(1);
      return;
    }
    handleStudioProtocol(studio, join(here, '../renderer'));
    wireIpc(studio);
    installMenu(studio);
    mainWindow = createMainWindow(join(here, '../preload'), () => studio?.busy() ?? []);
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) {
        mainWindow = createMainWindow(join(here, '../preload'), () => studio?.busy() ?? []);
      }
    });
  });
}
