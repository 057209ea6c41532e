import { createRequire } from 'node:module';
import type { BackendName } from '../api/contract/app.ts';

const require = createRequire(import.meta.url);

function resolvable(specifier: string): boolean {
  try {
    require.resolve(specifier);
    return true;
  } catch {
    return false;
  }
}

/**
 * Backends whose packages are installed, best first. Cheap: resolves modules, runs no
 * tensor code, so the main process can call it (DESIGN §3). The trainer makes the
 * real choice and falls down the ladder if a backend fails to initialise.
 */
export function availableBackends(): BackendName[] {
  const found: BackendName[] = [];
  if (resolvable('@tensorflow/tfjs-node-gpu')) found.push('tensorflow');
  if (resolvable('@tensorflow/tfjs-backend-wasm')) found.push('wasm');
  found.push('cpu');
  return found;
}
