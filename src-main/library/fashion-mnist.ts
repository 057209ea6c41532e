import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync, gunzipSync } from 'node:zlib';

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
    throw new Error(`Fashion-MNIST not found at ${dir}: install it with "apt-get install dataset-fashion-mnist"`);
  }
  const images = parseIdxImages(readIdx(imagesPath), imagesPath);
  const labels = parseIdxLabels(readIdx(labelsPath), labelsPath);
  if (labels.length !== images.count) {
    throw new Error(`${labelsPath} has ${labels.length} labels for ${images.count} images`);
  }
  return { ...images, labels };
}

/**
 * A minimal grayscale PNG encoder (8-bit, filter 0): writing 60,000 28×28 files
 * through libvips would take longer than the import being measured.
 */
export function encodeGrayPng(pixels: Uint8Array, width: number, height: number): Buffer {
  const raw = Buffer.alloc(height * (width + 1));
  for (let y = 0; y < height; y++) {
    raw[y * (width + 1)] = 0;
    raw.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  }
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grayscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export interface WrittenImageFolder {
  dir: string;
  count: number;
  perClass: number[];
}

/**
 * Writes a split as an ImageFolder tree: `<dir>/<class name>/<index>.png`. With
 * `perClass`, only the first that many images of each class (a balanced subset).
 */
export function writeFashionMnistImageFolder(
  dir: string,
  split: 'train' | 'test',
  options: { perClass?: number; source?: string } = {},
): WrittenImageFolder {
  const data = loadFashionMnist(split, options.source);
  const perClass = new Array<number>(FASHION_MNIST_CLASSES.length).fill(0);
  for (const name of FASHION_MNIST_CLASSES) mkdirSync(join(dir, name), { recursive: true });
  const size = data.rows * data.cols;
  let count = 0;
  for (let i = 0; i < data.count; i++) {
    const label = data.labels[i]!;
    if (options.perClass !== undefined && perClass[label]! >= options.perClass) continue;
    perClass[label]!++;
    const png = encodeGrayPng(data.pixels.subarray(i * size, (i + 1) * size), data.cols, data.rows);
    writeFileSync(join(dir, FASHION_MNIST_CLASSES[label]!, `${split}-${String(i).padStart(5, '0')}.png`), png);
    count++;
  }
  return { dir, count, perClass };
}
