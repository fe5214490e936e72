/**
 * The blank's pre-printed artwork, for the staff proof only — it is on the card already and is
 * never sent to the printer. A layout may point at a scan of the province's real blank; otherwise
 * a sketch stands in for it (background, title, an emblem disc, the bank's logo box), drawn from the
 * layout's `artwork` data, plus the chip contacts and a 样张 (proof) mark.
 */
import { readFileSync } from 'node:fs';
import type { Op } from '../render/display-list.ts';
import { coverFit, decodePhoto } from '../render/image.ts';
import { fitText, type Fonts } from '../render/text-fit.ts';
import { CARD_HEIGHT_DOTS, CARD_WIDTH_DOTS, CHIP_CONTACTS } from './card-geometry.ts';
import type { CardLayout } from './card-layout.ts';

const CONTACT_GOLD = '#d4b35a';
const CONTACT_LINE = '#8a6d1f';
const PLACEHOLDER = '#8a94a6';

function scannedBlank(file: string): Op | null {
  try {
    const decoded = decodePhoto(readFileSync(file));
    if (!decoded.ok) return null;
    return {
      kind: 'image',
      x: 0,
      y: 0,
      image: coverFit(decoded.value, CARD_WIDTH_DOTS, CARD_HEIGHT_DOTS),
    };
  } catch {
    return null;
  }
}

function sketch(layout: CardLayout, fonts: Fonts): Op[] {
  const art = layout.artwork ?? {};
  const ops: Op[] = [
    {
      kind: 'rect',
      x: 0,
      y: 0,
      width: CARD_WIDTH_DOTS,
      height: CARD_HEIGHT_DOTS,
      fill: art.background ?? '#ffffff',
    },
  ];
  if (art.emblem) {
    const { cx, cy, r, colour } = art.emblem;
    ops.push({ kind: 'circle', cx, cy, r, fill: colour });
    ops.push({ kind: 'circle', cx, cy, r: r * 0.78, stroke: '#ffffff', strokeWidth: 3 });
    ops.push(
      ...fitText(
        fonts,
        '徽',
        { x: cx - r, y: cy - r, width: 2 * r, height: 2 * r },
        { size: r, weight: 'bold', colour: '#ffffff', align: 'center', valign: 'middle' },
      ).ops,
    );
  }
  for (const text of [art.title, art.subtitle]) {
    if (!text) continue;
    ops.push(
      ...fitText(fonts, text.text, text, {
        size: text.size,
        minSize: text.size / 2,
        weight: 'bold',
        colour: text.colour,
        valign: 'middle',
      }).ops,
    );
  }
  if (art.bankLogo) {
    const logo = art.bankLogo;
    ops.push({
      kind: 'rect',
      x: logo.x,
      y: logo.y,
      width: logo.width,
      height: logo.height,
      stroke: logo.colour,
      strokeWidth: 3,
    });
    ops.push(
      ...fitText(fonts, logo.text, logo, {
        size: logo.size ?? logo.height * 0.55,
        minSize: 10,
        weight: 'bold',
        colour: logo.colour,
        align: 'center',
        valign: 'middle',
      }).ops,
    );
  }
  return ops;
}

function chipContacts(): Op[] {
  const { x, y, width, height } = CHIP_CONTACTS;
  const ops: Op[] = [
    { kind: 'rect', x, y, width, height, fill: CONTACT_GOLD, stroke: CONTACT_LINE, strokeWidth: 2 },
  ];
  // ISO 7816-2's eight contacts: two columns of four, split by a vertical gap.
  ops.push({
    kind: 'line',
    x1: x + width / 2,
    y1: y + height * 0.12,
    x2: x + width / 2,
    y2: y + height * 0.88,
    width: 2,
    colour: CONTACT_LINE,
  });
  for (const fraction of [0.25, 0.5, 0.75]) {
    ops.push({
      kind: 'line',
      x1: x,
      y1: y + height * fraction,
      x2: x + width * 0.42,
      y2: y + height * fraction,
      width: 2,
      colour: CONTACT_LINE,
    });
    ops.push({
      kind: 'line',
      x1: x + width * 0.58,
      y1: y + height * fraction,
      x2: x + width,
      y2: y + height * fraction,
      width: 2,
      colour: CONTACT_LINE,
    });
  }
  return ops;
}

/** The proof's bottom layer. `noPhoto` marks the photo zone, so staff see the photo is missing. */
export function cardArtwork(layout: CardLayout, fonts: Fonts, noPhoto: boolean): Op[] {
  const scan = layout.artwork?.image ? scannedBlank(layout.artwork.image) : null;
  const ops: Op[] = scan ? [scan] : sketch(layout, fonts);
  ops.push(...chipContacts());
  if (noPhoto && layout.photo) {
    const { x, y, width, height } = layout.photo;
    ops.push({
      kind: 'rect',
      x: x + 2,
      y: y + 2,
      width: width - 4,
      height: height - 4,
      stroke: PLACEHOLDER,
      strokeWidth: 4,
    });
    ops.push(
      ...fitText(
        fonts,
        '无照片',
        { x, y, width, height },
        { size: 36, colour: PLACEHOLDER, align: 'center', valign: 'middle' },
      ).ops,
    );
  }
  ops.push(
    ...fitText(
      fonts,
      '样张',
      { x: 24, y: CARD_HEIGHT_DOTS - 64, width: 120, height: 44 },
      { size: 36, weight: 'bold', colour: '#c0392b', valign: 'middle' },
    ).ops,
  );
  return ops;
}
