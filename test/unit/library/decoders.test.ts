// The BMP decoder, the header probe (pixel bombs, text, empty files) and the PNG check.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeGrayPng } from '../../../src-main/library/fashion-mnist.ts';
import { decodeBmp } from '../../../src-main/library/import/bmp.ts';
import { checkImage, decodePixels } from '../../../src-main/library/import/decode.ts';
import { checkPng } from '../../../src-main/library/import/png-check.ts';
import { RejectedFile, probe } from '../../../src-main/library/import/probe.ts';
import { bmp, pixelBombPng } from '../../fixtures/library/images.ts';

const colour = (x: number, y: number): [number, number, number, number] => [x * 30, y * 40, (x + y) * 10, 255];

describe('BMP decoder', () => {
  it('decodes 24-bit bottom-up rows with padding', () => {
    const out = decodeBmp(bmp(5, 3, colour));
    expect([out.width, out.height, out.hasAlpha]).toEqual([5, 3, false]);
    for (let y = 0; y < 3; y++) {
      for (let x = 0; x < 5; x++)
        expect([...out.data.subarray((y * 5 + x) * 4, (y * 5 + x) * 4 + 4)]).toEqual(colour(x, y));
    }
  });

  it('decodes 32-bit top-down with an alpha mask', () => {
    const px = (x: number, y: number): [number, number, number, number] => [x, y, 9, x === 1 ? 128 : 255];
    const out = decodeBmp(bmp(3, 2, px, 32, true));
    expect(out.hasAlpha).toBe(true);
    expect([...out.data.subarray(4, 8)]).toEqual([1, 0, 9, 128]);
    expect([...out.data.subarray(12, 16)]).toEqual([0, 1, 9, 255]);
  });

  it('treats an all-zero alpha channel as opaque', () => {
    const out = decodeBmp(bmp(2, 2, (x) => [x, 0, 0, 0], 32));
    expect(out.hasAlpha).toBe(false);
    expect(out.data[3]).toBe(255);
  });

  it('decodes an 8-bit palette image and RLE8', () => {
    // 4×2, palette of 4 entries; RLE8: row 0 = run of 4 × index 1; row 1 = absolute [0,1,2,3].
    const header = Buffer.alloc(14 + 40 + 16);
    header.write('BM', 0, 'latin1');
    header.writeUInt32LE(14 + 40 + 16, 10);
    header.writeUInt32LE(40, 14);
    header.writeInt32LE(4, 18);
    header.writeInt32LE(2, 22);
    header.writeUInt16LE(1, 26);
    header.writeUInt16LE(8, 28);
    header.writeUInt32LE(4, 46);
    const palette = [
      [0, 0, 0],
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
    ];
    palette.forEach(([r, g, b], i) => header.set([b!, g!, r!, 0], 54 + i * 4));
    const raw = Buffer.concat([header, Buffer.from([1, 1, 2, 3, 0, 0, 3, 2])]);
    const plain = decodeBmp(raw);
    // The top row is the last row in the file: indices 0, 0, 3, 2.
    expect([...plain.data.subarray(0, 16)]).toEqual([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 255, 255, 0, 255, 0, 255]);
    const rle = Buffer.from(header);
    rle.writeUInt32LE(1, 30);
    const rleFile = Buffer.concat([rle, Buffer.from([4, 1, 0, 0, 0, 4, 0, 1, 2, 3, 0, 1])]);
    const out = decodeBmp(rleFile);
    expect([...out.data.subarray(0, 4)]).toEqual([0, 0, 0, 255]); // top row = second RLE row, index 0
    expect([...out.data.subarray(4 * 4, 4 * 4 + 4)]).toEqual([255, 0, 0, 255]); // bottom row: index 1
  });

  it('rejects truncated pixel data instead of reading past the end', () => {
    const full = bmp(8, 8, colour);
    expect(() => decodeBmp(full.subarray(0, full.length - 10))).toThrow(/truncated BMP/);
  });

  it('feeds sharp for thumbnails and training, alpha flattened onto the background', async () => {
    const file = bmp(2, 1, (x) => [0, 0, 0, x === 0 ? 0 : 255], 32);
    const px = await decodePixels(file, { background: '#ff0000', channels: 3 });
    expect([...px.data]).toEqual([255, 0, 0, 0, 0, 0]);
  });
});

describe('probe', () => {
  it('reads dimensions from headers without decoding', async () => {
    const raw = { raw: { width: 7, height: 5, channels: 3 as const } };
    const pixels = Buffer.alloc(7 * 5 * 3, 100);
    for (const format of ['png', 'jpeg', 'webp', 'gif', 'tiff'] as const) {
      const bytes = await sharp(pixels, raw).toFormat(format).toBuffer();
      expect(probe(bytes)).toEqual({ format, width: 7, height: 5 });
    }
    expect(probe(bmp(7, 5, colour))).toEqual({ format: 'bmp', width: 7, height: 5 });
  });

  it('refuses pixel bombs, empty files, text and unsupported formats with reasons', () => {
    expect(() => probe(pixelBombPng(100_000, 100_000))).toThrow(/too large.*refused before decoding/);
    expect(() => probe(Buffer.alloc(0))).toThrow(/empty file/);
    expect(() => probe(Buffer.from('hello, I am a text file\n'))).toThrow(/not an image: the file contains text/);
    expect(() => probe(Buffer.from('8BPS\0\0\0\0'))).toThrow(/unsupported format: Photoshop/);
    expect(() => probe(Buffer.from([0, 1, 2, 3, 4, 5, 0, 0]))).toThrow(RejectedFile);
  });
});

describe('PNG check', () => {
  const png = encodeGrayPng(
    new Uint8Array(64).map((_, i) => i * 4),
    8,
    8,
  );
  it('accepts a valid file', () => {
    expect(checkPng(png)).toEqual({ width: 8, height: 8, channels: 1, hasAlpha: false });
  });
  it('rejects truncation, checksum errors and a missing IEND', () => {
    expect(() => checkPng(png.subarray(0, 40))).toThrow(/truncated/);
    expect(() => checkPng(png.subarray(0, png.length - 12))).toThrow(/no IEND/);
    const bad = Buffer.from(png);
    bad[45] ^= 1;
    expect(() => checkPng(bad)).toThrow(/checksum|corrupt/);
  });
  it('agrees with libvips on interlaced and palette images', async () => {
    const pixels = Buffer.alloc(13 * 9 * 3).map((_, i) => (i * 7) & 255);
    for (const options of [{ progressive: true }, { palette: true }, { palette: true, progressive: true }]) {
      const bytes = await sharp(pixels, { raw: { width: 13, height: 9, channels: 3 } })
        .png(options)
        .toBuffer();
      expect(await checkImage(bytes)).toMatchObject({ format: 'png', width: 13, height: 9 });
    }
  });
});
