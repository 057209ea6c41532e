import { app, session, shell, type WebContents } from 'electron';
import { APP_ORIGIN } from './protocol.ts';

/** Trusted page origins: the studio:// app, and the Vite dev server during `npm start`. */
export function isTrustedUrl(raw: string | undefined): boolean {
  if (!raw) return false;
  try {
    const url = new URL(raw);
    if (url.origin === APP_ORIGIN) return true;
    const dev = process.env.ELECTRON_RENDERER_URL;
    return !app.isPackaged && dev !== undefined && url.origin === new URL(dev).origin;
  } catch {
    return false;
  }
}

/** The Electron security checklist, applied to every web contents the app ever creates. */
export function applySecurityBaseline(): void {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isTrustedUrl(url)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isTrustedUrl(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      // Links to documentation open in the user's browser; the app never opens windows for pages.
      if (url.startsWith('https://')) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}
