import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { compareWithGolden, goldenOk } from '../golden-image.ts';
import { cropTo, pdfPagesToRasters } from '../pdf-raster.ts';
import { inkBox, inkCount, unmatchedInk } from '../raster-compare.ts';
import { cjkFonts } from '../render/font.ts';
import { monoToRaster, rasterizePage, toMono, type MonoBitmap } from '../render/raster.ts';
import { LONG_CARD, SAMPLE_CARD, samplePhoto } from '../sample-data.ts';
import {
  canPrintName,
  CARD_DPI,
  CARD_HEIGHT_DOTS,
  CARD_WIDTH_DOTS,
  CardFaceError,
  cardFaceProofDocument,
  cardFaceProofPdf,
  cardFaceProofRaster,
  CHIP_KEEP_OUT,
  DEFAULT_CARD_LAYOUT,
  layoutCardFace,
  MONO_PANEL_BYTES,
  parseCardLayout,
  renderCardFace,
  renderCardFacePanels,
  type CardFacePrint,
  type CardLayout,
} from './card-face.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const fonts = () => {
  const result = cjkFonts();
  if (!result.ok) throw new Error(result.error.detail);
  return result.value;
};
const panel = (bits: Uint8Array): MonoBitmap => ({
  width: CARD_WIDTH_DOTS,
  height: CARD_HEIGHT_DOTS,
  rowBytes: CARD_WIDTH_DOTS / 8,
  bits,
});
const render = (
  facts = SAMPLE_CARD,
  photo: Parameters<typeof renderCardFacePanels>[1] = samplePhoto(),
) => {
  const result = renderCardFace(facts, { photo, ribbon: 'YMCKO' });
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
};
/** Unpacks a dye panel to one value per dot (0–31 at 5 bits). */
const dye = (packed: Uint8Array, bits: number) => {
  const out = new Uint8Array(CARD_WIDTH_DOTS * CARD_HEIGHT_DOTS);
  for (let i = 0; i < out.length; i++) {
    let value = 0;
    for (let b = 0; b < bits; b++) {
      const bit = i * bits + b;
      value = (value << 1) | ((packed[bit >> 3]! >> (7 - (bit & 7))) & 1);
    }
    out[i] = value;
  }
  return out;
};
const field = (name: keyof CardLayout['fields']) => DEFAULT_CARD_LAYOUT.fields[name]!;

describe('the card face', () => {
  it('prints the personal data in black like its golden image, and the photo in colour', () => {
    const { panels } = render();
    expect(panels.k.length).toBe(MONO_PANEL_BYTES);
    const comparison = compareWithGolden(here, 'card-face-k', monoToRaster(panel(panels.k)), {
      mode: 'ink',
    });
    expect(goldenOk(comparison), comparison.message).toBe(true);
    expect(panels.colour?.bits).toBe(5);
    expect(panels.colour?.y.length).toBe(MONO_PANEL_BYTES * 5);
    // The photo is on the dye panels, inside its zone and nowhere else.
    const photo = DEFAULT_CARD_LAYOUT.photo!;
    const cyan = dye(panels.colour!.c, 5);
    let inside = 0;
    let outside = 0;
    cyan.forEach((v, i) => {
      const x = i % CARD_WIDTH_DOTS;
      const y = Math.floor(i / CARD_WIDTH_DOTS);
      const within =
        x >= photo.x && x < photo.x + photo.width && y >= photo.y && y < photo.y + photo.height;
      if (v > 0 && within) inside++;
      else if (v > 0) outside++;
    });
    expect(inside).toBeGreaterThan(photo.width * photo.height * 0.5);
    expect(outside).toBe(0);
    // And the k panel has no ink in the photo zone.
    expect(inkCount(panel(panels.k), photo)).toBe(0);
  });

  it('shows the staff proof with the blank’s artwork under the data, like its golden image', () => {
    const layers = layoutCardFace(SAMPLE_CARD, { photo: samplePhoto(), ribbon: 'YMCKO' });
    if (!layers.ok) throw new Error('layout failed');
    const comparison = compareWithGolden(
      here,
      'card-face-proof',
      cardFaceProofRaster(layers.value, fonts()),
    );
    expect(goldenOk(comparison), comparison.message).toBe(true);
  });

  it('never puts ink, dye or varnish on the chip contacts, even for a layout that slipped past its check', () => {
    // A layout object built in code, never parsed: its photo and name lie over the chip.
    const unchecked: CardLayout = {
      ...DEFAULT_CARD_LAYOUT,
      photo: { x: 60, y: 180, width: 300, height: 260, print: 'colour' },
      fields: {
        ...DEFAULT_CARD_LAYOUT.fields,
        name: { ...field('name'), x: 100, y: 260, width: 500, labelWidth: 0 },
      },
    };
    const unsafe = renderCardFace(SAMPLE_CARD, {
      layout: unchecked,
      photo: samplePhoto(),
      ribbon: 'YMCKO',
    });
    if (!unsafe.ok) throw new Error('render');
    for (const { panels } of [render(SAMPLE_CARD), render(LONG_CARD), unsafe.value]) {
      expect(inkCount(panel(panels.k), CHIP_KEEP_OUT)).toBe(0);
      expect(inkCount(panel(panels.o!), CHIP_KEEP_OUT)).toBe(0);
      // The overlay covers the rest of the card.
      expect(inkCount(panel(panels.o!), { x: 0, y: 0, width: CARD_WIDTH_DOTS, height: 100 })).toBe(
        CARD_WIDTH_DOTS * 100,
      );
      for (const plane of [panels.colour!.y, panels.colour!.m, panels.colour!.c]) {
        const values = dye(plane, 5);
        let dyed = 0;
        for (let y = CHIP_KEEP_OUT.y; y < CHIP_KEEP_OUT.y + CHIP_KEEP_OUT.height; y++) {
          for (let x = CHIP_KEEP_OUT.x; x < CHIP_KEEP_OUT.x + CHIP_KEEP_OUT.width; x++)
            if (values[y * CARD_WIDTH_DOTS + x] !== 0) dyed++;
        }
        expect(dyed).toBe(0);
        // …while the same panel does carry the photo right next to the keep-out zone.
        if (panels === unsafe.value.panels)
          expect(
            values[(CHIP_KEEP_OUT.y + 20) * CARD_WIDTH_DOTS + CHIP_KEEP_OUT.x - 8],
          ).toBeGreaterThan(0);
      }
    }
  });

  it('refuses a layout that puts a zone over the chip or off the card, with one message per problem', () => {
    const json = JSON.parse(JSON.stringify(DEFAULT_CARD_LAYOUT));
    json.fields.name.x = 150;
    json.fields.cardNumber.y = 640;
    json.fields.issueDate.minSize = 90;
    const result = parseCardLayout(json);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.some((m) => m.startsWith('fields.name') && m.includes('chip'))).toBe(true);
    expect(
      result.error.some((m) => m.startsWith('fields.cardNumber') && m.includes('outside')),
    ).toBe(true);
    expect(
      result.error.some((m) => m.startsWith('fields.issueDate') && m.includes('minSize')),
    ).toBe(true);
    expect(parseCardLayout({ name: 'x', fields: { name: { x: 'left' } } }).ok).toBe(false);
  });

  it('moves a field when the layout data says so, without code', () => {
    const moved = JSON.parse(JSON.stringify(DEFAULT_CARD_LAYOUT));
    moved.fields.cardNumber.y = 530;
    const layout = parseCardLayout(moved);
    if (!layout.ok) throw new Error(layout.error.join('; '));
    const result = renderCardFace(SAMPLE_CARD, {
      layout: layout.value,
      photo: samplePhoto(),
      ribbon: 'YMCKO',
    });
    if (!result.ok) throw new Error('render failed');
    const at = { ...field('cardNumber'), y: 530 };
    expect(inkCount(panel(result.value.panels.k), at)).toBeGreaterThan(100);
    expect(inkCount(panel(result.value.panels.k), field('cardNumber'))).toBe(0);
    expect(inkCount(panel(render().panels.k), at)).toBe(0);
  });

  it('keeps a 15-character name and a 35-character issuing area inside their zones: shrink, wrap, then “…”', () => {
    expect([...LONG_CARD.name].length).toBe(15);
    const { panels, layers } = render(LONG_CARD);
    expect(layers.warnings).toEqual(
      expect.arrayContaining(['shrunk:name', 'ellipsized:issuingArea']),
    );
    const k = panel(panels.k);
    for (const name of ['name', 'issuingArea'] as const) {
      const zone = field(name);
      const box = inkBox(k, {
        x: zone.x,
        y: zone.y - 10,
        width: 1016 - zone.x,
        height: zone.height + 20,
      })!;
      expect(box.x1).toBeLessThan(zone.x + zone.width);
      expect(box.y0).toBeGreaterThanOrEqual(zone.y);
      expect(box.y1).toBeLessThan(zone.y + zone.height);
    }
    // The name wraps after its separator, in two lines, not one squeezed line.
    const nameOps = layers.k.filter((op) => op.kind === 'text' && op.weight === 'bold');
    expect(nameOps.map((op) => (op.kind === 'text' ? op.text : ''))).toEqual([
      '阿卜杜热西提·',
      '阿卜杜拉·买买提',
    ]);
  });

  it('lays out with no photo, a broken photo or missing fields, and says what it did', () => {
    const noPhoto = render(SAMPLE_CARD, null);
    expect(noPhoto.layers.warnings).toContain('noPhoto');
    expect(noPhoto.panels.colour).toBeUndefined();
    const broken = render(SAMPLE_CARD, new Uint8Array([0xff, 0xd8, 0xff, 0x00, 1, 2, 3]));
    expect(broken.layers.warnings).toContain('unreadablePhoto');
    const empty = render(
      { name: '', socialSecurityNumber: '', cardNumber: '', issueDate: null, issuingArea: null },
      null,
    );
    expect(empty.layers.warnings).toEqual(
      expect.arrayContaining(['missing:name', 'missing:cardNumber', 'missing:issueDate']),
    );
    expect(inkBox(panel(empty.panels.k))).toBeNull();
  });

  it('takes the card centre’s photo as JPEG or PNG bytes', () => {
    const image = samplePhoto(307, 378);
    const rgba = Buffer.alloc(image.width * image.height * 4, 255);
    for (let i = 0; i < image.width * image.height; i++)
      image.rgb.subarray(3 * i, 3 * i + 3).forEach((v, c) => (rgba[4 * i + c] = v));
    const jpg = jpeg.encode({ width: image.width, height: image.height, data: rgba }, 90).data;
    const png = new PNG({ width: image.width, height: image.height });
    png.data = rgba;
    for (const bytes of [new Uint8Array(jpg), new Uint8Array(PNG.sync.write(png))]) {
      const { panels, layers } = render(SAMPLE_CARD, bytes);
      expect(layers.warnings).not.toContain('unreadablePhoto');
      expect(panels.colour).toBeDefined();
    }
  });

  it('dithers the photo into the black panel when the layout prints it in mono, or the ribbon has no dye', () => {
    const mono = JSON.parse(JSON.stringify(DEFAULT_CARD_LAYOUT));
    mono.photo.print = 'mono';
    const layout = parseCardLayout(mono);
    if (!layout.ok) throw new Error('layout');
    const zone = DEFAULT_CARD_LAYOUT.photo!;
    for (const options of [
      { layout: layout.value, ribbon: 'YMCKO' as const },
      { ribbon: 'KO' as const },
      {},
    ]) {
      const result = renderCardFace(SAMPLE_CARD, { ...options, photo: samplePhoto() });
      if (!result.ok) throw new Error('render');
      expect(result.value.panels.colour).toBeUndefined();
      const ink = inkCount(panel(result.value.panels.k), zone);
      expect(ink).toBeGreaterThan(zone.width * zone.height * 0.1);
      expect(ink).toBeLessThan(zone.width * zone.height * 0.9);
    }
  });

  it('finds a name the font cannot print before anything is printed', () => {
    expect(canPrintName('王秀英')).toEqual({ ok: true });
    expect(canPrintName('刘䶮')).toEqual({ ok: true }); // Extension A, in the font
    expect(canPrintName('王𪚥英')).toEqual({ ok: false, missing: ['𪚥'] }); // Extension B, not in this font
    expect(canPrintName('王\u0007英')).toEqual({ ok: false, missing: ['\u0007'] });
    const result = renderCardFace({ ...SAMPLE_CARD, name: '王𪚥英' });
    expect(result).toEqual({
      ok: false,
      error: { kind: 'unprintable', field: 'name', missing: ['𪚥'] },
    });
    expect(() => renderCardFacePanels({ ...SAMPLE_CARD, name: '王𪚥英' })).toThrow(CardFaceError);
  });

  it('prints a rare character outside GBK that the font has (吴𠮷: the chip keeps it in its name extension)', () => {
    expect(canPrintName('吴𠮷')).toEqual({ ok: true });
    const result = renderCardFace({ ...SAMPLE_CARD, name: '吴𠮷' });
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    const texts = [...result.value.layers.k, ...result.value.layers.colour]
      .filter((op) => op.kind === 'text')
      .map((op) => op.text);
    expect(texts).toContain('吴𠮷');
    expect(texts.join('')).not.toContain('〓');
    expect(result.value.layers.warnings).not.toContain('missing:name');
  });

  it('writes a PDF proof that shows what the raster shows', async () => {
    const pdf = await cardFaceProofPdf(SAMPLE_CARD, { photo: samplePhoto(), ribbon: 'YMCKO' });
    if (!pdf.ok) throw new Error('pdf');
    const layers = layoutCardFace(SAMPLE_CARD, { photo: samplePhoto(), ribbon: 'YMCKO' });
    if (!layers.ok) throw new Error('layout');
    const page = cardFaceProofDocument(layers.value).pages[0]!;
    const fromPdf = toMono(
      cropTo(pdfPagesToRasters(pdf.value, CARD_DPI)[0]!, page.width, page.height),
    );
    const fromRaster = toMono(rasterizePage(page, fonts()));
    expect(unmatchedInk(fromRaster, fromPdf).fraction).toBeLessThan(0.002);
  });

  it('reads a province’s layout file, with a scan of its blank for the proof', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'layout-'));
    const scan = new PNG({ width: 100, height: 64 });
    scan.data.fill(200);
    writeFileSync(path.join(dir, 'blank.png'), PNG.sync.write(scan));
    const layout = {
      ...JSON.parse(JSON.stringify(DEFAULT_CARD_LAYOUT)),
      artwork: { image: 'blank.png' },
    };
    const parsed = parseCardLayout(layout, dir);
    if (!parsed.ok) throw new Error(parsed.error.join('; '));
    expect(parsed.value.artwork?.image).toBe(path.join(dir, 'blank.png'));
    const layers = layoutCardFace(SAMPLE_CARD, { layout: parsed.value });
    if (!layers.ok) throw new Error('layout');
    expect(layers.value.artwork[0]).toMatchObject({ kind: 'image', x: 0, y: 0 });
  });

  it('gives the card-printer driver panels of the sizes its Db command expects', () => {
    const panels: CardFacePrint = renderCardFacePanels(SAMPLE_CARD, samplePhoto(), {
      ribbon: 'YMCKO',
    });
    expect(panels.k.length).toBe(82_296);
    expect(panels.o!.length).toBe(82_296);
    expect(panels.colour!.m.length).toBe(82_296 * 5);
  });
});
