/**
 * Renders every template with the sample data to a folder — the PNG of each printer output and
 * each PDF — for a person to look at:
 *
 *   npx tsx printer-templates/preview.ts [folder]        (default test-artifacts/printer-preview)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  cardFacePanels,
  cardFaceProofPdf,
  cardFaceProofRaster,
  CARD_HEIGHT_DOTS,
  CARD_WIDTH_DOTS,
  layoutCardFace,
} from './card-face/card-face.ts';
import { cjkFonts } from './render/font.ts';
import { rasterToPng } from './render/png.ts';
import { monoToRaster, rasterizePage } from './render/raster.ts';
import { receiptModel, receiptPdf, receiptRaster } from './receipt/receipt.ts';
import { dailyReportDocument, dailyReportPdf } from './reports/daily-report.ts';
import { readinessReportDocument, readinessReportPdf } from './reports/readiness-report.ts';
import {
  LONG_CARD,
  SAMPLE_CARD,
  SAMPLE_DAILY,
  SAMPLE_READINESS,
  SAMPLE_RECEIPT,
  samplePhoto,
} from './sample-data.ts';

const out = path.resolve(process.argv[2] ?? 'test-artifacts/printer-preview');
mkdirSync(out, { recursive: true });
const fonts = cjkFonts();
if (!fonts.ok) {
  console.error(fonts.error.detail);
  process.exit(1);
}
const write = (name: string, bytes: Uint8Array) => {
  writeFileSync(path.join(out, name), bytes);
  console.log(path.join(out, name));
};

for (const [tag, facts] of [
  ['sample', SAMPLE_CARD],
  ['long', LONG_CARD],
] as const) {
  for (const ribbon of ['KO', 'YMCKO'] as const) {
    const layers = layoutCardFace(facts, { photo: samplePhoto(), ribbon });
    if (!layers.ok) throw new Error(JSON.stringify(layers.error));
    const panels = cardFacePanels(layers.value, fonts.value);
    write(
      `card-${tag}-${ribbon}-k.png`,
      rasterToPng(
        monoToRaster({
          width: CARD_WIDTH_DOTS,
          height: CARD_HEIGHT_DOTS,
          rowBytes: CARD_WIDTH_DOTS / 8,
          bits: panels.k,
        }),
      ),
    );
    write(
      `card-${tag}-${ribbon}-proof.png`,
      rasterToPng(cardFaceProofRaster(layers.value, fonts.value)),
    );
    const pdf = await cardFaceProofPdf(facts, { photo: samplePhoto(), ribbon });
    if (pdf.ok) write(`card-${tag}-${ribbon}-proof.pdf`, pdf.value);
  }
}
for (const paperWidthMm of [80, 58] as const) {
  const bitmap = receiptRaster(receiptModel(SAMPLE_RECEIPT), { paperWidthMm });
  if (bitmap.ok) write(`receipt-${paperWidthMm}mm.png`, rasterToPng(monoToRaster(bitmap.value)));
  const pdf = await receiptPdf(SAMPLE_RECEIPT, { paperWidthMm });
  if (pdf.ok) write(`receipt-${paperWidthMm}mm.pdf`, pdf.value);
}
dailyReportDocument(SAMPLE_DAILY, fonts.value).pages.forEach((page, i) =>
  write(`daily-report-${i + 1}.png`, rasterToPng(rasterizePage(page, fonts.value))),
);
readinessReportDocument(SAMPLE_READINESS, fonts.value).pages.forEach((page, i) =>
  write(`readiness-report-${i + 1}.png`, rasterToPng(rasterizePage(page, fonts.value))),
);
const daily = await dailyReportPdf(SAMPLE_DAILY);
if (daily.ok) write('daily-report.pdf', daily.value);
const readiness = await readinessReportPdf(SAMPLE_READINESS);
if (readiness.ok) write('readiness-report.pdf', readiness.value);
