import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { net, protocol } from 'electron';
import { STUDIO_CSP } from '../api/csp.ts';
import { contentTypeOf, safeJoin } from '../api/files.ts';
import type { Studio } from '../api/studio.ts';
import { FILES_PREFIX } from '../api/wire.ts';
import { pathToFileURL } from 'node:url';

/** The app's own origin: the renderer and every image are served from here, never file://. */
export const SCHEME = 'studio';
export const APP_ORIGIN = `${SCHEME}://app`;

/** Must run before `app.ready`. */
export function registerSchemePrivileges(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, corsEnabled: true } },
  ]);
}

function notFound(): Response {
  return new Response('Not found', { status: 404 });
}

export function handleStudioProtocol(studio: Studio, rendererDir: string): void {
  protocol.handle(SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== 'app') return notFound();
    if (url.pathname.startsWith(FILES_PREFIX)) {
      const file = await studio.services.files.resolve(url.pathname.slice(FILES_PREFIX.length));
      if (!file) return notFound();
      const response = await net.fetch(pathToFileURL(file.path).toString());
      if (!response.ok) return notFound();
      const headers: Record<string, string> = {
        'Content-Type': file.contentType ?? contentTypeOf(file.path),
        'Cache-Control': 'private, max-age=3600',
      };
      // `npm start` serves the page from Vite's dev server, another origin: let it fetch run files.
      const devServer = process.env.ELECTRON_RENDERER_URL;
      if (devServer) headers['Access-Control-Allow-Origin'] = new URL(devServer).origin;
      return new Response(response.body, { headers });
    }
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname).replace(/^\/+/, '');
    } catch {
      return notFound();
    }
    const asset = rel === '' ? join(rendererDir, 'index.html') : safeJoin(rendererDir, rel);
    if (!asset) return notFound();
    const info = await stat(asset).catch(() => null);
    const path = info?.isFile() ? asset : join(rendererDir, 'index.html');
    const body = await readFile(path).catch(() => null);
    if (!body) return notFound();
    return new Response(body, {
      headers: { 'Content-Type': contentTypeOf(path), 'Content-Security-Policy': STUDIO_CSP },
    });
  });
}
