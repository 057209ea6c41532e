import { GIFEncoder, applyPalette, quantize } from 'gifenc';
import { scaleNearest, type Raster } from './tiling.ts';

// Pictures out of the window: canvases, PNG (the browser's encoder, lossless for
// opaque pixels), GIF (gifenc), WebM (MediaRecorder) and downloads.

export { GAP, scaleNearest, tile, type Raster } from './tiling.ts';

export function toCanvas(raster: Raster): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = raster.width;
  canvas.height = raster.height;
  canvas.getContext('2d')!.putImageData(new ImageData(raster.data, raster.width, raster.height), 0, 0);
  return canvas;
}

/** Smooth upscaling: the browser's high-quality resampling of the canvas. */
export function scaleSmooth(raster: Raster, factor: number): HTMLCanvasElement {
  const source = toCanvas(raster);
  if (factor === 1) return source;
  const canvas = document.createElement('canvas');
  canvas.width = raster.width * factor;
  canvas.height = raster.height * factor;
  const context = canvas.getContext('2d')!;
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high';
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  return canvas;
}

export type Scaling = 'nearest' | 'smooth';

export function pngBlob(raster: Raster, factor = 1, scaling: Scaling = 'nearest'): Promise<Blob> {
  const canvas = scaling === 'nearest' ? toCanvas(scaleNearest(raster, factor)) : scaleSmooth(raster, factor);
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error('The browser could not encode the PNG.'))),
      'image/png',
    ),
  );
}

export async function blobToBase64(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** An animated GIF of same-sized frames, looping forever; one palette for all frames so colours do not flicker. */
export function gifBlob(frames: Raster[], delayMs: number, factor = 1): Blob {
  const scaled = frames.map((frame) => scaleNearest(frame, factor));
  const { width, height } = scaled[0];
  const all = new Uint8ClampedArray(scaled.reduce((n, f) => n + f.data.length, 0));
  let at = 0;
  for (const frame of scaled) {
    all.set(frame.data, at);
    at += frame.data.length;
  }
  const palette = quantize(all, 256, { format: 'rgb444' });
  const gif = GIFEncoder();
  for (const frame of scaled)
    gif.writeFrame(applyPalette(frame.data, palette, 'rgb444'), width, height, { palette, delay: delayMs, repeat: 0 });
  gif.finish();
  return new Blob([gif.bytes().slice()], { type: 'image/gif' });
}

/** A WebM of the frames through MediaRecorder (where the browser can record a canvas). */
export async function webmBlob(frames: Raster[], delayMs: number, factor = 4): Promise<Blob> {
  const canvas = document.createElement('canvas');
  canvas.width = frames[0].width * factor;
  canvas.height = frames[0].height * factor;
  const context = canvas.getContext('2d')!;
  context.imageSmoothingEnabled = false;
  const stream = canvas.captureStream(0);
  const track = stream.getVideoTracks()[0] as MediaStreamTrack & { requestFrame?: () => void };
  const recorder = new MediaRecorder(stream, { mimeType: 'video/webm' });
  const chunks: Blob[] = [];
  recorder.ondataavailable = (event) => chunks.push(event.data);
  const stopped = new Promise<void>((resolve) => (recorder.onstop = () => resolve()));
  recorder.start();
  for (const frame of frames) {
    context.drawImage(toCanvas(frame), 0, 0, canvas.width, canvas.height);
    track.requestFrame?.();
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  recorder.stop();
  await stopped;
  return new Blob(chunks, { type: 'video/webm' });
}

/** Hands a file to the person: the browser's download (Electron shows a save dialog). */
export function download(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
