/**
 * The templates as the resident flow prints them: the card face through the card-printer driver
 * (the simulated printer speaks the Evolis protocol to the real driver) and the receipt through the
 * receipt printer, with the drop-in functions the host's actors call. The test then looks at what
 * the printers received: the face's panels and the receipt's dots, QR code included.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedCardPrinter } from '../drivers/card-printer/simulator.ts';
import { SimulatedReceiptPrinter } from '../drivers/receipt-printer/simulator.ts';
import {
  canPrintName,
  CARD_HEIGHT_DOTS,
  CARD_WIDTH_DOTS,
  CHIP_KEEP_OUT,
  DEFAULT_CARD_LAYOUT,
  renderCardFacePanels,
} from './card-face/card-face.ts';
import { decodeQr, inkBox, inkCount } from './raster-compare.ts';
import { decodeEscposRaster } from './receipt/escpos-raster.ts';
import { receiptJob } from './receipt/receipt.ts';
import { SAMPLE_CARD, SAMPLE_RECEIPT, samplePhoto } from './sample-data.ts';

const opened: { close?: () => Promise<void> }[] = [];
afterEach(async () => {
  for (const device of opened.splice(0)) await device.close?.();
});

async function readyCardPrinter(): Promise<SimulatedCardPrinter> {
  const printer = new SimulatedCardPrinter({ moveMs: 0 });
  opened.push(printer as { close?: () => Promise<void> });
  const deadline = Date.now() + 10_000;
  while (printer.status().state !== 'ready') {
    if (Date.now() > deadline)
      throw new Error(`card printer not ready: ${JSON.stringify(printer.status())}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return printer;
}

describe('printing through the drivers', () => {
  it('prints the resident’s card face on a KO ribbon (the simulator’s): name, numbers and dithered photo in black, chip clear', async () => {
    expect(canPrintName(SAMPLE_CARD.name)).toEqual({ ok: true });
    const printer = await readyCardPrinter();
    const signal = new AbortController().signal;
    expect((await printer.feedToContactStation(signal)).ok).toBe(true);
    const result = await printer.printFront(
      renderCardFacePanels(SAMPLE_CARD, samplePhoto()),
      signal,
    );
    expect(result.ok).toBe(true);
    const printed = printer.lastPrinted!;
    const k = {
      width: CARD_WIDTH_DOTS,
      height: CARD_HEIGHT_DOTS,
      rowBytes: CARD_WIDTH_DOTS / 8,
      bits: printed.k,
    };
    const name = DEFAULT_CARD_LAYOUT.fields.name!;
    const nameInk = inkBox(k, {
      x: name.x + name.labelWidth,
      y: name.y,
      width: name.width - name.labelWidth,
      height: name.height,
    });
    expect(nameInk).not.toBeNull();
    expect(inkCount(k, CHIP_KEEP_OUT)).toBe(0);
    expect(inkCount(k, DEFAULT_CARD_LAYOUT.photo!)).toBeGreaterThan(1000);
  });

  for (const mode of ['raster', 'text'] as const) {
    it(`prints the receipt in ${mode} mode, and its status QR code reads back from the ${mode === 'raster' ? 'dots' : 'job'}`, async () => {
      const printer = new SimulatedReceiptPrinter();
      const result = await printer.print(
        receiptJob(SAMPLE_RECEIPT, { mode, paperWidthMm: 80 }),
        new AbortController().signal,
      );
      expect(result.ok).toBe(true);
      const job = Buffer.from(printer.lastJob!);
      const qrText = `MASHANG:${SAMPLE_RECEIPT.transactionNo}`;
      if (mode === 'raster') {
        expect(decodeQr(decodeEscposRaster(job, 576))).toBe(qrText);
      } else {
        expect(job.includes(Buffer.from(qrText))).toBe(true);
      }
      // Masked only, whichever way it is encoded.
      expect(job.includes(Buffer.from('330106'))).toBe(false);
    });
  }
});
