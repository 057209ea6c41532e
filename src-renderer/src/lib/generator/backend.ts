/// <reference types="vite/client" />
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgl';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { registerFastTransposeConvolution } from './kernels.ts';

// Which tfjs backend runs the explorer: a hardware WebGL context when there is one,
// else WebAssembly (served from the renderer's own assets: the CSP allows
// 'wasm-unsafe-eval' and nothing from elsewhere), else plain JavaScript.

export type RendererBackend = 'webgl' | 'wasm' | 'cpu';

/** A software rasteriser (SwiftShader, llvmpipe) runs WebGL slower than wasm runs the same model. */
function hardwareWebgl(): boolean {
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return false;
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = debug ? String(gl.getParameter(debug.UNMASKED_RENDERER_WEBGL)) : '';
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return !/swiftshader|llvmpipe|software|basic render/i.test(renderer);
  } catch {
    return false;
  }
}

let chosen: Promise<RendererBackend> | undefined;

/** Picks and initialises the backend once per window; later calls share the answer. */
export function useBestBackend(prefer?: RendererBackend): Promise<RendererBackend> {
  chosen ??= (async () => {
    setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmPlain,
      'tfjs-backend-wasm-simd.wasm': wasmSimd,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
    });
    registerFastTransposeConvolution();
    const order: RendererBackend[] = prefer ? [prefer] : [];
    if (hardwareWebgl()) order.push('webgl');
    order.push('wasm', 'cpu');
    for (const name of order) {
      try {
        if (await tf.setBackend(name)) {
          await tf.ready();
          return name;
        }
      } catch (error) {
        console.warn(`tfjs backend ${name} failed to start, trying the next:`, error);
      }
    }
    throw new Error('No TensorFlow.js backend could start in this window.');
  })();
  return chosen;
}
