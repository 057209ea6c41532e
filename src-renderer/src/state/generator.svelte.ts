import type { RunSummary } from '../../../src-main/api/contract/runs.ts';
import type { GeneratorInfoDoc } from '../../../src-main/api/contract/generator.ts';
import { studio } from '../lib/api/client.ts';
import { useBestBackend, type RendererBackend } from '../lib/generator/backend.ts';
import type { LatentDirection } from '../lib/generator/directions.ts';
import { computeDirectionsInWorker } from '../lib/generator/directions-client.ts';
import {
  SIGMA_LIMIT,
  clampToSliders,
  labelVector,
  latentForSeed,
  randomSeed,
  setAlong,
} from '../lib/generator/latent.ts';
import { loadGenerator, type LoadedGenerator, type WeightsChoice } from '../lib/generator/model.ts';
import type { Raster } from '../lib/generator/raster.ts';

// The generator explorer's state (issue 6): which run and weights, the label, the seed
// and the latent vector the sliders edit, and the drawing loop. A slider move changes z
// and asks for a frame; frames are coalesced to one per requestAnimationFrame, drawn
// synchronously in this window (no round trip), and timed from the input event.

export type ExplorerMode = 'single' | 'grid' | 'interpolate' | 'compare';

export const GRID_COLUMNS = 8;

/** Truncation slider: its top end means "off" (no component is redrawn). */
export const TRUNCATION_OFF = SIGMA_LIMIT;

export function runFileFetcher(runId: string) {
  return (path: string) => fetch(studio.fileUrl(`run/${runId}/${path}`));
}

class GeneratorExplorer {
  runs = $state<RunSummary[]>([]);
  runsLoaded = $state(false);
  runId = $state<string | null>(null);
  checkpoints = $state<number[]>([]);
  weights = $state<WeightsChoice>({ checkpoint: null, ema: true });
  loading = $state(false);
  error = $state<string | null>(null);
  backend = $state<RendererBackend | null>(null);
  info = $state.raw<GeneratorInfoDoc | null>(null);
  /** Bumped when the loaded generator changes, for views that render with it. */
  version = $state(0);

  label = $state(0);
  seed = $state(randomSeed() % 100_000);
  seedLocked = $state(false);
  truncation = $state(TRUNCATION_OFF);
  z = $state.raw<Float32Array>(new Float32Array(0));
  /** z differs from the seed's own draw (a slider was moved). */
  edited = $state(false);

  directions = $state.raw<LatentDirection[] | null>(null);
  directionsProgress = $state<number | null>(null);

  mode = $state<ExplorerMode>('single');
  /** Last frame: from the input event to pixels in the canvas, and the generation alone. */
  latencyMs = $state<number | null>(null);
  computeMs = $state<number | null>(null);
  frames = $state(0);

  /** The other weights in compare mode. */
  compareWeights = $state<WeightsChoice | null>(null);
  compareGenerator = $state.raw<LoadedGenerator | null>(null);

  generator: LoadedGenerator | null = null;
  #canvases = new Set<{ canvas: HTMLCanvasElement; source: () => LoadedGenerator | null }>();
  #frameRequested = false;
  #inputAt: number | null = null;
  #loadToken = 0;

  get labels(): string[] {
    return this.info?.labels ?? [];
  }

  get truncationValue(): number {
    return this.truncation >= TRUNCATION_OFF ? 0 : this.truncation;
  }

  async loadRuns(): Promise<void> {
    try {
      this.runs = (await studio.call('run-list', {})).filter((run) => run.hasGenerator);
      this.runsLoaded = true;
      if (this.runId === null && this.runs.length > 0) await this.open(this.runs[0].id);
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
      this.runsLoaded = true;
    }
  }

  /** New runs and checkpoints appear without a reload. Returns the unsubscribe function. */
  listen(): () => void {
    const refresh = () => void this.loadRuns();
    const offs = [
      studio.on('run-status', refresh),
      studio.on('run-checkpoint', ({ runId }) => {
        if (runId !== this.runId) return;
        // A training run re-exports its generator at every checkpoint: follow it.
        if (this.weights.checkpoint === null) void this.open(runId, this.weights);
        else void this.refreshCheckpoints();
      }),
    ];
    return () => offs.forEach((off) => off());
  }

  async refreshCheckpoints(): Promise<void> {
    if (!this.runId) return;
    this.checkpoints = (await studio.call('run-get', { runId: this.runId })).checkpoints;
  }

  async open(runId: string, weights: WeightsChoice = { checkpoint: null, ema: true }): Promise<void> {
    const token = ++this.#loadToken;
    this.runId = runId;
    this.loading = true;
    this.error = null;
    try {
      this.backend = await useBestBackend();
      const [loaded, run] = await Promise.all([
        loadGenerator(runFileFetcher(runId), weights),
        studio.call('run-get', { runId }),
      ]);
      if (token !== this.#loadToken) {
        loaded.dispose();
        return;
      }
      this.generator?.dispose();
      this.generator = loaded;
      this.checkpoints = run.checkpoints;
      this.weights = loaded.weights;
      const sameShape = this.info?.latentDim === loaded.info.latentDim && this.z.length === loaded.info.latentDim;
      this.info = loaded.info;
      this.label = Math.min(this.label, loaded.info.labels.length - 1);
      // Another checkpoint of the same run keeps the picture's z, so the two can be compared.
      if (!sameShape) this.resetLatent();
      this.version += 1;
      this.directions = null;
      this.requestFrame();
      void this.loadDirections(runId, loaded);
      if (this.compareWeights) void this.setCompare(this.compareWeights);
    } catch (error) {
      if (token === this.#loadToken) this.error = error instanceof Error ? error.message : String(error);
    } finally {
      if (token === this.#loadToken) this.loading = false;
    }
  }

  setWeights(weights: WeightsChoice): void {
    if (this.runId) void this.open(this.runId, weights);
  }

  /** Cached directions of these weights, or computed now (in slices between frames) and kept with the run. */
  private async loadDirections(runId: string, generator: LoadedGenerator): Promise<void> {
    const key = { checkpoint: generator.weights.checkpoint, ema: generator.weights.ema };
    const cached = await studio.request('generator-directions', { runId, weights: key });
    if (this.generator !== generator) return;
    if (cached.ok && cached.value.directions) {
      this.directions = cached.value.directions.map((d) => ({ vector: Float32Array.from(d.vector), share: d.share }));
      return;
    }
    this.directionsProgress = 0;
    try {
      const directions = await computeDirectionsInWorker(generator, (fraction) => {
        if (this.generator === generator) this.directionsProgress = fraction;
      });
      if (this.generator !== generator) return;
      this.directions = directions;
      await studio.request('generator-directions-save', {
        runId,
        weights: key,
        directions: directions.map((d) => ({ vector: Array.from(d.vector), share: d.share })),
      });
    } catch (error) {
      console.warn('latent directions could not be computed:', error);
    } finally {
      if (this.generator === generator) this.directionsProgress = null;
    }
  }

  // ---- the inputs ------------------------------------------------------------------

  resetLatent(at?: number): void {
    if (!this.info) return;
    this.z = latentForSeed(this.seed, this.info.latentDim, this.truncationValue);
    this.edited = false;
    this.requestFrame(at);
  }

  setSeed(seed: number, at?: number): void {
    if (!Number.isFinite(seed)) return;
    this.seed = Math.max(0, Math.min(0xffffffff, Math.floor(seed)));
    this.resetLatent(at);
  }

  newSeed(at?: number): void {
    if (this.seedLocked) return;
    this.setSeed(randomSeed() % 1_000_000, at);
  }

  setTruncation(value: number, at?: number): void {
    this.truncation = value;
    this.resetLatent(at);
  }

  setLabel(index: number, at?: number): void {
    const count = this.labels.length;
    if (count === 0) return;
    this.label = ((index % count) + count) % count;
    this.requestFrame(at);
  }

  setComponent(index: number, value: number, at?: number): void {
    const z = this.z.slice();
    z[index] = value;
    this.z = z;
    this.edited = true;
    this.requestFrame(at);
  }

  setDirection(index: number, value: number, at?: number): void {
    const direction = this.directions?.[index];
    if (!direction) return;
    this.z = clampToSliders(setAlong(this.z, direction.vector, value));
    this.edited = true;
    this.requestFrame(at);
  }

  labelVector(): Float32Array {
    return labelVector(this.labels.length, this.label);
  }

  async setCompare(weights: WeightsChoice | null): Promise<void> {
    this.compareWeights = weights;
    if (!weights || !this.runId) {
      this.compareGenerator?.dispose();
      this.compareGenerator = null;
      return;
    }
    const runId = this.runId;
    try {
      const loaded = await loadGenerator(runFileFetcher(runId), weights);
      if (runId !== this.runId) return loaded.dispose();
      this.compareGenerator?.dispose();
      this.compareGenerator = loaded;
      this.requestFrame();
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    }
  }

  // ---- drawing ---------------------------------------------------------------------

  /** Draws the current z and label into `canvas` on every frame; returns the detach function. */
  attach(canvas: HTMLCanvasElement, source: () => LoadedGenerator | null = () => this.generator): () => void {
    const entry = { canvas, source };
    this.#canvases.add(entry);
    this.requestFrame();
    return () => this.#canvases.delete(entry);
  }

  /** Asks for a frame; `at` is the input event's timeStamp, for the latency figure. */
  requestFrame(at?: number): void {
    if (at !== undefined) this.#inputAt = this.#inputAt === null ? at : Math.min(this.#inputAt, at);
    if (this.#frameRequested) return;
    this.#frameRequested = true;
    requestAnimationFrame(() => this.drawFrame());
  }

  private drawFrame(): void {
    this.#frameRequested = false;
    const inputAt = this.#inputAt;
    this.#inputAt = null;
    if (this.z.length === 0 || this.#canvases.size === 0) return;
    const started = performance.now();
    const y = this.labelVector();
    for (const { canvas, source } of this.#canvases) {
      const generator = source();
      if (!generator || generator.info.latentDim !== this.z.length || generator.info.labels.length !== y.length)
        continue;
      const size = generator.info.imageSize;
      const pixels = generator.render(this.z, y, 1);
      if (canvas.width !== size) canvas.width = canvas.height = size;
      canvas.getContext('2d')!.putImageData(new ImageData(pixels, size, size), 0, 0);
      // Which weights drew these pixels (for people inspecting the page, and for tests).
      canvas.dataset.weights = `${generator.weights.checkpoint ?? 'export'}:${generator.weights.ema ? 'ema' : 'raw'}`;
    }
    const done = performance.now();
    this.computeMs = done - started;
    if (inputAt !== null) this.latencyMs = done - inputAt;
    this.frames += 1;
  }

  /** The current picture as a raster (what the large view shows). */
  currentRaster(generator = this.generator): Raster | null {
    if (!generator || this.z.length === 0) return null;
    const size = generator.info.imageSize;
    return { width: size, height: size, data: generator.render(this.z, this.labelVector(), 1) };
  }
}

export const explorer = new GeneratorExplorer();
