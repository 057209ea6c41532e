import { existsSync, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { launchBrowser } from './support/browser.ts';
import { startStudio, type RunningStudio } from './support/studio-server.ts';

const SHOTS = join(import.meta.dirname, '..', '..', 'test-results');

let studio: RunningStudio;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  studio = await startStudio();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await studio?.stop();
});

async function openStudio(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(studio.url);
  await page.getByRole('navigation', { name: 'Studio sections' }).waitFor();
  return page;
}

function socket(headers: Record<string, string> = {}, query = `?token=${studio.token}`): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${studio.port}/ws${query}`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket, type: string): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const message = JSON.parse(data.toString()) as Record<string, unknown>;
      if (message.type === type) {
        ws.off('message', onMessage);
        resolve(message);
      }
    };
    ws.on('message', onMessage);
  });
}

describe('web mode', () => {
  it('refuses HTTP requests without the token (401) or with a wrong one (403)', async () => {
    expect((await fetch(`${studio.origin}/`)).status).toBe(401);
    expect((await fetch(`${studio.origin}/index.html`)).status).toBe(401);
    expect((await fetch(`${studio.origin}/files/blob/abc`)).status).toBe(401);
    expect((await fetch(`${studio.origin}/?token=nope`)).status).toBe(403);
    const withToken = await fetch(`${studio.origin}/?token=${studio.token}`, { redirect: 'manual' });
    expect(withToken.status).toBe(302);
    expect(withToken.headers.get('set-cookie')).toContain('HttpOnly');
  });

  it('refuses a DNS-rebound Host header even with the token', async () => {
    // fetch() may not override Host, so speak plain HTTP.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: studio.port, path: '/', headers: { Host: 'evil.example', Authorization: `Bearer ${studio.token}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('does not serve files outside the renderer or the library (path traversal)', async () => {
    const auth = { Authorization: `Bearer ${studio.token}` };
    for (const path of ['/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/files/blob/..%2f..%2f..%2fetc%2fpasswd']) {
      const response = await fetch(`${studio.origin}${path}`, { headers: auth });
      expect([400, 404]).toContain(response.status);
      expect(await response.text()).not.toContain('"name": "cgan-studio"');
    }
  });

  it('refuses WebSocket upgrades without the token', async () => {
    await expect(socket({}, '')).rejects.toThrow(/401/);
    await expect(socket({}, '?token=wrong')).rejects.toThrow(/403/);
  });

  it('answers invalid WebSocket payloads with typed errors and keeps serving', async () => {
    const ws = await socket();
    const bad = [
      'not json',
      JSON.stringify({ hello: 'world' }),
      JSON.stringify({ type: 'request', id: 1, name: 'no-such-request', input: {} }),
      JSON.stringify({ type: 'request', id: 2, name: 'app-ping', input: { value: 42 } }),
    ];
    const codes: string[] = [];
    for (const message of bad) {
      const reply = nextMessage(ws, 'response');
      ws.send(message);
      const { result } = (await reply) as { result: { ok: boolean; error: { code: string } } };
      expect(result.ok).toBe(false);
      codes.push(result.error.code);
    }
    expect(codes).toEqual(['invalid-message', 'invalid-message', 'unknown-request', 'invalid-input']);

    const reply = nextMessage(ws, 'response');
    ws.send(JSON.stringify({ type: 'request', id: 3, name: 'app-ping', input: { value: 'still here' } }));
    expect(await reply).toMatchObject({ id: 3, result: { ok: true, value: { value: 'still here' } } });
    ws.close();
    expect(studio.process.exitCode).toBeNull();
  });

  it('shows the studio shell in Chromium', async () => {
    const page = await openStudio();
    // The token was traded for a cookie and left the address bar.
    expect(page.url()).not.toContain('token=');
    await expect.poll(() => page.getByTestId('connection').textContent()).toContain('Connected');
    await expect.poll(() => page.getByTestId('backend').textContent()).toMatch(/Compute: (WebAssembly|JavaScript|TensorFlow)/);
    for (const name of ['Library', 'Train', 'Generate']) {
      expect(await page.getByRole('button', { name: new RegExp(name) }).count()).toBeGreaterThan(0);
    }
    await page.screenshot({ path: join(SHOTS, 'shell-library.png') });

    await page.keyboard.press('Control+2');
    await expect.poll(() => page.locator('main').getAttribute('data-view')).toBe('train');
    await page.click('[data-view="generate"]');
    await expect.poll(() => page.locator('main').getAttribute('data-view')).toBe('generate');
    await page.close();
  });
});

describe('web-mode uploads', () => {
  it('stores dropped files under the upload session, refuses paths that leave it, and discards them', async () => {
    const auth = { Authorization: `Bearer ${studio.token}` };
    const put = (path: string, body: string) => fetch(`${studio.origin}/upload/${path}`, { method: 'PUT', headers: auth, body });
    expect((await put('session-0001/shoes/a.txt', 'hello')).status).toBe(200);
    expect(existsSync(join(studio.library, '.uploads', 'session-0001', 'shoes', 'a.txt'))).toBe(true);
    expect((await put('session-0001/..%2F..%2Fescape.txt', 'x')).status).toBe(400);
    expect((await put('bad/x.txt', 'x')).status).toBe(400);
    expect((await fetch(`${studio.origin}/upload/session-0001/b.txt`, { method: 'PUT', body: 'x' })).status).toBe(401);

    const ws = await socket();
    const reply = nextMessage(ws, 'response');
    ws.send(JSON.stringify({ type: 'request', id: 9, name: 'upload-discard', input: { session: 'session-0001' } }));
    expect(await reply).toMatchObject({ id: 9, result: { ok: true, value: { removed: true } } });
    expect(existsSync(join(studio.library, '.uploads', 'session-0001'))).toBe(false);
    ws.close();
  });
});
