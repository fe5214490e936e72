/**
 * What printing costs: milliseconds per receipt (PDF; ESC/POS raster; ESC/POS text) and per card
 * face (panels; staff proof PDF), warm, with the same receipt through receiptline (text-mode ESC/POS,
 * the printer's own font) in the same run as a reference point; and bytes sent to the printer.
 * Prints figures; never passes or fails on time.
 *
 *   npx tsx bench/templates-print.ts [iterations]
 */
import receiptline from 'receiptline';
import { renderCardFace, cardFaceProofPdf } from '../printer-templates/card-face/card-face.ts';
import { cjkFonts } from '../printer-templates/render/font.ts';
import {
  receiptJob,
  receiptModel,
  receiptPdf,
  receiptRaster,
} from '../printer-templates/receipt/receipt.ts';
import { SAMPLE_CARD, SAMPLE_RECEIPT, samplePhoto } from '../printer-templates/sample-data.ts';

const iterations = Number(process.argv[2] ?? 30);
const WARMUP = 5;

async function measure(
  name: string,
  run: () => unknown,
): Promise<{ name: string; median: number; p90: number; mean: number }> {
  for (let i = 0; i < WARMUP; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return {
    name,
    median: times[Math.floor(times.length / 2)]!,
    p90: times[Math.floor(times.length * 0.9)]!,
    mean: times.reduce((a, b) => a + b, 0) / times.length,
  };
}

/** The same receipt as a receiptline document: title, site, the label/value lines, QR, footer. */
function receiptlineDocument(): string {
  const model = receiptModel(SAMPLE_RECEIPT);
  const escape = (s: string) => s.replace(/[\\|{}~_"`^-]/g, (c) => `\\${c}`);
  return [
    `^^${escape(model.title)}`,
    escape(model.subtitle ?? ''),
    '-',
    ...model.lines.map((l) => `${escape(l.label)} | ${escape(l.value)}`),
    '-',
    `{code:${model.qrText}; option:qrcode,6,m}`,
    escape(model.qrCaption ?? ''),
    `{width:*}`,
    escape(model.footer),
    '=',
  ].join('\n');
}

const fonts = cjkFonts();
if (!fonts.ok) {
  console.error(fonts.error.detail);
  process.exit(1);
}
const photo = samplePhoto(307, 378);
const receiptlinePrinter = {
  cpl: 48,
  encoding: 'gb18030' as const,
  command: 'escpos' as const,
  cutting: true,
};
const receiptlineDoc = receiptlineDocument();

const results = [
  await measure('receipt PDF (pdfkit, 80 mm)', () => receiptPdf(SAMPLE_RECEIPT)),
  await measure('receipt raster (our rasteriser, 80 mm)', () =>
    receiptRaster(receiptModel(SAMPLE_RECEIPT)),
  ),
  await measure('receipt ESC/POS raster job, GS v 0 (80 mm)', () =>
    receiptJob(SAMPLE_RECEIPT, { mode: 'raster', paperWidthMm: 80 }),
  ),
  await measure('receipt ESC/POS raster job, GS v 0 (58 mm)', () =>
    receiptJob(SAMPLE_RECEIPT, { mode: 'raster', paperWidthMm: 58 }),
  ),
  await measure('receipt ESC/POS text job (printer font, 80 mm)', () =>
    receiptJob(SAMPLE_RECEIPT, { mode: 'text', paperWidthMm: 80 }),
  ),
  await measure('receipt via receiptline (text ESC/POS, reference)', () =>
    receiptline.transform(receiptlineDoc, receiptlinePrinter),
  ),
  await measure('card face panels, KO ribbon (photo dithered into k)', () =>
    renderCardFace(SAMPLE_CARD, { photo, ribbon: 'KO' }),
  ),
  await measure('card face panels, YMCKO ribbon (photo on y/m/c)', () =>
    renderCardFace(SAMPLE_CARD, { photo, ribbon: 'YMCKO' }),
  ),
  await measure('card face staff proof PDF', () =>
    cardFaceProofPdf(SAMPLE_CARD, { photo, ribbon: 'YMCKO' }),
  ),
];

console.log(
  `\nprinter templates — ${iterations} iterations after ${WARMUP} warm-up, Node ${process.version}\n`,
);
console.log(
  'what'.padEnd(56),
  'median ms'.padStart(10),
  'p90 ms'.padStart(9),
  'mean ms'.padStart(9),
);
for (const r of results)
  console.log(
    r.name.padEnd(56),
    r.median.toFixed(2).padStart(10),
    r.p90.toFixed(2).padStart(9),
    r.mean.toFixed(2).padStart(9),
  );

const pdf = await receiptPdf(SAMPLE_RECEIPT);
const face = renderCardFace(SAMPLE_CARD, { photo, ribbon: 'YMCKO' });
const faceBytes = face.ok
  ? face.value.panels.k.length +
    (face.value.panels.o?.length ?? 0) +
    (face.value.panels.colour ? 3 * face.value.panels.colour.y.length : 0)
  : 0;
const bytes: [string, number][] = [
  [
    'receipt ESC/POS raster (GS v 0), 80 mm',
    receiptJob(SAMPLE_RECEIPT, { mode: 'raster', paperWidthMm: 80 }).length,
  ],
  [
    'receipt ESC/POS raster (GS v 0), 58 mm',
    receiptJob(SAMPLE_RECEIPT, { mode: 'raster', paperWidthMm: 58 }).length,
  ],
  [
    'receipt ESC/POS text + native QR, 80 mm',
    receiptJob(SAMPLE_RECEIPT, { mode: 'text', paperWidthMm: 80 }).length,
  ],
  [
    'receipt via receiptline (text, reference)',
    Buffer.byteLength(receiptline.transform(receiptlineDoc, receiptlinePrinter), 'binary'),
  ],
  ['receipt PDF (not sent to the printer; archive/staff)', pdf.ok ? pdf.value.length : 0],
  ['card face panels YMCKO (k + o + y/m/c at 5 bits, before Db framing)', faceBytes],
];
console.log('\nbytes per job'.padEnd(57), 'bytes'.padStart(10));
for (const [name, n] of bytes) console.log(name.padEnd(56), String(n).padStart(10));
