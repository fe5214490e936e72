/**
 * The embedded card centre's archive photos: it has no real faces, so it draws a plain ID-style
 * portrait (light background, head and shoulders) whose tones derive from the person's record key.
 * The same person always gets the same picture; nothing personal is in it.
 */
import { createHash } from 'node:crypto';
import { PNG } from 'pngjs';

/** 26 × 32 mm at 300 dpi: the photo box of the social-security card face. */
export const ARCHIVE_PHOTO_SIZE = { width: 307, height: 378 } as const;

export function archivePortraitPng(recordKey: string): Uint8Array {
  const { width, height } = ARCHIVE_PHOTO_SIZE;
  const seed = createHash('sha256').update('portrait').update(recordKey).digest();
  const skin = [200 + (seed[0]! % 40), 160 + (seed[1]! % 40), 130 + (seed[2]! % 40)] as const;
  const cloth = [30 + (seed[3]! % 80), 40 + (seed[4]! % 80), 60 + (seed[5]! % 100)] as const;
  const hair = [20 + (seed[6]! % 40), 15 + (seed[7]! % 30), 10 + (seed[8]! % 30)] as const;
  const background = [228, 238, 250] as const;
  const png = new PNG({ width, height });
  const head = { x: width / 2, y: height * 0.4, rx: width * 0.22, ry: height * 0.2 };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = (x - head.x) / head.rx;
      const dy = (y - head.y) / head.ry;
      const inHead = dx * dx + dy * dy <= 1;
      const inHair = inHead && y < head.y - head.ry * 0.45;
      const shoulders =
        y > height * 0.66 && Math.abs(x - width / 2) < width * (0.2 + (y - height * 0.66) / height);
      const colour = inHair ? hair : inHead ? skin : shoulders ? cloth : background;
      const i = (y * width + x) * 4;
      png.data[i] = colour[0];
      png.data[i + 1] = colour[1];
      png.data[i + 2] = colour[2];
      png.data[i + 3] = 255;
    }
  }
  return new Uint8Array(PNG.sync.write(png));
}

/** The smallest photo the face comparison accepts: below it there is no face to find. */
export const MIN_FACE_PHOTO_BYTES = 2_048;

/** The file's own signature, so a mislabelled or truncated upload is told apart from a face. */
export function imageMatchesType(data: Uint8Array, mediaType: 'image/jpeg' | 'image/png'): boolean {
  const starts = (bytes: number[]) => bytes.every((b, i) => data[i] === b);
  return mediaType === 'image/jpeg'
    ? starts([0xff, 0xd8, 0xff])
    : starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
}
