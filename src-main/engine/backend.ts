import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendName } from '../api/contract/app.ts';
import { registerProjectKernels } from './kernels/index.ts';
import { OnnxRuntime } from './kernels/native/onnx-runtime.ts';

export type BackendRequest = 'auto' | BackendName;

export interface BackendOptions {
  /**
   * Hand convolutions, matrix products and large reductions of `wasm`/`cpu` to ONNX
   * Runtime's native CPU kernels when the optional onnxruntime-node package is
   * installed (default true).
   */
  nativeKernels?: boolean;
  /** Threads for those native kernels; 0 lets ONNX Runtime use every physical core. */
  threads?: number;
}

export interface ChosenBackend {
  name: BackendName;
  /** One line for the person: what runs the tensors and how. */
  detail: string;
  /** Whether ONNX Runtime's native kernels are registered on top of the backend. */
  nativeKernels: boolean;
}

// A variable specifier keeps TypeScript and bundlers from resolving this optional
// dependency at build time: it is only there on machines that installed it.
const TFJS_NODE_GPU = '@tensorflow/tfjs-node-gpu';

const FIXES: Record<BackendName, string> = {
  tensorflow:
    'install the optional dependency with `npm install @tensorflow/tfjs-node-gpu` (needs a supported OS; CUDA for the GPU), or choose --backend wasm',
  wasm: 'check that @tensorflow/tfjs-backend-wasm and its .wasm files are installed, or choose --backend cpu',
  cpu: 'reinstall @tensorflow/tfjs-backend-cpu',
};

async function loadTensorflow(): Promise<string> {
  // tfjs-node-gpu ships its own copy of tfjs-core. Engine and kernel registry are kept
  // on the global object by every tfjs-core copy, so its 'tensorflow' backend lands in
  // the same registry this module's `tf` uses; with npm's dedupe it is even the same copy.
  await import(/* @vite-ignore */ TFJS_NODE_GPU);
  if (tf.findBackendFactory('tensorflow') == null) {
    throw new Error('the package loaded but registered no "tensorflow" backend (a second, incompatible tfjs-core?)');
  }
  return 'libtensorflow (tfjs-node-gpu): CUDA GPU when found, else native CPU';
}

const PROCESS_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

/**
 * The wasm module (Emscripten) installs process-wide handlers that rethrow every
 * uncaught error from inside its own minified source, so Node prints that whole file
 * before the real error. They catch nothing the default handlers would not; the ones
 * `start` adds are removed again.
 */
async function withoutProcessHandlersAdded<T>(start: () => Promise<T>): Promise<T> {
  type Listener = (...args: unknown[]) => void;
  const events = (typeof process === 'undefined' ? undefined : process) as
    { listeners(event: string): Listener[]; removeListener(event: string, listener: Listener): unknown } | undefined;
  if (events == null) return start();
  const before = PROCESS_EVENTS.map((event) => new Set(events.listeners(event)));
  try {
    return await start();
  } finally {
    PROCESS_EVENTS.forEach((event, i) => {
      for (const listener of events.listeners(event)) {
        if (!before[i].has(listener)) events.removeListener(event, listener);
      }
    });
  }
}

let runtime: { threads: number; loaded: Promise<OnnxRuntime | string> } | undefined;

/** ONNX Runtime, loaded once per process (or why it could not be). */
function onnxRuntime(threads: number): Promise<OnnxRuntime | string> {
  if (runtime == null || runtime.threads !== threads) {
    void runtime?.loaded.then((r) => typeof r !== 'string' && r.dispose());
    runtime = { threads, loaded: OnnxRuntime.load(threads) };
  }
  return runtime.loaded;
}

async function activate(name: BackendName, options: BackendOptions): Promise<ChosenBackend> {
  let detail = '';
  if (name === 'tensorflow') detail = await loadTensorflow();
  // setBackend resolves false (it does not throw) when the factory fails, e.g. a
  // missing .wasm file.
  const ok = await withoutProcessHandlersAdded(() => tf.setBackend(name));
  if (!ok || tf.getBackend() !== name) throw new Error(`tf.setBackend('${name}') failed`);
  await tf.ready();
  const native =
    name !== 'tensorflow' && options.nativeKernels !== false ? await onnxRuntime(options.threads ?? 0) : undefined;
  const kernels = registerProjectKernels(name, typeof native === 'string' ? undefined : native);
  if (name === 'wasm') {
    // One thread: tfjs turns wasm threads off under Node. Forcing them on (a worker
    // shim for its blob: URLs, a script path for the workers, os.cpus() padded past
    // its halving) does load the threaded build with a 2-thread pool, but measured
    // here XNNPACK did no work in parallel (CPU time = wall time). Both cores are used
    // by the native kernels' own thread pool instead.
    const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'SIMD' : 'no SIMD';
    detail = `WebAssembly (XNNPACK, ${simd}, 1 thread)`;
  } else if (name === 'cpu') {
    detail = 'plain JavaScript';
  }
  if (native instanceof OnnxRuntime) {
    detail += `; convolutions, matrix products and reductions on ONNX Runtime's native CPU kernels (${native.threads || 'all physical'} cores)`;
  }
  if (kernels.length > 0) detail += ` + project kernels: ${kernels.join(', ')}`;
  return { name, detail, nativeKernels: native instanceof OnnxRuntime };
}

/**
 * Makes `requested` the tfjs backend of this process and registers the project's own
 * kernels for it. `auto` walks the ladder of DESIGN §4 (tensorflow → wasm → cpu) and
 * takes the first that starts; an explicit choice that fails throws, naming the fix.
 */
export async function initBackend(requested: BackendRequest, options: BackendOptions = {}): Promise<ChosenBackend> {
  if (requested !== 'auto') {
    try {
      return await activate(requested, options);
    } catch (error) {
      throw new Error(
        `The '${requested}' compute backend could not start: ${reason(error)}. Fix: ${FIXES[requested]}.`,
        {
          cause: error,
        },
      );
    }
  }
  const failures: string[] = [];
  for (const name of ['tensorflow', 'wasm', 'cpu'] as const) {
    try {
      return await activate(name, options);
    } catch (error) {
      failures.push(`${name}: ${reason(error)}`);
    }
  }
  throw new Error(`No compute backend could start (${failures.join('; ')}).`);
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
