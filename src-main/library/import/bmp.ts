// A BMP decoder, because libvips (and so sharp) has no BMP loader. Handles what
// real files use: 1/4/8-bit palettes (also RLE4/RLE8), 16-bit 555/565, 24-bit,
// 32-bit with or without alpha masks, bottom-up and top-down rows, and the
// OS/2 core header. Everything is bounds-checked: a truncated or lying file
// raises RejectedFile instead of reading past the buffer.
import { RejectedFile } from './probe.ts';

export interface DecodedBmp {
  width: number;
  height: number;
  /** width × height × 4 bytes, RGBA, top row first. */
  data: Uint8Array;
  /** Whether any pixel is not fully opaque. */
  hasAlpha: boolean;
}

const BI_RGB = 0;
const BI_RLE8 = 1;
const BI_RLE4 = 2;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;

function maskShift(mask: number): { shift: number; max: number } {
  if (mask === 0) return { shift: 0, max: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  return { shift, max: mask >>> shift };
}

export function decodeBmp(bytes: Uint8Array, maxPixels = 40_000_000): DecodedBmp {
  const b = bytes;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 26 || b[0] !== 0x42 || b[1] !== 0x4d) throw new RejectedFile('not a BMP file');
  const dataOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  if (14 + headerSize > b.length) throw new RejectedFile('truncated BMP: header cut short');
  let width: number;
  let height: number;
  let bpp: number;
  let compression = BI_RGB;
  let colorsUsed = 0;
  let paletteEntrySize = 4;
  let masks: [number, number, number, number] | undefined;
  if (headerSize === 12) {
    width = view.getUint16(18, true);
    height = view.getUint16(20, true);
    bpp = view.getUint16(24, true);
    paletteEntrySize = 3;
  } else if (headerSize >= 40) {
    width = view.getInt32(18, true);
    height = view.getInt32(22, true);
    bpp = view.getUint16(28, true);
    compression = view.getUint32(30, true);
    colorsUsed = view.getUint32(46, true);
    if (compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) {
      // Masks sit in the V4/V5 header, or right after a 40-byte header.
      const at = 54;
      const count = compression === BI_ALPHABITFIELDS || headerSize >= 56 ? 4 : 3;
      if (at + count * 4 > b.length) throw new RejectedFile('truncated BMP: colour masks cut short');
      masks = [
        view.getUint32(at, true),
        view.getUint32(at + 4, true),
        view.getUint32(at + 8, true),
        count === 4 ? view.getUint32(at + 12, true) : 0,
      ];
    } else if (headerSize >= 56 && bpp === 32) {
      // V3+/V4/V5 headers may declare an alpha mask even with BI_RGB.
      const alphaMask = view.getUint32(54 + 12, true);
      if (alphaMask !== 0) masks = [0x00ff0000, 0x0000ff00, 0x000000ff, alphaMask];
    }
  } else {
    throw new RejectedFile(`unsupported BMP header (${headerSize} bytes)`);
  }
  const topDown = height < 0;
  height = Math.abs(height);
  if (width <= 0 || height <= 0) throw new RejectedFile(`corrupt BMP: ${width} × ${height} pixels`);
  if (width * height > maxPixels) throw new RejectedFile(`image too large: ${width} × ${height} BMP`);
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw new RejectedFile(`unsupported BMP bit depth ${bpp}`);
  if (![BI_RGB, BI_RLE8, BI_RLE4, BI_BITFIELDS, BI_ALPHABITFIELDS].includes(compression)) {
    throw new RejectedFile(`unsupported BMP compression ${compression} (embedded JPEG/PNG or unknown)`);
  }

  const out = new Uint8Array(width * height * 4);
  const rowIndex = (y: number) => (topDown ? y : height - 1 - y);

  let palette: Uint8Array | undefined;
  if (bpp <= 8) {
    const count = colorsUsed || 1 << bpp;
    const at = 14 + headerSize + (compression === BI_BITFIELDS && headerSize === 40 ? 12 : 0);
    if (at + count * paletteEntrySize > b.length) throw new RejectedFile('truncated BMP: palette cut short');
    palette = new Uint8Array(256 * 3);
    for (let i = 0; i < Math.min(count, 256); i++) {
      palette[i * 3] = b[at + i * paletteEntrySize + 2]!;
      palette[i * 3 + 1] = b[at + i * paletteEntrySize + 1]!;
      palette[i * 3 + 2] = b[at + i * paletteEntrySize]!;
    }
  }
  const putIndex = (x: number, fileRow: number, index: number) => {
    const o = (rowIndex(fileRow) * width + x) * 4;
    out[o] = palette![index * 3]!;
    out[o + 1] = palette![index * 3 + 1]!;
    out[o + 2] = palette![index * 3 + 2]!;
    out[o + 3] = 255;
  };

  if (compression === BI_RLE8 || compression === BI_RLE4) {
    if (!palette) throw new RejectedFile('corrupt BMP: RLE without a palette');
    decodeRle(b, dataOffset, width, height, compression === BI_RLE4, putIndex);
    return { width, height, data: out, hasAlpha: false };
  }

  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  if (dataOffset + stride * height > b.length) {
    throw new RejectedFile(
      `truncated BMP: pixel data needs ${stride * height} bytes from offset ${dataOffset}, the file has ${b.length - dataOffset}`,
    );
  }
  let hasAlpha = false;
  if (bpp <= 8) {
    for (let y = 0; y < height; y++) {
      const row = dataOffset + y * stride;
      for (let x = 0; x < width; x++) {
        const bit = x * bpp;
        const byte = b[row + (bit >> 3)]!;
        const index = (byte >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        putIndex(x, y, index);
      }
    }
  } else if (bpp === 24) {
    for (let y = 0; y < height; y++) {
      const row = dataOffset + y * stride;
      let o = rowIndex(y) * width * 4;
      for (let x = 0; x < width; x++, o += 4) {
        out[o] = b[row + x * 3 + 2]!;
        out[o + 1] = b[row + x * 3 + 1]!;
        out[o + 2] = b[row + x * 3]!;
        out[o + 3] = 255;
      }
    }
  } else {
    // 16 and 32 bit: by masks. BI_RGB defaults: 16-bit 555, 32-bit 888 with unused top byte.
    const [rm, gm, bm, am] =
      masks ?? (bpp === 16 ? [0x7c00, 0x03e0, 0x001f, 0] : [0x00ff0000, 0x0000ff00, 0x000000ff, 0]);
    const chans = [maskShift(rm), maskShift(gm), maskShift(bm), maskShift(am)];
    const scale = (v: number, c: { max: number }) => (c.max === 0 ? 0 : Math.round((v * 255) / c.max));
    for (let y = 0; y < height; y++) {
      const row = dataOffset + y * stride;
      let o = rowIndex(y) * width * 4;
      for (let x = 0; x < width; x++, o += 4) {
        const px = bpp === 16 ? view.getUint16(row + x * 2, true) : view.getUint32(row + x * 4, true);
        out[o] = scale((px & rm) >>> chans[0]!.shift, chans[0]!);
        out[o + 1] = scale((px & gm) >>> chans[1]!.shift, chans[1]!);
        out[o + 2] = scale((px & bm) >>> chans[2]!.shift, chans[2]!);
        out[o + 3] = am === 0 ? 255 : scale((px & am) >>> chans[3]!.shift, chans[3]!);
        if (out[o + 3] !== 255) hasAlpha = true;
      }
    }
    // Many writers put an alpha mask but leave every alpha byte 0: that is an opaque image.
    if (hasAlpha && am !== 0) {
      let anyVisible = false;
      for (let i = 3; i < out.length; i += 4)
        if (out[i] !== 0) {
          anyVisible = true;
          break;
        }
      if (!anyVisible) {
        for (let i = 3; i < out.length; i += 4) out[i] = 255;
        hasAlpha = false;
      }
    }
  }
  return { width, height, data: out, hasAlpha };
}

function decodeRle(
  b: Uint8Array,
  start: number,
  width: number,
  height: number,
  four: boolean,
  put: (x: number, fileRow: number, index: number) => void,
): void {
  let at = start;
  let x = 0;
  let y = 0;
  const need = (n: number) => {
    if (at + n > b.length) throw new RejectedFile('truncated BMP: RLE data cut short');
  };
  const emit = (index: number) => {
    if (x < width && y < height) put(x, y, index);
    x++;
  };
  for (;;) {
    need(2);
    const count = b[at]!;
    const value = b[at + 1]!;
    at += 2;
    if (count > 0) {
      for (let i = 0; i < count; i++) emit(four ? (i % 2 === 0 ? value >> 4 : value & 15) : value);
      continue;
    }
    if (value === 0) {
      x = 0;
      y++;
    } else if (value === 1) {
      return;
    } else if (value === 2) {
      need(2);
      x += b[at]!;
      y += b[at + 1]!;
      at += 2;
    } else {
      const n = value;
      const bytes = four ? Math.ceil(n / 2) : n;
      need(bytes);
      for (let i = 0; i < n; i++)
        emit(four ? (i % 2 === 0 ? b[at + (i >> 1)]! >> 4 : b[at + (i >> 1)]! & 15) : b[at + i]!);
      at += bytes + (bytes % 2); // runs are padded to a 16-bit boundary
    }
    if (y >= height) return;
  }
}
