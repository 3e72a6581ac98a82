// Turns uploaded bytes into pixels: JPEG and PNG with pure-JavaScript decoders,
// WebP with libwebp compiled to WebAssembly, all loaded from node_modules.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

import decodeWebp, { init as initWebp } from '@jsquash/webp/decode.js';
import { imageSize } from 'image-size';
import jpeg from 'jpeg-js';
import pngjs from 'pngjs';

const require = createRequire(import.meta.url);

/** An upload that is not a picture this detector reads; status is the HTTP answer. */
export class ImageError extends Error {
  constructor(message, status) {
    super(message);
    this.name = 'ImageError';
    this.status = status;
  }
}

/**
 * Builds a decoder that refuses pictures of more than maxPixels before
 * decoding them, so a small file that inflates to gigabytes is never expanded.
 * The decoder answers { data, width, height, channels, orientation }: 8-bit
 * samples, 3 (RGB) or 4 (RGBA) a pixel, and the EXIF orientation (1-8) a
 * camera wrote into a JPEG.
 */
export async function createDecoder({ maxPixels }) {
  const wasm = await readFile(require.resolve('@jsquash/webp/codec/dec/webp_dec.wasm'));
  await initWebp(await WebAssembly.compile(wasm));

  return async function decode(bytes) {
    let info;
    try {
      info = imageSize(bytes);
    } catch {
      throw new ImageError('the image is not a JPEG, PNG or WebP picture', 400);
    }
    if (!['jpg', 'png', 'webp'].includes(info.type) || !(info.width > 0 && info.height > 0)) {
      throw new ImageError('the image is not a JPEG, PNG or WebP picture', 400);
    }
    if (info.width * info.height > maxPixels) {
      throw new ImageError(`the image has ${info.width}x${info.height} pixels, at most ${maxPixels} in all`, 413);
    }
    try {
      switch (info.type) {
        case 'jpg': {
          const { data, width, height } = jpeg.decode(bytes, {
            useTArray: true, formatAsRGBA: false, maxResolutionInMP: maxPixels / 1e6,
          });
          return { data, width, height, channels: 3, orientation: info.orientation ?? 1 };
        }
        case 'png': {
          const { data, width, height } = pngjs.PNG.sync.read(bytes);
          return { data, width, height, channels: 4, orientation: 1 };
        }
        default: {
          const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
          const { data, width, height } = await decodeWebp(copy);
          return { data, width, height, channels: 4, orientation: 1 };
        }
      }
    } catch (err) {
      throw new ImageError(`the ${info.type === 'jpg' ? 'JPEG' : info.type.toUpperCase()} image could not be decoded: ${err.message}`, 400);
    }
  };
}
