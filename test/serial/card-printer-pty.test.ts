/**
 * The card printer on the real stack: the kiosk's Evolis driver opens a pseudo-terminal with the
 * real `serialport`, and the protocol simulator answers on the other end. The production moves a
 * resident's card goes through, the card face as the printer received it, and a panel download
 * that no status poll ever cuts into.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CARD_WIDTH_DOTS, CHIP_CONTACTS } from '../../printer-templates/card-face/card-geometry.ts';
import { renderFramePanel } from '../../printer-templates/card-face/card-face.ts';
import { CARD_PRINTER_EVENTS } from '../../drivers/card-printer/card-printer-events.ts';
import { startCardPrinterStack } from './card-printer-stack.ts';
import { serialStackProblem, until } from './id-reader-stack.ts';

const problem = serialStackProblem();
if (problem && process.env.CI) {
  describe('the serial card printer stack', () => it('is installed', () => expect.fail(problem)));
}
const run = problem ? describe.skip : describe;
if (problem) console.warn(`skipping the serial card printer tests: ${problem}`);

type Stack = Awaited<ReturnType<typeof startCardPrinterStack>>;
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const signal = () => AbortSignal.timeout(20_000);

run('the card printer over a pty with the real serialport', () => {
  it('identifies the printer, feeds a blank to the chip station, prints the face, and hands the card out', async () => {
    stack = await startCardPrinterStack();
    const { printer, simulator } = stack;
    expect(printer.identity()).toEqual({
      model: 'Evolis KC200 (Mashang simulator)',
      serialNumber: 'SIM0000001',
      firmware: '1.0.0-sim',
    });
    expect(printer.status()).toEqual({ state: 'ready', warnings: [] });
    expect(simulator.state().hostManagesErrors).toBe(true);

    expect((await printer.feedToContactStation(signal())).ok).toBe(true);
    expect(simulator.cardAtContactStation()).toBe(true);
    const k = renderFramePanel();
    expect((await printer.printFront({ k }, signal())).ok).toBe(true);
    expect((await printer.ejectToResident(signal())).ok).toBe(true);
    expect(simulator.cardAtExit()).toBe(true);
    expect(printer.cardAtExit()).toBe(true);

    const taken = printer.waitForCardTaken(signal());
    simulator.takeCard();
    await taken;
    expect(simulator.state()).toMatchObject({
      blanks: 99,
      printed: 1,
      rejected: 0,
      position: 'none',
    });

    // The face the printer received, dot for dot, and drawn: black where k has ink, white elsewhere and on the chip.
    expect(Buffer.from(simulator.lastPrinted!.k).equals(Buffer.from(k))).toBe(true);
    const { decodePng } = await import('../../drivers/card-printer/card-face-png.ts');
    const face = decodePng(simulator.lastCardPng()!);
    const inked = (dot: number) => (k[dot >> 3]! & (0x80 >> (dot & 7))) !== 0;
    const firstInk = Array.from({ length: k.length * 8 }, (_, i) => i).find(inked)!;
    expect(face.rgba[firstInk * 4]).toBe(0);
    expect(face.rgba[(firstInk - 1) * 4]).toBe(inked(firstInk - 1) ? 0 : 255);
    expect(face.rgba[((CHIP_CONTACTS.y + 10) * CARD_WIDTH_DOTS + CHIP_CONTACTS.x + 10) * 4]).toBe(
      255,
    );
  });

  it('sends every panel whole: a status poll asked for mid-download waits for the print to end', async () => {
    // A slow line (the simulated UART at 1 Mbaud) so that the polls are asked for while bytes flow.
    stack = await startCardPrinterStack({ baudRate: 1_000_000 });
    const { printer, simulator } = stack;
    expect((await printer.feedToContactStation(signal())).ok).toBe(true);
    const overlay = new Uint8Array(renderFramePanel().length).fill(0xff);
    const printing = printer.printFront({ k: renderFramePanel(), o: overlay }, signal());
    const polls = [printer.refreshStatus(), printer.refreshStatus(), printer.refreshStatus()];
    expect((await printing).ok).toBe(true);
    await Promise.all(polls);
    const log = simulator.recentCommands();
    const start = log.lastIndexOf('Ss');
    expect(log.slice(start, start + 4)).toEqual(['Ss', 'Db;k;2', 'Db;o;2', 'Sr']);
    expect(Buffer.from(simulator.lastPrinted!.o!).equals(Buffer.from(overlay))).toBe(true);
  });

  it('reads replies that end by silence alone (no CR), as public drivers must', async () => {
    stack = await startCardPrinterStack({ settings: { terminator: 'none' } });
    expect(stack.printer.identity()?.firmware).toBe('1.0.0-sim');
    expect((await stack.printer.feedToContactStation(signal())).ok).toBe(true);
    expect((await stack.printer.ejectToRejectBin(signal())).ok).toBe(true);
    expect(stack.simulator.state()).toMatchObject({ rejected: 1, rejectBox: 1 });
  });

  it('finds the printer again at the same path after an unplug, reporting each transition once', async () => {
    stack = await startCardPrinterStack();
    const { printer, device, statuses } = stack;
    await until(() => printer.status().state === 'ready', 5_000, 'ready');
    device.unplug();
    await until(() => printer.status().state === 'disconnected', 5_000, 'the unplug to be seen');
    expect(await printer.feedToContactStation(signal())).toEqual({
      ok: false,
      error: 'disconnected',
    });
    await new Promise((r) => setTimeout(r, 300));
    device.replug();
    await until(() => printer.status().state === 'ready', 10_000, 'the printer to be found again');
    expect(statuses).toEqual(['ready', 'disconnected', 'ready']);
    expect((await printer.feedToContactStation(signal())).ok).toBe(true);
    expect(
      stack.log.entries.filter(
        (e) => (e.fields as { event?: string }).event === CARD_PRINTER_EVENTS.status,
      ).length,
    ).toBe(3);
  });

  it('leaves a rejected card accounted for: a spoiled blank goes to the reject box, not to the resident', async () => {
    stack = await startCardPrinterStack();
    const { printer, simulator } = stack;
    await printer.feedToContactStation(signal());
    expect((await printer.ejectToRejectBin(signal())).ok).toBe(true);
    expect(simulator.cardAtExit()).toBe(false);
    expect(simulator.state()).toMatchObject({ fed: 1, rejectBox: 1, printed: 0 });
    expect(printer.counters()).toMatchObject({ cardsRejected: 1, cardsPrinted: 0 });
  });
});
