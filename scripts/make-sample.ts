// Writes resources/sample/fashion-mnist-sample.zip: the first 300 training images of
// each Fashion-MNIST class as PNGs in an ImageFolder layout (<class>/<name>.png),
// from Debian's dataset-fashion-mnist. Reproducible: same input, same bytes.
//   npx tsx scripts/make-sample.ts [--per-class 300]
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FASHION_MNIST_CLASSES, encodeGrayPng, loadFashionMnist } from '../src-main/library/fashion-mnist.ts';
import { SAMPLE_ARCHIVE } from '../src-main/library/sample.ts';
import { writeZip, type ZipEntryInput } from '../src-main/library/zip-writer.ts';

const { values } = parseArgs({ options: { 'per-class': { type: 'string', default: '300' } } });
const perClass = Number(values['per-class']);
const data = loadFashionMnist('train');
const taken = new Array<number>(FASHION_MNIST_CLASSES.length).fill(0);
const entries: ZipEntryInput[] = [];
const size = data.rows * data.cols;
for (let i = 0; i < data.count && taken.some((n) => n < perClass); i++) {
  const label = data.labels[i]!;
  if (taken[label]! >= perClass) continue;
  taken[label]!++;
  const png = encodeGrayPng(data.pixels.subarray(i * size, (i + 1) * size), data.cols, data.rows);
  entries.push({ name: `${FASHION_MNIST_CLASSES[label]}/train-${String(i).padStart(5, '0')}.png`, data: png });
}
// Class order inside the archive = label order after import = the dataset's own class indices.
entries.sort((a, b) => {
  const ca = FASHION_MNIST_CLASSES.indexOf(String(a.name).split('/')[0] as (typeof FASHION_MNIST_CLASSES)[number]);
  const cb = FASHION_MNIST_CLASSES.indexOf(String(b.name).split('/')[0] as (typeof FASHION_MNIST_CLASSES)[number]);
  return ca - cb || String(a.name).localeCompare(String(b.name));
});
const dir = new URL('../resources/sample/', import.meta.url).pathname;
mkdirSync(dir, { recursive: true });
const out = join(dir, SAMPLE_ARCHIVE);
writeZip(out, entries);
process.stderr.write(
  `wrote ${entries.length} images (${perClass} per class) to ${out}: ${(statSync(out).size / 1024).toFixed(0)} KiB\n`,
);
