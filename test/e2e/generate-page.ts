// Reading the explorer from a page: canvas pixels, frames, the latency figure.
import type { Page } from 'playwright-core';

/** RGBA bytes of a canvas (the generator's own resolution, not the CSS size). */
export function canvasPixels(page: Page, selector: string): Promise<number[]> {
  return page.$eval(selector, (canvas) => {
    const c = canvas as HTMLCanvasElement;
    return Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data);
  });
}

export async function frameCount(page: Page): Promise<number> {
  return Number(await page.getAttribute('[data-testid="generated-image"]', 'data-frames'));
}

/** Waits until the large image has drawn a frame after `previous`. */
export async function nextFrame(page: Page, previous: number): Promise<void> {
  await page.waitForFunction(
    (before) => Number(document.querySelector('[data-testid="generated-image"]')?.getAttribute('data-frames')) > before,
    previous,
  );
}

/** Sets a range input as a drag does (value, then an `input` event) and waits for the redraw. */
export async function moveSlider(page: Page, testid: string, value: number): Promise<void> {
  const before = await frameCount(page);
  await page.$eval(
    `[data-testid="${testid}"]`,
    (input, v) => {
      (input as HTMLInputElement).value = String(v);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    },
    value,
  );
  await nextFrame(page, before);
}

export interface LatencyFigures {
  samples: number;
  /** Input event → pixels in the canvas, ms. */
  medianMs: number;
  p95Ms: number;
  /** Generation + drawing alone, ms. */
  computeMedianMs: number;
  backend: string;
  imageSize: number;
}

const median = (values: number[]) => quantile(values, 0.5);
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/**
 * Drags latent sliders `samples` times, one input per frame, and reads the explorer's
 * own figure for each (the input event's timeStamp to the canvas being written).
 */
export async function measureLatency(page: Page, samples = 60): Promise<LatencyFigures> {
  const latencies: number[] = [];
  const computes: number[] = [];
  for (let i = 0; i < samples; i++) {
    await moveSlider(page, `latent-${i % 10}`, ((i * 37) % 60) / 10 - 3);
    const canvas = page.locator('[data-testid="generated-image"]');
    latencies.push(Number(await canvas.getAttribute('data-latency-ms')));
    computes.push(Number(await canvas.getAttribute('data-compute-ms')));
  }
  const backend = (await page.textContent('[title="TensorFlow.js backend generating in this window"]'))?.trim() ?? '?';
  const imageSize = await page.$eval('[data-testid="generated-image"]', (c) => (c as HTMLCanvasElement).width);
  return {
    samples,
    medianMs: median(latencies),
    p95Ms: quantile(latencies, 0.95),
    computeMedianMs: median(computes),
    backend,
    imageSize,
  };
}
