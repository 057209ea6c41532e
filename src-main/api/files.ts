import { isAbsolute, relative, resolve } from 'node:path';

/**
 * Maps `/files/<kind>/<rest>` to a file on disk, for both the web server and the
 * Electron `studio://` protocol. Each domain registers the kinds it owns (blob, thumb,
 * run...) and validates `rest` itself; nothing outside a registered root is served.
 */
export interface ResolvedFile {
  path: string;
  /** When the file name has no telling extension (content-addressed blobs). */
  contentType?: string;
}

export type FileResolver = (rest: string) => ResolvedFile | null | Promise<ResolvedFile | null>;

export class FileRoutes {
  readonly #routes = new Map<string, FileResolver>();

  register(kind: string, resolver: FileResolver): void {
    if (!/^[a-z][a-z0-9-]*$/.test(kind)) throw new Error(`bad file route name "${kind}"`);
    if (this.#routes.has(kind)) throw new Error(`file route "${kind}" is already registered`);
    this.#routes.set(kind, resolver);
  }

  /** `path` is what follows `/files/`, still URL-encoded. */
  async resolve(path: string): Promise<ResolvedFile | null> {
    const slash = path.indexOf('/');
    if (slash <= 0) return null;
    const resolver = this.#routes.get(path.slice(0, slash));
    if (!resolver) return null;
    let rest: string;
    try {
      rest = decodeURIComponent(path.slice(slash + 1));
    } catch {
      return null;
    }
    if (rest.includes('\0')) return null;
    return resolver(rest);
  }
}

/** Joins `rest` under `root`, or null if the result would leave `root` (`..`, absolute paths). */
export function safeJoin(root: string, rest: string): string | null {
  if (rest.includes('\0') || isAbsolute(rest) || /^[a-zA-Z]:/.test(rest)) return null;
  const full = resolve(root, rest);
  const rel = relative(root, full);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null;
  return full;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.bmp': 'image/bmp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webm': 'video/webm',
};

export function contentTypeOf(path: string): string {
  const dot = path.lastIndexOf('.');
  const ext = dot >= 0 ? path.slice(dot).toLowerCase() : '';
  return TYPES[ext] ?? 'application/octet-stream';
}
