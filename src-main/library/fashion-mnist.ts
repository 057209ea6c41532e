import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** Where Debian's `dataset-fashion-mnist` package puts the idx files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Fashion-MNIST's class names, in label order (from the dataset's README). */
export const FASHION_MNIST_CLASSES = [
  'T-shirt-top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** count × rows × cols grayscale bytes, row-major. */
  pixels: Uint8Array;
}

export interface FashionMnistSplit extends IdxImages {
  labels: Uint8Array;
}

function readIdx(path: string): Buffer {
  const raw = readFileSync(path);
  return path.endsWith('.gz') ? gunzipSync(raw) : raw;
}

export function parseIdxImages(buffer: Uint8Array, source = 'idx data'): IdxImages {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (buffer.byteLength < 16 || view.getUint32(0) !== 0x00000803) {
    throw new Error(`${source} is not an idx3-ubyte image file (bad magic number)`);
  }
  const count = view.getUint32(4);
  const rows = view.getUint32(8);
  const cols = view.getUint32(12);
  const expected = 16 + count * rows * cols;
  if (buffer.byteLength < expected) {
    throw new Error(`${source} is truncated: ${buffer.byteLength} bytes, expected ${expected}`);
  }
  return { count, rows, cols, pixels: buffer.subarray(16, expected) };
}

export function parseIdxLabels(buffer: Uint8Array, source = 'idx data'): Uint8Array {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (buffer.byteLength < 8 || view.getUint32(0) !== 0x00000801) {
    throw new Error(`${source} is not an idx1-ubyte label file (bad magic number)`);
  }
  const count = view.getUint32(4);
  if (buffer.byteLength < 8 + count) throw new Error(`${source} is truncated`);
  return buffer.subarray(8, 8 + count);
}

export function fashionMnistAvailable(dir = FASHION_MNIST_DIR): boolean {
  return existsSync(join(dir, 'train-images-idx3-ubyte.gz'));
}

/** Loads the train (60k) or test (10k) split. Throws a message naming the fix if absent. */
export function loadFashionMnist(split: 'train' | 'test', dir = FASHION_MNIST_DIR): FashionMnistSplit {
  const prefix = split === 'train' ? 'train' : 't10k';
  const imagesPath = join(dir, `${prefix}-images-idx3-ubyte.gz`);
  const labelsPath = join(dir, `${prefix}-labels-idx1-ubyte.gz`);
  if (!existsSync(imagesPath)) {
    throw new Error(
      `Fashion-MNIST not found at ${dir}: install it with "apt-get install dataset-fashion-mnist"`,
    );
  }
  const images = parseIdxImages(readIdx(imagesPath), imagesPath);
  const labels = parseIdxLabels(readIdx(labelsPath), labelsPath);
  if (labels.length !== images.count) {
    throw new Error(`${labelsPath} has ${labels.length} labels for ${images.count} images`);
  }
  return { ...images, labels };
}
