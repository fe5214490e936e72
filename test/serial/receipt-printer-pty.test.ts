/**
 * The receipt printer on the real stack: the kiosk's ESC/POS driver opens a pseudo-terminal with
 * the real `serialport`, and the simulator prints on the other end. The receipt the resident
 * takes — its Chinese text, its QR code — and pictures sent in bands no status poll cuts into.
 */
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { afterEach, describe, expect, it } from 'vitest';
import { rasterBands } from '../../drivers/receipt-printer/escpos-raster.ts';
import { serialStackProblem, until } from './id-reader-stack.ts';
import { kioskReceipt, startReceiptPrinterStack } from './receipt-printer-stack.ts';

const problem = serialStackProblem();
if (problem && process.env.CI) {
  describe('the serial receipt printer stack', () =>
    it('is installed', () => expect.fail(problem)));
}
const run = problem ? describe.skip : describe;
if (problem) console.warn(`skipping the serial receipt printer tests: ${problem}`);

type Stack = Awaited<ReturnType<typeof startReceiptPrinterStack>>;
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const signal = () => AbortSignal.timeout(20_000);

function decodeQr(png: Buffer): string | null {
  const image = PNG.sync.read(png);
  // jsqr is CommonJS with an `exports.default`; under NodeNext the default import is the module.
  return (
    jsQRModule.default(
      new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.byteLength),
      image.width,
      image.height,
    )?.data ?? null
  );
}

run('the receipt printer over a pty with the real serialport', () => {
  it('prints the kiosk receipt: the bytes arrive whole, the Chinese reads back, the QR code scans', async () => {
    stack = await startReceiptPrinterStack();
    const { printer, simulator } = stack;
    expect(printer.identity()).toEqual({
      maker: 'Mashang',
      model: 'TM-SIM80 (Mashang simulator)',
      serialNumber: 'SIMR000001',
      firmware: '1.0.0-sim',
    });
    const job = kioskReceipt();
    expect(await printer.print(job, signal())).toEqual({ ok: true, value: undefined });
    expect(Buffer.from(simulator.lastJob!).equals(Buffer.from(job))).toBe(true);
    const text = simulator.lastReceiptText()!;
    expect(text[0]).toContain('社会保障卡补办凭条');
    expect(text.some((line) => line.includes('王*英'))).toBe(true);
    expect(decodeQr(simulator.lastReceiptPng()!)).toBe('MASHANG:demo-001-20260102030400-ABCD');
    expect(simulator.state()).toMatchObject({ jobsPrinted: 1, jobsSpoiled: 0 });
  });

  it('sends a picture in bands, none cut by a status poll, on a line slow enough to ask mid-job', async () => {
    stack = await startReceiptPrinterStack({ baudRate: 500_000 });
    const { printer, simulator } = stack;
    // Dots that are, byte for byte, `DLE EOT 1`: a poll inside a band would be printed, or answered.
    const bits = new Uint8Array(72 * 600);
    for (let i = 0; i + 3 <= bits.length; i += 3) bits.set([0x10, 0x04, 0x01], i);
    const job = Uint8Array.from(
      Buffer.concat([
        Buffer.of(0x1b, 0x40),
        rasterBands({ width: 576, height: 600, bits }),
        Buffer.of(0x1d, 0x56, 66, 0),
      ]),
    );
    const printing = printer.print(job, signal());
    const polls = [printer.refreshStatus(), printer.refreshStatus(), printer.refreshStatus()];
    expect((await printing).ok).toBe(true);
    await Promise.all(polls);
    expect(Buffer.from(simulator.lastJob!).equals(Buffer.from(job))).toBe(true);
    expect(simulator.lastReceiptText()!.every((line) => line.startsWith('[image 576×'))).toBe(true);
    expect(printer.status()).toEqual({ state: 'ready', warnings: [] });
  });

  it('finds the printer again at the same path after an unplug, reporting each transition once', async () => {
    stack = await startReceiptPrinterStack();
    const { printer, device, statuses } = stack;
    device.unplug();
    await until(() => printer.status().state === 'disconnected', 5_000, 'the unplug to be seen');
    expect(await printer.print(kioskReceipt(), signal())).toEqual({
      ok: false,
      error: 'disconnected',
    });
    await new Promise((r) => setTimeout(r, 300));
    device.replug();
    await until(() => printer.status().state === 'ready', 10_000, 'the printer to be found again');
    expect(statuses).toEqual(['ready', 'disconnected', 'ready']);
    expect((await printer.print(kioskReceipt(), signal())).ok).toBe(true);
  });
});
