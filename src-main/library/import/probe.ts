// Reads an image's format and dimensions from its first bytes, without decoding it,
// so that a file claiming 100,000 × 100,000 pixels is refused before any pixel
// memory is allocated (a pixel bomb), and a text file named .png is called what it is.

export const SUPPORTED_FORMATS = ['png', 'jpeg', 'webp', 'gif', 'bmp', 'tiff'] as const;
export type ImageFormat = (typeof SUPPORTED_FORMATS)[number];

/** 40 megapixels: far above any training image, far below what would exhaust memory. */
export const DEFAULT_MAX_PIXELS = 40_000_000;

export interface Probe {
  format: ImageFormat;
  width: number;
  height: number;
}

/** Why a file cannot be imported; `message` is meant for a person and names no path (the caller adds it). */
export class RejectedFile extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RejectedFile';
  }
}

const startsWith = (b: Uint8Array, sig: readonly number[], at = 0): boolean =>
  b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);
const ascii = (b: Uint8Array, at: number, len: number): string =>
  b.length >= at + len ? String.fromCharCode(...b.subarray(at, at + len)) : '';

/** Formats we recognise but do not import: a clearer message than "not an image". */
function knownUnsupported(b: Uint8Array): string | undefined {
  if (startsWith(b, [0, 0, 1, 0]) || startsWith(b, [0, 0, 2, 0])) return 'ICO/CUR';
  if (ascii(b, 0, 4) === '8BPS') return 'Photoshop PSD';
  if (ascii(b, 4, 4) === 'ftyp') {
    const brand = ascii(b, 8, 4);
    if (/^(heic|heix|hevc|heim|heis|mif1|msf1)$/.test(brand)) return 'HEIC/HEIF';
    if (/^(avif|avis)$/.test(brand)) return 'AVIF';
    return 'an ISO media (video/HEIF) file';
  }
  if (ascii(b, 0, 4) === '%PDF') return 'PDF';
  if (startsWith(b, [0xff, 0x0a]) || ascii(b, 4, 8) === 'jP  \r\n\x87\n'.slice(0, 8)) return 'JPEG XL/JPEG 2000';
  if (ascii(b, 0, 2) === 'P1' || /^P[2-7]\s/.test(ascii(b, 0, 3))) return 'Netpbm';
  if (ascii(b, 0, 4) === 'qoif') return 'QOI';
  if (ascii(b, 0, 2) === 'PK') return 'a zip archive not named .zip (rename it to .zip to import what it holds)';
  const head = new TextDecoder('utf-8', { fatal: false }).decode(b.subarray(0, 256)).trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'SVG (vector)';
  return undefined;
}

function looksLikeText(b: Uint8Array): boolean {
  const n = Math.min(b.length, 512);
  if (n === 0) return false;
  let printable = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i]!;
    if (c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127) || c >= 0x80) printable++;
    else if (c === 0) return false;
  }
  return printable / n > 0.95;
}

export function probe(bytes: Uint8Array, maxPixels = DEFAULT_MAX_PIXELS): Probe {
  if (bytes.length === 0) throw new RejectedFile('empty file (0 bytes)');
  const result = probeHeader(bytes);
  if (result.width <= 0 || result.height <= 0) {
    throw new RejectedFile(`corrupt ${result.format.toUpperCase()} header: ${result.width} × ${result.height} pixels`);
  }
  const pixels = result.width * result.height;
  if (pixels > maxPixels) {
    throw new RejectedFile(
      `image too large: the ${result.format.toUpperCase()} header claims ${result.width} × ${result.height} pixels ` +
        `(${(pixels / 1e6).toFixed(0)} megapixels; the limit is ${(maxPixels / 1e6).toFixed(0)}): refused before decoding`,
    );
  }
  return result;
}

function probeHeader(b: Uint8Array): Probe {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) {
    if (b.length < 24 || ascii(b, 12, 4) !== 'IHDR') throw new RejectedFile('truncated PNG: no IHDR header');
    return { format: 'png', width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (startsWith(b, [0xff, 0xd8, 0xff])) return probeJpeg(b, view);
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return probeWebp(b, view);
  if (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a') {
    if (b.length < 10) throw new RejectedFile('truncated GIF header');
    return { format: 'gif', width: view.getUint16(6, true), height: view.getUint16(8, true) };
  }
  if (ascii(b, 0, 2) === 'BM') {
    if (b.length < 26) throw new RejectedFile('truncated BMP header');
    const headerSize = view.getUint32(14, true);
    if (headerSize === 12) return { format: 'bmp', width: view.getUint16(18, true), height: view.getUint16(20, true) };
    return { format: 'bmp', width: Math.abs(view.getInt32(18, true)), height: Math.abs(view.getInt32(22, true)) };
  }
  if (ascii(b, 0, 4) === 'II*\0' || ascii(b, 0, 4) === 'MM\0*') return probeTiff(b, view);
  const other = knownUnsupported(b);
  if (other) throw new RejectedFile(`unsupported format: ${other}`);
  if (looksLikeText(b)) throw new RejectedFile('not an image: the file contains text');
  throw new RejectedFile('not an image: unrecognised content (not PNG, JPEG, WebP, GIF, BMP or TIFF)');
}

function probeJpeg(b: Uint8Array, view: DataView): Probe {
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) throw new RejectedFile('corrupt JPEG: bad marker in header');
    const marker = b[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    const length = view.getUint16(at + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (at + 9 > b.length) break;
      return { format: 'jpeg', height: view.getUint16(at + 5), width: view.getUint16(at + 7) };
    }
    if (marker === 0xd9 || marker === 0xda) break;
    at += 2 + length;
  }
  throw new RejectedFile('truncated or corrupt JPEG: no frame header (SOF) found');
}

function probeWebp(b: Uint8Array, view: DataView): Probe {
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8 ' && b.length >= 30) {
    return { format: 'webp', width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
  }
  if (chunk === 'VP8L' && b.length >= 25) {
    const bits = view.getUint32(21, true);
    return { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X' && b.length >= 30) {
    const w = 1 + (b[24]! | (b[25]! << 8) | (b[26]! << 16));
    const h = 1 + (b[27]! | (b[28]! << 8) | (b[29]! << 16));
    return { format: 'webp', width: w, height: h };
  }
  throw new RejectedFile('truncated or corrupt WebP header');
}

function probeTiff(b: Uint8Array, view: DataView): Probe {
  const le = b[0] === 0x49;
  const u16 = (o: number) => view.getUint16(o, le);
  const u32 = (o: number) => view.getUint32(o, le);
  if (b.length < 8) throw new RejectedFile('truncated TIFF header');
  const ifd = u32(4);
  if (ifd + 2 > b.length) throw new RejectedFile('truncated TIFF: the first image directory is missing');
  const entries = u16(ifd);
  let width = -1;
  let height = -1;
  for (let i = 0; i < entries; i++) {
    const e = ifd + 2 + i * 12;
    if (e + 12 > b.length) throw new RejectedFile('truncated TIFF: image directory cut short');
    const tag = u16(e);
    const type = u16(e + 2);
    const value = type === 3 ? u16(e + 8) : u32(e + 8);
    if (tag === 256) width = value;
    if (tag === 257) height = value;
  }
  if (width < 0 || height < 0) throw new RejectedFile('corrupt TIFF: no image width/height tags');
  return { format: 'tiff', width, height };
}
