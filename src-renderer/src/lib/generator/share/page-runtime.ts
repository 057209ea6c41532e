// The script of an exported generator page: a single file that opens from disk in any
// browser (file://), without the studio. Bundled on its own (tfjs-core, -layers, the cpu
// and wasm backends and the explorer's own latent and rendering code), then inlined into
// the page by export-page.ts, next to the generator's weights.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerFastTransposeConvolution } from '../kernels.ts';
import { SIGMA_LIMIT, labelVector, latentForSeed, project, randomSeed, setAlong } from '../latent.ts';
import { LoadedGenerator, modelFromArtifacts } from '../model.ts';
import { PAYLOAD_ELEMENT_ID, type SharePayload } from './payload.ts';

function bytesOf(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

async function startBackend(payload: SharePayload): Promise<string> {
  registerFastTransposeConvolution();
  if (payload.wasmBase64) {
    try {
      const url = URL.createObjectURL(new Blob([bytesOf(payload.wasmBase64)], { type: 'application/wasm' }));
      setWasmPaths({
        'tfjs-backend-wasm-simd.wasm': url,
        'tfjs-backend-wasm.wasm': url,
        'tfjs-backend-wasm-threaded-simd.wasm': url,
      });
      if (await tf.setBackend('wasm')) return 'wasm';
    } catch (error) {
      console.warn('WebAssembly did not start; using plain JavaScript:', error);
    }
  }
  await tf.setBackend('cpu');
  return 'cpu';
}

async function main(): Promise<void> {
  const payload = JSON.parse(document.getElementById(PAYLOAD_ELEMENT_ID)!.textContent!) as SharePayload;
  const status = document.getElementById('status')!;
  const backend = await startBackend(payload);
  const weights = bytesOf(payload.weightsBase64);
  const model = await modelFromArtifacts(payload.modelJson as Parameters<typeof modelFromArtifacts>[0], weights.buffer);
  const generator = new LoadedGenerator(payload.info, model, { checkpoint: null, ema: payload.info.ema });
  const { labels, latentDim, imageSize } = payload.info;
  const directions = payload.directions.map((d) => ({ vector: Float32Array.from(d.vector), share: d.share }));

  const state = { ...payload.initial, z: latentForSeed(payload.initial.seed, latentDim, payload.initial.truncation) };
  const canvas = document.getElementById('image') as HTMLCanvasElement;
  canvas.width = canvas.height = imageSize;
  const seedInput = document.getElementById('seed') as HTMLInputElement;
  const labelRow = document.getElementById('labels')!;
  const sliders = document.getElementById('sliders')!;
  const sliderInputs: Array<{ input: HTMLInputElement; read: () => number }> = [];
  let pending = false;
  let frames = 0;

  const draw = () => {
    pending = false;
    const pixels = generator.render(state.z, labelVector(labels.length, state.label), 1);
    canvas.getContext('2d')!.putImageData(new ImageData(pixels, imageSize, imageSize), 0, 0);
    canvas.dataset.frames = String(++frames);
    for (const s of sliderInputs) if (document.activeElement !== s.input) s.input.value = String(s.read());
    labelRow.querySelectorAll('button').forEach((b, i) => b.setAttribute('aria-selected', String(i === state.label)));
    seedInput.value = String(state.seed);
  };
  const redraw = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(draw);
  };
  const setSeed = (seed: number) => {
    state.seed = Math.max(0, Math.floor(seed)) >>> 0;
    state.z = latentForSeed(state.seed, latentDim, state.truncation);
    redraw();
  };

  labels.forEach((name, i) =>
    labelRow.append(element('button', { textContent: name, onclick: () => ((state.label = i), redraw()) })),
  );
  seedInput.onchange = () => setSeed(Number(seedInput.value));
  (document.getElementById('random') as HTMLButtonElement).onclick = () => setSeed(randomSeed() % 1_000_000);
  const truncation = document.getElementById('truncation') as HTMLInputElement;
  truncation.value = String(state.truncation || SIGMA_LIMIT);
  truncation.onchange = () => {
    const t = Number(truncation.value);
    state.truncation = t >= SIGMA_LIMIT ? 0 : t;
    setSeed(state.seed);
  };

  const slider = (name: string, read: () => number, write: (v: number) => void) => {
    const input = element('input', {
      type: 'range',
      min: String(-SIGMA_LIMIT),
      max: String(SIGMA_LIMIT),
      step: '0.01',
    });
    input.oninput = () => {
      write(Number(input.value));
      redraw();
    };
    sliderInputs.push({ input, read });
    sliders.append(element('label', {}, element('span', { textContent: name }), input));
  };
  directions.forEach((d, k) =>
    slider(
      `direction ${k + 1}`,
      () => project(state.z, d.vector),
      (v) => (state.z = setAlong(state.z, d.vector, v)),
    ),
  );
  for (let i = 0; i < latentDim; i++) {
    slider(
      `z${i}`,
      () => state.z[i],
      (v) => {
        state.z = state.z.slice();
        state.z[i] = v;
      },
    );
  }
  status.textContent = `${labels.length} labels · ${imageSize} px · step ${payload.info.step}${payload.info.ema ? ' (EMA)' : ''} · ${backend}`;
  draw();
  document.body.dataset.ready = 'true';
}

main().catch((error: unknown) => {
  const status = document.getElementById('status');
  if (status)
    status.textContent = `This page could not start the generator: ${error instanceof Error ? error.message : String(error)}`;
  console.error(error);
});
