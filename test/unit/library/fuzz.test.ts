// Damaged files of every format, made by flipping, cutting and splicing bytes of valid
// ones: the checker must either accept the file or refuse it with a RejectedFile (a
// reason for a person), never throw anything else or hang.
import fc from 'fast-check';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkImage } from '../../../src-main/library/import/decode.ts';
import { RejectedFile } from '../../../src-main/library/import/probe.ts';
import { bmp, grayPng, pixelBombPng } from '../../fixtures/library/images.ts';

const valid: Record<string, Buffer> = {};
beforeAll(async () => {
  const px = Buffer.alloc(24 * 24 * 3).map((_, i) => (i * 29) & 255);
  const base = sharp(px, { raw: { width: 24, height: 24, channels: 3 } });
  valid.png = grayPng(3, 24);
  valid.jpeg = await base.clone().jpeg().toBuffer();
  valid.webp = await base.clone().webp().toBuffer();
  valid.gif = await base.clone().gif().toBuffer();
  valid.tiff = await base.clone().tiff().toBuffer();
  valid.bmp = bmp(13, 7, (x, y) => [x * 9, y * 20, 3, 255]);
  valid.bmp32 = bmp(5, 6, (x, y) => [x, y, 7, x * 40], 32, true);
  valid.bomb = pixelBombPng(100_000, 100_000);
});

type Damage =
  | { kind: 'cut'; at: number }
  | { kind: 'flip'; at: number[]; value: number }
  | { kind: 'splice'; at: number; junk: Uint8Array };

const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('cut' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 8 }),
    value: fc.integer({ min: 1, max: 255 }),
  }),
  fc.record({
    kind: fc.constant('splice' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    junk: fc.uint8Array({ maxLength: 64 }),
  }),
);

function apply(file: Buffer, d: Damage): Buffer {
  const pos = (f: number) => Math.min(file.length - 1, Math.floor(f * file.length));
  if (d.kind === 'cut') return file.subarray(0, pos(d.at));
  if (d.kind === 'flip') {
    const out = Buffer.from(file);
    for (const f of d.at) out[pos(f)]! ^= d.value;
    return out;
  }
  return Buffer.concat([file.subarray(0, pos(d.at)), Buffer.from(d.junk), file.subarray(pos(d.at))]);
}

describe('damaged files', () => {
  for (const format of ['png', 'jpeg', 'webp', 'gif', 'tiff', 'bmp', 'bmp32', 'bomb']) {
    it(`${format}: accepted or refused with a reason, nothing else`, async () => {
      await fc.assert(
        fc.asyncProperty(damage, async (d) => {
          const bytes = apply(valid[format]!, d);
          try {
            const info = await checkImage(bytes);
            expect(info.width * info.height).toBeGreaterThan(0);
          } catch (error) {
            if (!(error instanceof RejectedFile)) throw error;
            expect(error.message.length).toBeGreaterThan(5);
          }
        }),
        { numRuns: 150, seed: 42 },
      );
    });
  }
});
