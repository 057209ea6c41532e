// Structural check of a PNG without libvips: every chunk inside the file, every CRC
// right, IHDR sane, IEND present, and the inflated image data exactly the size the
// header implies with valid filter bytes. That catches truncated and corrupt files
// at a fraction of a full decode's cost, which is what makes 60,000 small PNGs
// import at thousands per second.
import { crc32, inflateSync } from 'node:zlib';
import { RejectedFile } from './probe.ts';

export interface PngInfo {
  width: number;
  height: number;
  channels: number;
  hasAlpha: boolean;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

export function checkPng(bytes: Uint8Array): PngInfo {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  let width = 0;
  let height = 0;
  let depth = 0;
  let colorType = -1;
  let interlace = 0;
  let sawPalette = false;
  let transparency = false;
  let ended = false;
  const idat: Buffer[] = [];
  while (at < b.length) {
    if (at + 12 > b.length) throw new RejectedFile('truncated PNG: a chunk header is cut short');
    const length = b.readUInt32BE(at);
    const type = b.toString('latin1', at + 4, at + 8);
    if (length > 0x7fffffff || at + 12 + length > b.length) {
      throw new RejectedFile(`truncated PNG: the ${type.replace(/[^ -~]/g, '?')} chunk runs past the end of the file`);
    }
    const expected = b.readUInt32BE(at + 8 + length);
    if (crc32(b.subarray(at + 4, at + 8 + length)) !== expected) {
      throw new RejectedFile(`corrupt PNG: checksum mismatch in the ${type.replace(/[^ -~]/g, '?')} chunk`);
    }
    const data = b.subarray(at + 8, at + 8 + length);
    if (at === 8 && type !== 'IHDR') throw new RejectedFile('corrupt PNG: IHDR is not the first chunk');
    if (type === 'IHDR') {
      if (length !== 13) throw new RejectedFile('corrupt PNG: bad IHDR length');
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      depth = data[8]!;
      colorType = data[9]!;
      interlace = data[12]!;
      if (!DEPTHS[colorType]?.includes(depth)) {
        throw new RejectedFile(`corrupt PNG: colour type ${colorType} with bit depth ${depth} is not allowed`);
      }
      if (interlace > 1) throw new RejectedFile('corrupt PNG: unknown interlace method');
    } else if (type === 'PLTE') {
      sawPalette = true;
    } else if (type === 'tRNS') {
      transparency = true;
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      ended = true;
      break;
    }
    at += 12 + length;
  }
  if (!ended) throw new RejectedFile('truncated PNG: no IEND chunk (the file was cut short)');
  if (idat.length === 0) throw new RejectedFile('corrupt PNG: no image data (IDAT)');
  if (colorType === 3 && !sawPalette) throw new RejectedFile('corrupt PNG: palette image without a PLTE chunk');

  const channels = CHANNELS[colorType]!;
  const bitsPerPixel = channels * depth;
  const rowBytes = (w: number) => Math.ceil((w * bitsPerPixel) / 8);
  const passes: Array<[number, number]> = [];
  if (interlace === 0) {
    passes.push([width, height]);
  } else {
    for (const [x0, y0, dx, dy] of ADAM7) {
      const w = Math.ceil((width - x0) / dx);
      const h = Math.ceil((height - y0) / dy);
      if (w > 0 && h > 0) passes.push([w, h]);
    }
  }
  const expected = passes.reduce((sum, [w, h]) => sum + h * (1 + rowBytes(w)), 0);
  let raw: Buffer;
  try {
    raw = inflateSync(idat.length === 1 ? idat[0]! : Buffer.concat(idat), { maxOutputLength: expected + 1 });
  } catch (error) {
    const message = (error as Error).message;
    throw new RejectedFile(
      /unexpected end|buffer error/i.test(message)
        ? 'truncated PNG: the compressed image data ends early'
        : /maxOutputLength|larger than/i.test(message)
          ? 'corrupt PNG: more image data than the header allows'
          : `corrupt PNG: image data does not decompress (${message})`,
    );
  }
  if (raw.length !== expected) {
    throw new RejectedFile(`truncated PNG: image data has ${raw.length} of ${expected} bytes`);
  }
  let offset = 0;
  for (const [w, h] of passes) {
    const stride = 1 + rowBytes(w);
    for (let y = 0; y < h; y++, offset += stride) {
      if (raw[offset]! > 4) throw new RejectedFile(`corrupt PNG: invalid filter type on row ${y}`);
    }
  }
  return {
    width,
    height,
    channels: colorType === 3 ? 3 : channels,
    hasAlpha: colorType === 4 || colorType === 6 || transparency,
  };
}
