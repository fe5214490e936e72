/**
 * Where things go on the card face, as data: a province that moves a field edits a JSON file
 * (layouts/default.json is the shape), no code. A layout is checked when it is loaded — inside the
 * card, clear of the chip contacts, sizes that make sense — and an invalid one is refused with one
 * message per problem, before any card is printed with it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { err, ok, type Result } from '../../drivers/common/result.ts';
import {
  CARD_HEIGHT_DOTS,
  CARD_WIDTH_DOTS,
  CHIP_CLEARANCE_DOTS,
  CHIP_CONTACTS,
  overlaps,
  type Zone,
} from './card-geometry.ts';

const dots = z.number().int().min(0);
const size = z.number().positive().max(200);
const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/) as unknown as z.ZodType<`#${string}`>;

const ZoneSchema = z.object({ x: dots, y: dots, width: dots.min(1), height: dots.min(1) });

const FieldSchema = ZoneSchema.extend({
  /** Printed before the value, e.g. 姓名; absent on blanks that carry their labels pre-printed. */
  label: z.string().optional(),
  /** Dots from the zone's left edge to the value. */
  labelWidth: dots.default(0),
  labelSize: size.default(24),
  /** Preferred em size of the value, dots. */
  size,
  /** The value may shrink to this before it wraps or is cut. */
  minSize: size.optional(),
  maxLines: z.number().int().min(1).max(4).default(1),
  weight: z.enum(['regular', 'bold']).default('regular'),
  /** For dates: YYYY, MM (two digits), M, DD, D are replaced. */
  dateFormat: z.string().default('YYYY年M月'),
}).strict();

const TextArtSchema = ZoneSchema.extend({ text: z.string(), size, colour }).strict();

const ArtworkSchema = z
  .object({
    background: colour.optional(),
    title: TextArtSchema.optional(),
    subtitle: TextArtSchema.optional(),
    emblem: z
      .object({ cx: dots, cy: dots, r: dots.min(1), colour })
      .strict()
      .optional(),
    bankLogo: TextArtSchema.omit({ size: true })
      .extend({ size: size.optional() })
      .strict()
      .optional(),
    /** A scan of the pre-printed blank (PNG or JPEG, path relative to the layout file), shown in proofs instead of the sketch. */
    image: z.string().optional(),
  })
  .strict();

export const FIELD_NAMES = [
  'name',
  'socialSecurityNumber',
  'cardNumber',
  'issueDate',
  'issuingArea',
] as const;
export type FieldName = (typeof FIELD_NAMES)[number];

const LayoutSchema = z
  .object({
    name: z.string(),
    description: z.string().optional(),
    photo: ZoneSchema.extend({ print: z.enum(['colour', 'mono']).default('colour') })
      .strict()
      .optional(),
    fields: z
      .object({
        name: FieldSchema.optional(),
        socialSecurityNumber: FieldSchema.optional(),
        cardNumber: FieldSchema.optional(),
        issueDate: FieldSchema.optional(),
        issuingArea: FieldSchema.optional(),
      })
      .strict(),
    artwork: ArtworkSchema.optional(),
  })
  .strict();

export type CardLayout = z.infer<typeof LayoutSchema>;
export type FieldLayout = z.infer<typeof FieldSchema>;
export type ArtworkLayout = z.infer<typeof ArtworkSchema>;

function insideCard(zone: Zone): boolean {
  return zone.x + zone.width <= CARD_WIDTH_DOTS && zone.y + zone.height <= CARD_HEIGHT_DOTS;
}

/** The chip contacts with the clearance no ink may come nearer than. */
export const CHIP_KEEP_OUT: Zone = {
  x: CHIP_CONTACTS.x - CHIP_CLEARANCE_DOTS,
  y: CHIP_CONTACTS.y - CHIP_CLEARANCE_DOTS,
  width: CHIP_CONTACTS.width + 2 * CHIP_CLEARANCE_DOTS,
  height: CHIP_CONTACTS.height + 2 * CHIP_CLEARANCE_DOTS,
};

/** Checks a layout object (parsed JSON). Every problem is reported, each with the field's path. */
export function parseCardLayout(json: unknown, baseDir?: string): Result<CardLayout, string[]> {
  const parsed = LayoutSchema.safeParse(json);
  if (!parsed.success)
    return err(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(layout)'}: ${issue.message}`),
    );
  const layout = parsed.data;
  const problems: string[] = [];
  const zones: [string, Zone][] = FIELD_NAMES.flatMap((name) => {
    const field = layout.fields[name];
    return field ? [[`fields.${name}`, field] as [string, Zone]] : [];
  });
  if (layout.photo) zones.push(['photo', layout.photo]);
  for (const [where, zone] of zones) {
    if (!insideCard(zone))
      problems.push(`${where}: reaches outside the ${CARD_WIDTH_DOTS} × ${CARD_HEIGHT_DOTS} card`);
    if (overlaps(zone, CHIP_KEEP_OUT))
      problems.push(
        `${where}: overlaps the chip contacts (keep ${CHIP_CLEARANCE_DOTS} dots clear of ${JSON.stringify(CHIP_CONTACTS)})`,
      );
  }
  for (const name of FIELD_NAMES) {
    const field = layout.fields[name];
    if (!field) continue;
    if (field.labelWidth >= field.width)
      problems.push(`fields.${name}: labelWidth leaves no room for the value`);
    if (field.minSize !== undefined && field.minSize > field.size)
      problems.push(`fields.${name}: minSize is larger than size`);
    if ((field.minSize ?? field.size) > field.height)
      problems.push(`fields.${name}: even the smallest size is taller than the zone`);
  }
  if (problems.length > 0) return err(problems);
  if (layout.artwork?.image && baseDir)
    layout.artwork.image = path.resolve(baseDir, layout.artwork.image);
  return ok(layout);
}

/** Reads and checks a layout file. */
export function loadCardLayout(file: string): Result<CardLayout, string[]> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    return err([`${file}: ${(cause as Error).message}`]);
  }
  return parseCardLayout(json, path.dirname(file));
}

const DEFAULT_LAYOUT_FILE = fileURLToPath(new URL('./layouts/default.json', import.meta.url));

function loadDefault(): CardLayout {
  const layout = loadCardLayout(DEFAULT_LAYOUT_FILE);
  // The bundled layout is ours: a problem with it is a bug, caught by the tests.
  if (!layout.ok) throw new Error(`layouts/default.json: ${layout.error.join('; ')}`);
  return layout.value;
}

export const DEFAULT_CARD_LAYOUT: CardLayout = loadDefault();
