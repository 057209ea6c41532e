// ONNX Runtime's CPU kernels (MLAS: AVX2/AVX-512 GEMM and convolution, its own thread
// pool) behind a synchronous call, for the project kernels that hand heavy ops to it.
// onnxruntime-node is optional: without it, these kernels are simply not registered.
import { onnxModel, type NamedShape, type OnnxNode } from './onnx-model.ts';

interface NativeTensor {
  data: Float32Array;
  dims: readonly number[];
}
type TensorConstructor = new (type: 'float32', data: Float32Array, dims: readonly number[]) => NativeTensor;
interface NativeSession {
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: object): void;
  run(
    feeds: Record<string, NativeTensor>,
    fetches: Record<string, NativeTensor | null>,
    options: object,
  ): Record<string, NativeTensor>;
  dispose(): void;
}
interface Binding {
  binding: { InferenceSession: new () => NativeSession };
  initOrt(): void;
}

// Variable specifiers: optional packages, resolved only where installed.
const BINDING = 'onnxruntime-node/dist/binding.js';
const COMMON = 'onnxruntime-common';

export interface OnnxGraph {
  nodes: OnnxNode[];
  inputs: NamedShape[];
  output: NamedShape;
  /** ONNX operator set, when the graph needs an older one (e.g. reductions' axes attribute). */
  opset?: number;
}

/**
 * Sessions kept, least recently used dropped first: a training run needs a few dozen
 * shapes, while sampling at many batch sizes would otherwise keep adding sessions.
 */
export const MAX_SESSIONS = 96;

export class OnnxRuntime {
  private readonly sessions = new Map<string, { session: NativeSession; graph: OnnxGraph }>();

  private constructor(
    private readonly binding: Binding['binding'],
    private readonly Tensor: TensorConstructor,
    readonly threads: number,
  ) {}

  /** The runtime, or null with the reason when onnxruntime-node cannot be loaded here. */
  static async load(threads: number): Promise<OnnxRuntime | string> {
    try {
      // The package's InferenceSession.run is asynchronous only because it defers the
      // native call with setImmediate; tfjs kernels must return synchronously, so the
      // native session is used directly.
      const native = (await import(/* @vite-ignore */ BINDING)) as Binding & { default?: Binding };
      const common = (await import(/* @vite-ignore */ COMMON)) as { Tensor: TensorConstructor };
      const binding = native.binding ?? native.default?.binding;
      const initOrt = native.initOrt ?? native.default?.initOrt;
      if (binding == null || initOrt == null) return 'onnxruntime-node has an unexpected layout';
      initOrt();
      return new OnnxRuntime(binding, common.Tensor, threads);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  /**
   * Runs the graph named `key` (built by `build` on first use) on float32 inputs given in
   * the graph's input order; returns the single output's values.
   */
  run(key: string, build: () => OnnxGraph, inputs: Float32Array[]): Float32Array {
    let entry = this.sessions.get(key);
    if (entry != null) {
      // Re-inserting keeps the Map in least-recently-used order.
      this.sessions.delete(key);
      this.sessions.set(key, entry);
    } else {
      const graph = build();
      const model = onnxModel(graph.nodes, graph.inputs, [graph.output], graph.opset);
      const session = new this.binding.InferenceSession();
      session.loadModel(model.buffer as ArrayBuffer, model.byteOffset, model.byteLength, {
        intraOpNumThreads: this.threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        // Spinning workers would steal the core the JS thread needs between calls.
        extra: { session: { intra_op: { allow_spinning: '0' } } },
      });
      entry = { session, graph };
      this.sessions.set(key, entry);
      if (this.sessions.size > MAX_SESSIONS) {
        const [oldestKey, oldest] = this.sessions.entries().next().value as [string, { session: NativeSession }];
        oldest.session.dispose();
        this.sessions.delete(oldestKey);
      }
    }
    const { session, graph } = entry;
    const feeds: Record<string, NativeTensor> = {};
    graph.inputs.forEach(([name, shape], i) => {
      feeds[name] = new this.Tensor('float32', inputs[i], shape);
    });
    const [outName] = graph.output;
    return session.run(feeds, { [outName]: null }, {})[outName].data;
  }

  /** Native sessions held now (one per kernel shape seen recently). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  dispose(): void {
    for (const { session } of this.sessions.values()) session.dispose();
    this.sessions.clear();
  }
}
