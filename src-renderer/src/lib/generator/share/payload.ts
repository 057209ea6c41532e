import type { GeneratorInfoDoc } from '../../../../../src-main/api/contract/generator.ts';

/** Everything an exported page needs, as one JSON document inside it. */
export interface SharePayload {
  title: string;
  info: GeneratorInfoDoc;
  modelJson: {
    modelTopology: unknown;
    weightsManifest: Array<{ paths: string[]; weights: unknown[] }>;
  };
  weightsBase64: string;
  directions: Array<{ vector: number[]; share: number }>;
  initial: { seed: number; label: number; truncation: number };
  /** tfjs's SIMD WebAssembly binary: the page runs the same kernels as the studio. */
  wasmBase64: string | null;
  exportedAt: string;
}

export const PAYLOAD_ELEMENT_ID = 'cgan-generator';
