import { Menu, type MenuItemConstructorOptions } from 'electron';
import type { ViewName } from '../api/contract/app.ts';
import type { Studio } from '../api/studio.ts';

/** The native menu mirrors the renderer's shortcuts so they are discoverable. */
export function installMenu(studio: Studio): void {
  const show = (view: ViewName) => () => studio.events.emit('app-navigate', { view });
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { label: 'Library', accelerator: 'CmdOrCtrl+1', click: show('library') },
        { label: 'Train', accelerator: 'CmdOrCtrl+2', click: show('train') },
        { label: 'Generate', accelerator: 'CmdOrCtrl+3', click: show('generate') },
        { type: 'separator' },
        { role: 'reload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
