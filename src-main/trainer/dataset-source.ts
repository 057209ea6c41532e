import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decodePixels } from '../library/import/decode.ts';
import { FASHION_MNIST_CLASSES, loadFashionMnist } from '../library/fashion-mnist.ts';
import { loadTrainingSet, type TrainingSet } from '../library/training-set.ts';

// Where a run's images come from. A library dataset is the normal case (through the
// library's TrainingSet seam); Fashion-MNIST's idx files and a plain folder of
// <label>/<image> are there for benchmarks, tests and people without a library.

export type SourceSpec =
  | { kind: 'library'; libraryDir: string; datasetName: string }
  | { kind: 'fashion-mnist'; split?: 'train' | 'test'; limit?: number }
  | { kind: 'folder'; dir: string };

export interface DatasetSource {
  spec: SourceSpec;
  name: string;
  labels: string[];
  /** Label index of every image, in the source's order. */
  imageLabels: Uint16Array;
  unlabelled: number;
  excluded: number;
  contentHash: string;
  /** Where a packed tensor cache may be kept for this source (null: under the run). */
  cacheDir: string | null;
  /** Native size and whether the images are colour, judged from a few of them. */
  probe(): Promise<{ side: number; colour: boolean }>;
  /** Decodes image `index` to size × size × channels bytes. */
  decode(index: number, size: number, channels: 1 | 3): Promise<Uint8Array>;
}

export class DatasetError extends Error {}

export function openSource(spec: SourceSpec): DatasetSource {
  switch (spec.kind) {
    case 'library': {
      let set: TrainingSet;
      try {
        set = loadTrainingSet(spec.libraryDir, spec.datasetName);
      } catch (error) {
        throw new DatasetError(error instanceof Error ? error.message : String(error));
      }
      return trainingSetSource(set, spec, join(resolve(spec.libraryDir), 'cache', 'tensors'));
    }
    case 'fashion-mnist':
      return fashionMnistSource(spec);
    case 'folder':
      return folderSource(spec);
  }
}

const IMAGE_EXTENSIONS = /\.(png|jpe?g|webp|gif|bmp|tiff?)$/i;

/** DIR/<label>/<image>: labels sorted by name, images by name. */
function folderSource(spec: Extract<SourceSpec, { kind: 'folder' }>): DatasetSource {
  const dir = resolve(spec.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new DatasetError(`No image folder at ${dir}`);
  const labels = readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory())
    .sort();
  const hash = createHash('sha256').update('cgan-studio folder v1\n');
  const images: TrainingSet['images'] = [];
  for (const [labelIndex, label] of labels.entries()) {
    const files = readdirSync(join(dir, label))
      .filter((f) => IMAGE_EXTENSIONS.test(f))
      .sort();
    for (const file of files) {
      const path = join(dir, label, file);
      const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
      hash.update(`${labelIndex} ${JSON.stringify(label)} ${sha256}\n`);
      images.push({ blobPath: path, sha256, labelIndex });
    }
  }
  const set: TrainingSet = {
    datasetId: 0,
    datasetName: dir,
    labels,
    images,
    unlabelled: 0,
    excluded: 0,
    contentHash: hash.digest('hex'),
  };
  return trainingSetSource(set, spec, null);
}

function trainingSetSource(set: TrainingSet, spec: SourceSpec, cacheDir: string | null): DatasetSource {
  const background = set.background ?? '#000000';
  const read = (index: number) => readFileSync(set.images[index].blobPath);
  return {
    spec,
    name: set.datasetName,
    labels: set.labels,
    imageLabels: Uint16Array.from(set.images, (image) => image.labelIndex),
    unlabelled: set.unlabelled,
    excluded: set.excluded,
    contentHash: set.contentHash,
    cacheDir,
    async probe() {
      let side = 0;
      let colour = false;
      const step = Math.max(1, Math.floor(set.images.length / 16));
      for (let i = 0; i < set.images.length; i += step) {
        const decoded = await decodePixels(read(i), { background, channels: 3 });
        side = Math.max(side, decoded.width, decoded.height);
        const data = decoded.data;
        for (let p = 0; p < data.length && !colour; p += 3) {
          // A few levels of difference is JPEG chroma noise, not colour.
          if (Math.abs(data[p] - data[p + 1]) > 8 || Math.abs(data[p] - data[p + 2]) > 8) colour = true;
        }
      }
      return { side, colour };
    },
    async decode(index, size, channels) {
      const decoded = await decodePixels(read(index), { background, channels, size });
      return new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength);
    },
  };
}

/** The idx files decode to 28×28 grey directly; other sizes are resized with sharp. */
function fashionMnistSource(spec: Extract<SourceSpec, { kind: 'fashion-mnist' }>): DatasetSource {
  let data;
  try {
    data = loadFashionMnist(spec.split ?? 'train');
  } catch (error) {
    throw new DatasetError(error instanceof Error ? error.message : String(error));
  }
  const count = spec.limit ? Math.min(spec.limit, data.count) : data.count;
  const pixelsPer = data.rows * data.cols;
  const hash = createHash('sha256')
    .update(`fashion-mnist ${spec.split ?? 'train'} ${count}\n`)
    .update(data.pixels.subarray(0, count * pixelsPer))
    .update(data.labels.subarray(0, count))
    .digest('hex');
  return {
    spec,
    name: `fashion-mnist-${spec.split ?? 'train'}`,
    labels: [...FASHION_MNIST_CLASSES],
    imageLabels: Uint16Array.from(data.labels.subarray(0, count)),
    unlabelled: 0,
    excluded: 0,
    contentHash: hash,
    cacheDir: null,
    probe: () => Promise.resolve({ side: data.rows, colour: false }),
    async decode(index, size, channels) {
      const grey = data.pixels.subarray(index * pixelsPer, (index + 1) * pixelsPer);
      if (size === data.rows && channels === 1) return grey.slice();
      const { default: sharp } = await import('sharp');
      let pipeline = sharp(Buffer.from(grey), { raw: { width: data.cols, height: data.rows, channels: 1 } });
      if (size !== data.rows) pipeline = pipeline.resize(size, size, { fit: 'cover' });
      if (channels === 3) pipeline = pipeline.toColourspace('srgb');
      const out = await pipeline.raw().toBuffer();
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    },
  };
}
