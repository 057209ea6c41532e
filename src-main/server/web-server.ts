// Web mode (DESIGN §2): one HTTP server on loopback that serves the built renderer,
// library files, uploads of dropped files and a WebSocket carrying the contract.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import { UPLOAD_SESSION } from '../api/contract/app.ts';
import { STUDIO_CSP } from '../api/csp.ts';
import { contentTypeOf, safeJoin } from '../api/files.ts';
import type { Studio } from '../api/studio.ts';
import { FILES_PREFIX, SOCKET_PATH, UPLOAD_PREFIX } from '../api/wire.ts';
import { TOKEN_COOKIE, checkToken, loopbackHost, newToken, sameOrigin } from './auth.ts';
import { attachSocket } from './socket.ts';

export interface WebServerOptions {
  studio: Studio;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** 0 or absent: a free port. */
  port?: number;
  token?: string;
  /** Largest single uploaded file, bytes. */
  maxUploadBytes?: number;
}

export interface WebServer {
  url: string;
  port: number;
  token: string;
  server: Server;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  contentType: string,
  cache: string,
): Promise<void> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) return send(res, 404, 'Not found');
    size = info.size;
  } catch {
    return send(res, 404, 'Not found');
  }
  res.writeHead(200, {
    'Content-Type': contentType,
    'Content-Length': size,
    'Cache-Control': cache,
    'X-Content-Type-Options': 'nosniff',
  });
  if (req.method === 'HEAD') return void res.end();
  await pipeline(createReadStream(path), res);
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const { studio, rendererDir } = options;
  const token = options.token ?? newToken();
  const maxUpload = options.maxUploadBytes ?? 1024 ** 3;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (!loopbackHost(req)) return send(res, 403, 'Forbidden: the studio only answers on 127.0.0.1 / localhost.');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const auth = checkToken(req, url, token);
    if (auth === 401)
      return send(res, 401, 'This studio needs its token: open the URL printed by `npm run serve` (…/?token=…).');
    if (auth === 403) return send(res, 403, 'Wrong token: open the URL printed by `npm run serve`.');

    if (url.searchParams.has('token') && req.method === 'GET' && !url.pathname.startsWith(FILES_PREFIX)) {
      // Trade the URL token for a cookie, so it leaves the address bar and history.
      res.setHeader('Set-Cookie', `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
      url.searchParams.delete('token');
      res.writeHead(302, { Location: url.pathname + url.search });
      return void res.end();
    }

    if (url.pathname.startsWith(UPLOAD_PREFIX)) return handleUpload(req, res, url);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed');

    if (url.pathname.startsWith(FILES_PREFIX)) {
      const file = await studio.services.files.resolve(url.pathname.slice(FILES_PREFIX.length));
      if (!file) return send(res, 404, 'Not found');
      return sendFile(req, res, file.path, file.contentType ?? contentTypeOf(file.path), 'private, max-age=3600');
    }

    // The renderer: static files, index.html for everything else (client-side views).
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname).replace(/^\/+/, '');
    } catch {
      return send(res, 400, 'Bad path');
    }
    const asset = rel === '' ? null : safeJoin(rendererDir, rel);
    if (rel !== '' && !asset) return send(res, 404, 'Not found');
    if (asset) {
      const info = await stat(asset).catch(() => null);
      if (info?.isFile()) return sendFile(req, res, asset, contentTypeOf(asset), 'no-cache');
      if (/\.[a-z0-9]+$/i.test(rel)) return send(res, 404, 'Not found');
    }
    res.setHeader('Content-Security-Policy', STUDIO_CSP);
    return sendFile(req, res, join(rendererDir, 'index.html'), 'text/html; charset=utf-8', 'no-cache');
  }

  /** PUT /upload/<session>/<relative path>: the bytes of one dropped file. */
  async function handleUpload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'PUT' && req.method !== 'POST') return send(res, 405, 'Use PUT');
    if (!sameOrigin(req)) return send(res, 403, 'Cross-origin upload refused');
    const rest = url.pathname.slice(UPLOAD_PREFIX.length);
    const slash = rest.indexOf('/');
    const session = slash > 0 ? rest.slice(0, slash) : '';
    if (!UPLOAD_SESSION.test(session)) return send(res, 400, 'Bad upload session id');
    let relPath: string;
    try {
      relPath = decodeURIComponent(rest.slice(slash + 1));
    } catch {
      return send(res, 400, 'Bad file path');
    }
    const root = studio.services.uploadFolder(session);
    const target = safeJoin(root, relPath);
    if (!target) return send(res, 400, `Refused upload path "${relPath}": it leaves the upload folder`);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxUpload) return send(res, 413, `"${relPath}" is larger than ${maxUpload} bytes`);
    await mkdir(dirname(target), { recursive: true });
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxUpload) req.destroy(new Error('upload too large'));
    });
    try {
      await pipeline(req, createWriteStream(target));
    } catch (error) {
      return send(res, 400, `Upload of "${relPath}" failed: ${(error as Error).message}`);
    }
    return send(res, 200, JSON.stringify({ ok: true, bytes: received }), 'application/json');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, `Internal error: ${(error as Error).message}`);
      else res.destroy();
    });
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== SOCKET_PATH) return refuse(404, 'Not Found');
    if (!loopbackHost(req) || !sameOrigin(req)) return refuse(403, 'Forbidden');
    const auth = checkToken(req, url, token);
    if (auth !== 200) return refuse(auth, auth === 401 ? 'Unauthorized' : 'Forbidden');
    sockets.handleUpgrade(req, socket, head, (ws: WebSocket) => attachSocket(ws, studio));
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    server,
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
