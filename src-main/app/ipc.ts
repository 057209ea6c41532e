import { BrowserWindow, ipcMain, type IpcMainInvokeEvent } from 'electron';
import { fail } from '../api/envelope.ts';
import type { Studio } from '../api/studio.ts';
import { EVENT_CHANNEL, REQUEST_CHANNEL } from '../preload/types.ts';
import { isTrustedUrl } from './security.ts';

/** Every request arrives on one channel and is validated against the contract by the registry. */
export function wireIpc(studio: Studio): () => void {
  ipcMain.handle(REQUEST_CHANNEL, (event: IpcMainInvokeEvent, name: unknown, input: unknown) => {
    // Only our own top-level page may call: not an iframe, not a navigated-away page.
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null || !isTrustedUrl(frame.url)) {
      return fail('invalid-message', 'Requests are only accepted from the studio window.');
    }
    return studio.registry.dispatch(name, input, { transport: 'electron', clientId: String(event.sender.id) });
  });
  const unsubscribe = studio.events.subscribe((name, payload) => {
    for (const window of BrowserWindow.getAllWindows()) {
      if (!window.isDestroyed()) window.webContents.send(EVENT_CHANNEL, name, payload);
    }
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler(REQUEST_CHANNEL);
  };
}
