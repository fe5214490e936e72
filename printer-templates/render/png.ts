/** PNG files of rasters: golden images, developer previews, the simulator's "what it printed". */
import { PNG } from 'pngjs';
import { grayOf, type Raster } from './raster.ts';

/** Grayscale when every dot is gray (smaller files), RGB otherwise. */
export function rasterToPng(raster: Raster): Buffer {
  const { width, height, rgb } = raster;
  let gray = true;
  for (let i = 0; i < width * height && gray; i++)
    gray = rgb[3 * i] === rgb[3 * i + 1] && rgb[3 * i] === rgb[3 * i + 2];
  if (gray) {
    const png = new PNG({
      width,
      height,
      colorType: 0,
      inputColorType: 0,
      inputHasAlpha: false,
      bitDepth: 8,
    });
    png.data = Buffer.from(grayOf(raster));
    return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
  }
  const png = new PNG({ width, height, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  png.data = Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength);
  return PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false });
}

/** Any PNG back to an RGB raster (alpha over white). */
export function pngToRaster(bytes: Uint8Array): Raster {
  const png = PNG.sync.read(Buffer.from(bytes));
  const rgb = new Uint8Array(png.width * png.height * 3);
  for (let i = 0; i < png.width * png.height; i++) {
    const alpha = png.data[4 * i + 3]! / 255;
    for (let c = 0; c < 3; c++)
      rgb[3 * i + c] = Math.round(png.data[4 * i + c]! * alpha + 255 * (1 - alpha));
  }
  return { width: png.width, height: png.height, rgb };
}
