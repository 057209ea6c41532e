// Pictures as RGBA byte arrays: tiling into grids and strips, and exact upscaling.
// No DOM here, so the same code is tested in Node.

export interface Raster {
  width: number;
  height: number;
  /** width × height × 4, row-major RGBA. */
  data: Uint8ClampedArray<ArrayBuffer>;
}

export const GAP = 2;

/**
 * Lays `images` (each size×size RGBA, concatenated) out in `columns` columns with a
 * gap of background between them, row by row.
 */
export function tile(
  images: Uint8ClampedArray<ArrayBuffer>,
  size: number,
  count: number,
  columns: number,
  gap = GAP,
  background = 255,
): Raster {
  const rows = Math.ceil(count / columns);
  const width = columns * size + (columns - 1) * gap;
  const height = rows * size + (rows - 1) * gap;
  const data = new Uint8ClampedArray(width * height * 4).fill(background);
  const rowBytes = size * 4;
  for (let i = 0; i < count; i++) {
    const x0 = (i % columns) * (size + gap);
    const y0 = Math.floor(i / columns) * (size + gap);
    for (let y = 0; y < size; y++) {
      const from = (i * size * size + y * size) * 4;
      data.set(images.subarray(from, from + rowBytes), ((y0 + y) * width + x0) * 4);
    }
  }
  return { width, height, data };
}

/** Every pixel becomes a factor×factor block: the exact pixels, only bigger. */
export function scaleNearest(raster: Raster, factor: number): Raster {
  if (factor === 1) return raster;
  const width = raster.width * factor;
  const height = raster.height * factor;
  const data = new Uint8ClampedArray(width * height * 4);
  const src = new Uint32Array(raster.data.buffer, raster.data.byteOffset, raster.width * raster.height);
  const dst = new Uint32Array(data.buffer);
  for (let y = 0; y < height; y++) {
    const row = Math.floor(y / factor) * raster.width;
    for (let x = 0; x < width; x++) dst[y * width + x] = src[row + Math.floor(x / factor)];
  }
  return { width, height, data };
}
