/**
 * Photos: decoded from the bytes the card centre sends (JPEG or PNG), cropped to the zone's shape
 * from the centre, resampled to one pixel per printer dot, and — for a 1-bit panel — dithered.
 * Both back ends are handed the same resampled pixels, so the PDF proof shows the dots printed.
 */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { err, ok, type Result } from '../../drivers/common/result.ts';
import type { RgbImage } from './display-list.ts';

/** A card-centre photo is about 358 × 441; anything beyond this is not a photo. */
const MAX_PHOTO_MEGAPIXELS = 12;
const MAX_DECODE_MEMORY_MB = 256;

export type PhotoProblem = { kind: 'unreadablePhoto'; detail: string };

/** Decodes JPEG or PNG bytes. Corrupt or unknown data is an answer, not an exception. */
export function decodePhoto(bytes: Uint8Array): Result<RgbImage, PhotoProblem> {
  try {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (buffer[0] === 0xff && buffer[1] === 0xd8) {
      const image = jpeg.decode(buffer, {
        useTArray: true,
        formatAsRGBA: true,
        maxResolutionInMP: MAX_PHOTO_MEGAPIXELS,
        maxMemoryUsageInMB: MAX_DECODE_MEMORY_MB,
      });
      return ok(fromRgba(image.width, image.height, image.data));
    }
    if (buffer.subarray(1, 4).toString('latin1') === 'PNG') {
      const png = PNG.sync.read(buffer);
      if (png.width * png.height > MAX_PHOTO_MEGAPIXELS * 1e6)
        return err({ kind: 'unreadablePhoto', detail: 'image too large' });
      return ok(fromRgba(png.width, png.height, png.data));
    }
    return err({ kind: 'unreadablePhoto', detail: 'neither JPEG nor PNG' });
  } catch (cause) {
    return err({ kind: 'unreadablePhoto', detail: (cause as Error).message });
  }
}

/** RGBA to RGB over white (a transparent photo background prints as no ink). */
export function fromRgba(width: number, height: number, rgba: Uint8Array): RgbImage {
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const alpha = rgba[4 * i + 3]! / 255;
    for (let c = 0; c < 3; c++)
      rgb[3 * i + c] = Math.round(rgba[4 * i + c]! * alpha + 255 * (1 - alpha));
  }
  return { width, height, rgb };
}

/**
 * Scales `image` to exactly `width` × `height`, cropping the longer side equally from both ends so
 * nothing is stretched. Shrinking averages every source pixel a target pixel covers (box filter);
 * enlarging interpolates bilinearly.
 */
export function coverFit(image: RgbImage, width: number, height: number): RgbImage {
  const out: RgbImage = { width, height, rgb: new Uint8Array(width * height * 3).fill(255) };
  if (image.width <= 0 || image.height <= 0 || width <= 0 || height <= 0) return out;
  const scale = Math.max(width / image.width, height / image.height);
  const cropW = width / scale;
  const cropH = height / scale;
  const left = (image.width - cropW) / 2;
  const topEdge = (image.height - cropH) / 2;
  const step = 1 / scale; // source pixels per target pixel
  const src = (x: number, y: number, c: number) => image.rgb[(y * image.width + x) * 3 + c]!;
  for (let ty = 0; ty < height; ty++) {
    for (let tx = 0; tx < width; tx++) {
      const at = (ty * width + tx) * 3;
      if (step > 1) {
        const x0 = left + tx * step;
        const y0 = topEdge + ty * step;
        const xa = Math.floor(x0);
        const ya = Math.floor(y0);
        const xb = Math.min(image.width, Math.ceil(x0 + step));
        const yb = Math.min(image.height, Math.ceil(y0 + step));
        const sum = [0, 0, 0];
        let weight = 0;
        for (let sy = ya; sy < yb; sy++) {
          const wy = Math.min(sy + 1, y0 + step) - Math.max(sy, y0);
          for (let sx = xa; sx < xb; sx++) {
            const w = wy * (Math.min(sx + 1, x0 + step) - Math.max(sx, x0));
            if (w <= 0) continue;
            for (let c = 0; c < 3; c++) sum[c]! += src(sx, sy, c) * w;
            weight += w;
          }
        }
        for (let c = 0; c < 3; c++)
          out.rgb[at + c] = weight > 0 ? Math.round(sum[c]! / weight) : 255;
      } else {
        const fx = Math.min(image.width - 1, Math.max(0, left + (tx + 0.5) * step - 0.5));
        const fy = Math.min(image.height - 1, Math.max(0, topEdge + (ty + 0.5) * step - 0.5));
        const x0 = Math.floor(fx);
        const y0 = Math.floor(fy);
        const x1 = Math.min(image.width - 1, x0 + 1);
        const y1 = Math.min(image.height - 1, y0 + 1);
        const dx = fx - x0;
        const dy = fy - y0;
        for (let c = 0; c < 3; c++) {
          const top = src(x0, y0, c) * (1 - dx) + src(x1, y0, c) * dx;
          const bottom = src(x0, y1, c) * (1 - dx) + src(x1, y1, c) * dx;
          out.rgb[at + c] = Math.round(top * (1 - dy) + bottom * dy);
        }
      }
    }
  }
  return out;
}

/**
 * Mid-tones are lifted before dithering (v^(1/gamma)): resin dots spread, and a photo dithered
 * linearly prints too dark — an ID photo's blue background would come out as a grey wall.
 */
const MONO_PHOTO_GAMMA = 1.4;

/**
 * Floyd–Steinberg error diffusion to pure black and white: how a photo goes on a 1-bit panel
 * (a monochrome ribbon). The result is still an RGB image, every pixel 0 or 255.
 */
export function ditherToMono(image: RgbImage, gamma = MONO_PHOTO_GAMMA): RgbImage {
  const { width, height } = image;
  const level = new Float32Array(width * height);
  for (let i = 0; i < level.length; i++) {
    const luminance =
      (image.rgb[3 * i]! * 299 + image.rgb[3 * i + 1]! * 587 + image.rgb[3 * i + 2]! * 114) / 1000;
    level[i] = 255 * (luminance / 255) ** (1 / gamma);
  }
  const out: RgbImage = { width, height, rgb: new Uint8Array(width * height * 3) };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const value = level[i]!;
      const white = value >= 128 ? 255 : 0;
      out.rgb.fill(white, 3 * i, 3 * i + 3);
      const error = value - white;
      if (x + 1 < width) level[i + 1]! += (error * 7) / 16;
      if (y + 1 < height) {
        if (x > 0) level[i + width - 1]! += (error * 3) / 16;
        level[i + width]! += (error * 5) / 16;
        if (x + 1 < width) level[i + width + 1]! += error / 16;
      }
    }
  }
  return out;
}
