// The bundled Fashion-MNIST subset (resources/sample/, made by scripts/make-sample.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SAMPLE_ARCHIVE = 'fashion-mnist-sample.zip';
export const SAMPLE_DATASET = 'Fashion-MNIST sample';

/** Where the sample zip is: next to the sources in a checkout, under resources/ when packaged. */
export function sampleArchivePath(): string {
  const packaged = (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath;
  const candidates = [
    fileURLToPath(new URL(`../../resources/sample/${SAMPLE_ARCHIVE}`, import.meta.url)),
    ...(packaged
      ? [join(packaged, 'sample', SAMPLE_ARCHIVE), join(packaged, 'resources', 'sample', SAMPLE_ARCHIVE)]
      : []),
    join(process.cwd(), 'resources', 'sample', SAMPLE_ARCHIVE),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `The bundled sample ${SAMPLE_ARCHIVE} is missing (looked in ${candidates.join(', ')}): run "npx tsx scripts/make-sample.ts".`,
    );
  }
  return found;
}
