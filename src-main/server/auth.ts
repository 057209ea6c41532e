import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'cgan_studio_token';

export function newToken(): string {
  return randomBytes(24).toString('hex');
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === TOKEN_COOKIE) return value.join('=');
  }
  return undefined;
}

/**
 * Like Jupyter: the token comes in the URL once (`?token=`), after which a
 * same-site cookie carries it. `Authorization: Bearer` works for scripts.
 * 401 = no token at all, 403 = a wrong one.
 */
export function checkToken(req: IncomingMessage, url: URL, token: string): 200 | 401 | 403 {
  const bearer = req.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  const offered = url.searchParams.get('token') ?? bearer ?? cookieToken(req);
  if (offered === undefined || offered === null || offered === '') return 401;
  return sameToken(offered, token) ? 200 : 403;
}

/**
 * Refuses requests whose Host is not a loopback name: a page on another site that
 * rebinds its DNS name to 127.0.0.1 must not reach the studio. The port is not
 * checked because an SSH tunnel may forward a different local port.
 */
export function loopbackHost(req: IncomingMessage): boolean {
  const host = req.headers.host;
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
  return name === '127.0.0.1' || name === 'localhost' || name === '[::1]';
}

/** A WebSocket from a page must come from the studio's own origin (no cross-site sockets). */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true; // non-browser clients (CLI, tests) send none
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
