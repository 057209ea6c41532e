import sharp from 'sharp';

/** PNG bytes of a height × width × channels uint8 image. */
export async function encodePng(pixels: Uint8Array, width: number, height: number, channels: 1 | 3): Promise<Buffer> {
  return sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), { raw: { width, height, channels } })
    .png({ compressionLevel: 6 })
    .toBuffer();
}
