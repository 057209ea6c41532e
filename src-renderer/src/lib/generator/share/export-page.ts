/// <reference types="vite/client" />
import runtimeUrl from './page-runtime.ts?worker&url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import type { LatentDirection } from '../directions.ts';
import { artifactsOf } from '../directions-client.ts';
import type { LoadedGenerator } from '../model.ts';
import { blobToBase64 } from '../raster.ts';
import { PAYLOAD_ELEMENT_ID, type SharePayload } from './payload.ts';

// A self-contained page for a generator: the model and weights as base64 JSON, the page
// runtime (its own small tfjs bundle) inline, no network. It opens from file://.

export interface ShareOptions {
  title: string;
  generator: LoadedGenerator;
  directions: LatentDirection[] | null;
  seed: number;
  label: number;
  truncation: number;
}

async function fetchOk(url: string, what: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Could not read ${what} (HTTP ${response.status}).`);
  return response;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Keeps `</script>` and `<!--` inside inlined text from ending the script element. */
const scriptSafe = (text: string) => text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

/** The page for the weights in view (the export or any checkpoint, EMA or raw), as they are in memory. */
export async function buildSharePage(options: ShareOptions): Promise<string> {
  const { generator } = options;
  const [artifacts, runtime, wasm] = await Promise.all([
    artifactsOf(generator),
    fetchOk(runtimeUrl, 'the page runtime').then((r) => r.text()),
    fetchOk(wasmSimd, 'the WebAssembly backend').then((r) => r.blob()),
  ]);
  if (/^\s*import\s/m.test(runtime)) {
    throw new Error('The page runtime is not bundled (development server): build the studio to export pages.');
  }
  const data = artifacts.weightData!;
  const weights = new Blob(Array.isArray(data) ? data : [data]);
  const info = generator.info;
  const modelJson: SharePayload['modelJson'] = {
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
  };
  const payload: SharePayload = {
    title: options.title,
    info,
    modelJson,
    weightsBase64: await blobToBase64(weights),
    directions: (options.directions ?? []).map((d) => ({ vector: Array.from(d.vector), share: d.share })),
    initial: {
      seed: options.seed,
      label: Math.min(options.label, info.labels.length - 1),
      truncation: options.truncation,
    },
    wasmBase64: await blobToBase64(wasm),
    exportedAt: new Date().toISOString(),
  };
  const json = JSON.stringify(payload).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="cGAN Studio">
<title>${escapeHtml(options.title)} · generator</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<main>
  <header><h1>${escapeHtml(options.title)}</h1><p id="status">Loading the generator…</p></header>
  <div class="layout">
    <div class="picture"><canvas id="image" width="1" height="1"></canvas></div>
    <div class="controls">
      <div id="labels" class="labels" role="listbox" aria-label="Label"></div>
      <div class="seed"><label>Seed <input id="seed" type="number" min="0"></label><button id="random" type="button">New seed</button></div>
      <label class="trunc">Truncation <input id="truncation" type="range" min="0.2" max="3" step="0.1"></label>
      <div id="sliders" class="sliders"></div>
    </div>
  </div>
  <footer>Made with cGAN Studio · the whole generator is inside this file.</footer>
</main>
<script type="application/json" id="${PAYLOAD_ELEMENT_ID}">${json}</script>
<script>${scriptSafe(runtime)}</script>
</body>
</html>
`;
}

const PAGE_CSS = `
:root{color-scheme:light dark;--bg:#f7f7f8;--raised:#fff;--text:#16181d;--muted:#5d6270;--border:rgba(15,17,21,.12);--accent:#5b5bd6}
@media (prefers-color-scheme:dark){:root{--bg:#0f1115;--raised:#171a20;--text:#e8e9ed;--muted:#a0a5b3;--border:rgba(255,255,255,.1);--accent:#8383f0}}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--text);font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif}
main{max-width:1040px;margin:0 auto;padding:32px 24px}h1{margin:0;font-size:22px;letter-spacing:-.01em}#status{margin:4px 0 24px;color:var(--muted);font-size:13px}
.layout{display:grid;grid-template-columns:minmax(0,1fr) 340px;gap:32px;align-items:start}
.picture{padding:8px;background:var(--raised);border:1px solid var(--border);border-radius:14px;box-shadow:0 4px 16px rgba(0,0,0,.08)}
canvas{display:block;width:100%;aspect-ratio:1;image-rendering:pixelated;border-radius:10px}
.labels{display:flex;flex-wrap:wrap;gap:6px;margin-bottom:16px}.labels button{height:28px;padding:0 10px;border:1px solid var(--border);border-radius:999px;background:var(--raised);color:var(--text);cursor:pointer;font:inherit;font-size:12.5px}
.labels button[aria-selected=true]{border-color:var(--accent);background:var(--accent);color:#fff}
.seed{display:flex;gap:8px;align-items:center;margin-bottom:10px}.seed input{width:120px;height:30px;padding:0 8px;border:1px solid var(--border);border-radius:6px;background:var(--raised);color:var(--text);font-family:ui-monospace,monospace}
.seed button{height:30px;padding:0 12px;border:1px solid var(--border);border-radius:6px;background:var(--raised);color:var(--text);cursor:pointer;font:inherit}
.trunc{display:flex;gap:8px;align-items:center;margin-bottom:16px;color:var(--muted);font-size:12.5px}
.sliders{max-height:60vh;overflow-y:auto;padding-right:6px}.sliders label{display:grid;grid-template-columns:90px 1fr;gap:8px;align-items:center;height:24px;font:11px ui-monospace,monospace;color:var(--muted)}
input[type=range]{width:100%;accent-color:var(--accent)}footer{margin-top:32px;color:var(--muted);font-size:12px}
@media (max-width:760px){.layout{grid-template-columns:1fr}}
`;
