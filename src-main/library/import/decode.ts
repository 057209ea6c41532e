// Checking and decoding image bytes. Import only *checks* (cheaply where it can);
// pixels are decoded later, once, for thumbnails and for the training cache.
import sharp from 'sharp';
import { decodeBmp } from './bmp.ts';
import { checkPng } from './png-check.ts';
import { DEFAULT_MAX_PIXELS, RejectedFile, probe, type ImageFormat } from './probe.ts';

export interface CheckedImage {
  format: ImageFormat;
  width: number;
  height: number;
  channels: number;
  hasAlpha: boolean;
}

// libvips's own cache only helps when the same file is decoded twice; we never do.
sharp.cache(false);

/** A JPEG ends with the EOI marker (FF D9); a cut-off download does not. */
function endsLikeJpeg(bytes: Uint8Array): boolean {
  for (let i = bytes.length - 1; i >= Math.max(1, bytes.length - 64); i--) {
    if (bytes[i] === 0xd9 && bytes[i - 1] === 0xff) return true;
  }
  return false;
}

function sharpReason(format: ImageFormat, bytes: Uint8Array, error: unknown): RejectedFile {
  let message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
  if (message === '' || /^unknown error$/i.test(message)) message = 'the decoder could not read the image data';
  const truncated =
    (format === 'jpeg' && !endsLikeJpeg(bytes)) ||
    /truncat|premature|end of|short|unexpected end|not enough/i.test(message);
  return new RejectedFile(`${truncated ? 'truncated' : 'corrupt'} ${format.toUpperCase()}: ${message}`);
}

/**
 * Throws RejectedFile (with a reason for a person) unless the bytes are an image we can
 * decode completely. The header is checked against the pixel limit before any decoding.
 */
export async function checkImage(bytes: Uint8Array, maxPixels = DEFAULT_MAX_PIXELS): Promise<CheckedImage> {
  const header = probe(bytes, maxPixels);
  if (header.format === 'png') {
    const png = checkPng(bytes);
    return { format: 'png', width: png.width, height: png.height, channels: png.channels, hasAlpha: png.hasAlpha };
  }
  if (header.format === 'bmp') {
    const bmp = decodeBmp(bytes, maxPixels);
    return {
      format: 'bmp',
      width: bmp.width,
      height: bmp.height,
      channels: bmp.hasAlpha ? 4 : 3,
      hasAlpha: bmp.hasAlpha,
    };
  }
  try {
    // libjpeg and the GIF decoder report damaged data only as warnings (and then decode
    // garbage), so for those a warning rejects the file. libtiff also warns about
    // harmless private tags, and WebP has no such warnings: errors only there.
    const failOn = header.format === 'jpeg' || header.format === 'gif' ? 'warning' : 'error';
    const { info } = await sharp(bytes, { failOn, limitInputPixels: maxPixels, pages: 1 })
      .raw()
      .toBuffer({ resolveWithObject: true });
    // The header said one size and the decoder another: the header lied (or was misread).
    if (info.width * info.height > maxPixels) throw new RejectedFile('image too large');
    return {
      format: header.format,
      width: info.width,
      height: info.height,
      channels: info.channels,
      hasAlpha: info.channels === 2 || info.channels === 4,
    };
  } catch (error) {
    if (error instanceof RejectedFile) throw error;
    throw sharpReason(header.format, bytes, error);
  }
}

/** A sharp pipeline on the image's first frame, BMP included (decoded by us into raw RGBA). */
export function sharpOf(bytes: Uint8Array, maxPixels = DEFAULT_MAX_PIXELS): sharp.Sharp {
  if (bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d) {
    const bmp = decodeBmp(bytes, maxPixels);
    return sharp(bmp.data, { raw: { width: bmp.width, height: bmp.height, channels: 4 } });
  }
  return sharp(bytes, { failOn: 'error', limitInputPixels: maxPixels, pages: 1 });
}

export interface DecodeOptions {
  /** #rrggbb that transparency is flattened onto. */
  background: string;
  /** Output channels: 1 (grayscale) or 3 (RGB). */
  channels: 1 | 3;
  /** Square output size; the image is resized to cover it and centre-cropped. Absent: native size. */
  size?: number;
}

export interface DecodedPixels {
  width: number;
  height: number;
  channels: 1 | 3;
  /** height × width × channels bytes, row-major. */
  data: Buffer;
}

/** Decodes an image for training: alpha flattened onto the background, converted, optionally resized. */
export async function decodePixels(bytes: Uint8Array, options: DecodeOptions): Promise<DecodedPixels> {
  let pipeline = sharpOf(bytes).flatten({ background: options.background });
  if (options.size) pipeline = pipeline.resize(options.size, options.size, { fit: 'cover', position: 'centre' });
  pipeline = options.channels === 1 ? pipeline.toColourspace('b-w') : pipeline.toColourspace('srgb');
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  // toColourspace may keep an extra band for some inputs; take exactly what was asked for.
  if (info.channels !== options.channels) {
    const out = Buffer.alloc(info.width * info.height * options.channels);
    for (let p = 0, q = 0; p < info.width * info.height; p++) {
      for (let c = 0; c < options.channels; c++) out[q++] = data[p * info.channels + Math.min(c, info.channels - 1)]!;
    }
    return { width: info.width, height: info.height, channels: options.channels, data: out };
  }
  return { width: info.width, height: info.height, channels: options.channels, data };
}
