/**
 * Every fault the card printer simulator can inject, on the real stack (pty + `serialport`): each
 * ends in a typed outcome the kiosk can act on, never a hang or a crash, never a second blank
 * taken for one feed — and once the fault is cleared, the next operation succeeds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { renderFramePanel } from '../../printer-templates/card-face/card-face.ts';
import { startCardPrinterStack } from './card-printer-stack.ts';
import { serialStackProblem, until } from './id-reader-stack.ts';

const problem = serialStackProblem();
if (problem && process.env.CI) {
  describe('the serial card printer stack', () => it('is installed', () => expect.fail(problem)));
}
const run = problem ? describe.skip : describe;

type Stack = Awaited<ReturnType<typeof startCardPrinterStack>>;
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const signal = () => AbortSignal.timeout(20_000);
const face = () => ({ k: renderFramePanel() });

async function ready() {
  stack = await startCardPrinterStack();
  await until(() => stack!.printer.status().state === 'ready', 5_000, 'ready');
  return stack;
}

run('card printer faults over a pty with the real serialport', () => {
  it('a jam: the feed fails as a jam, latched until reset; once the technician clears it the next feed works', async () => {
    const { printer, simulator } = await ready();
    simulator.injectFault('jam');
    expect(await printer.feedToContactStation(signal())).toEqual({ ok: false, error: 'jam' });
    expect(printer.status()).toMatchObject({ state: 'fault', code: 'jam' });
    expect(simulator.state().latchedError).toBe('ERR MECHANICAL');
    simulator.clearFault('jam');
    expect((await printer.feedToContactStation(signal())).ok).toBe(true);
    expect(simulator.state()).toMatchObject({
      fed: 2,
      removedByHand: 1,
      latchedError: null,
      position: 'contactStation',
    });
    expect(printer.status()).toEqual({ state: 'ready', warnings: [] });
  });

  it('an open cover: seen by the status poll, no blank is taken, and feeding works once it is closed', async () => {
    const { printer, simulator } = await ready();
    simulator.injectFault('coverOpen');
    await until(() => printer.status().state === 'fault', 5_000, 'the poll to see the cover');
    expect(printer.status()).toMatchObject({ state: 'fault', code: 'coverOpen' });
    expect(await printer.feedToContactStation(signal())).toEqual({ ok: false, error: 'coverOpen' });
    expect(simulator.state().fed).toBe(0);
    simulator.clearFault('coverOpen');
    expect((await printer.feedToContactStation(signal())).ok).toBe(true);
  });

  it('ribbon out: the card at the station is not printed; with a new ribbon it is', async () => {
    const { printer, simulator } = await ready();
    expect((await printer.feedToContactStation(signal())).ok).toBe(true);
    simulator.injectFault('ribbonOut');
    expect(await printer.printFront(face(), signal())).toEqual({ ok: false, error: 'ribbonOut' });
    expect(simulator.state().printed).toBe(0);
    simulator.clearFault('ribbonOut');
    expect((await printer.printFront(face(), signal())).ok).toBe(true);
    expect(simulator.state().printed).toBe(1);
  });

  it('a wrong ribbon (black only, no overlay): reported as such and nothing printed until the right one is in', async () => {
    const { printer, simulator } = await ready();
    await printer.feedToContactStation(signal());
    simulator.injectFault('wrongRibbon');
    await printer.refreshStatus();
    expect(printer.status()).toMatchObject({ state: 'fault', code: 'wrongRibbon' });
    expect(
      await printer.printFront(
        { k: renderFramePanel(), o: new Uint8Array(renderFramePanel().length) },
        signal(),
      ),
    ).toEqual({ ok: false, error: 'wrongRibbon' });
    simulator.clearFault('wrongRibbon');
    expect((await printer.printFront(face(), signal())).ok).toBe(true);
  });

  it('an empty feeder: the feed says so and the status too; blanks loaded, it feeds', async () => {
    const { printer, simulator } = await ready();
    simulator.injectFault('feederEmpty');
    expect(await printer.feedToContactStation(signal())).toEqual({
      ok: false,
      error: 'feederEmpty',
    });
    expect(printer.status()).toMatchObject({ state: 'fault', code: 'feederEmpty' });
    simulator.clearFault('feederEmpty');
    expect((await printer.feedToContactStation(signal())).ok).toBe(true);
  });

  it('a full reject box: a spoiled card cannot be dropped, and is once the box is emptied', async () => {
    const { printer, simulator } = await ready();
    await printer.feedToContactStation(signal());
    simulator.injectFault('rejectBoxFull');
    expect(await printer.ejectToRejectBin(signal())).toEqual({ ok: false, error: 'rejectBoxFull' });
    expect(simulator.state().position).toBe('contactStation');
    simulator.clearFault('rejectBoxFull');
    expect((await printer.ejectToRejectBin(signal())).ok).toBe(true);
    expect(simulator.state()).toMatchObject({ rejectBox: 1, position: 'none' });
  });

  it('cleaning due: production stops with that reason, and resumes after cleaning', async () => {
    const { printer, simulator } = await ready();
    simulator.injectFault('cleaningDue');
    await printer.refreshStatus();
    expect(printer.status()).toMatchObject({ state: 'fault', code: 'cleaningDue' });
    expect(await printer.feedToContactStation(signal())).toEqual({
      ok: false,
      error: 'cleaningDue',
    });
    simulator.clearFault('cleaningDue');
    expect((await printer.feedToContactStation(signal())).ok).toBe(true);
  });

  it('silence: a feed to a hung printer ends as noResponse within its deadlines; answered again, it feeds', async () => {
    const { printer, simulator } = await ready();
    simulator.injectFault('silence');
    expect(await printer.feedToContactStation(signal())).toEqual({
      ok: false,
      error: 'noResponse',
    });
    expect(printer.status()).toMatchObject({ state: 'fault', code: 'noResponse' });
    expect(simulator.state().fed).toBe(0);
    simulator.clearFault('silence');
    expect((await printer.feedToContactStation(signal())).ok).toBe(true);
    expect(printer.status().state).toBe('ready');
  });

  it('garbage on the line: whatever the noise, one feed never takes two blanks, and the line clean, it works', async () => {
    const { printer, simulator } = await ready();
    simulator.injectFault('garbage');
    const fed = await printer.feedToContactStation(signal());
    expect(fed.ok || fed.error === 'protocolError').toBe(true);
    expect(simulator.state().fed).toBeLessThanOrEqual(1);
    if (fed.ok) expect(simulator.state().position).toBe('contactStation');
    simulator.clearFault('garbage');
    const next =
      simulator.state().position === 'none'
        ? await printer.feedToContactStation(signal())
        : await printer.printFront(face(), signal());
    expect(next.ok).toBe(true);
    expect(simulator.state().fed).toBe(1);
  });

  it('half replies: a move whose reply is cut is settled by where the card is, never done twice', async () => {
    const { printer, simulator } = await ready();
    simulator.injectFault('half-frame');
    expect(await printer.feedToContactStation(signal())).toEqual({
      ok: false,
      error: 'protocolError',
    });
    expect(simulator.state()).toMatchObject({ fed: 1, position: 'contactStation' });
    simulator.clearFault('half-frame');
    // The card is where the half reply left it: the driver finds it there and prints, no second blank.
    expect((await printer.printFront(face(), signal())).ok).toBe(true);
    expect(simulator.state()).toMatchObject({ fed: 1, printed: 1 });
  });

  it('a slow printer: late replies past the deadline are noResponse, and never taken for a later command’s', async () => {
    const { printer, simulator } = await ready();
    simulator.injectFault('slow', { delayMs: 700 });
    await printer.refreshStatus();
    expect(printer.status()).toMatchObject({ state: 'fault', code: 'noResponse' });
    simulator.clearFault('slow');
    expect((await printer.feedToContactStation(signal())).ok).toBe(true);
    expect(printer.identity()?.serialNumber).toBe('SIM0000001');
    expect(printer.status()).toEqual({ state: 'ready', warnings: [] });
    expect(simulator.state()).toMatchObject({ fed: 1, position: 'contactStation' });
  });

  it('a slow printer within the deadlines: slower, but every move completes', async () => {
    const { printer, simulator } = await ready();
    simulator.injectFault('slow', { delayMs: 50 });
    expect((await printer.feedToContactStation(signal())).ok).toBe(true);
    expect((await printer.printFront(face(), signal())).ok).toBe(true);
    expect((await printer.ejectToResident(signal())).ok).toBe(true);
    expect(simulator.state()).toMatchObject({ fed: 1, printed: 1, position: 'exit' });
  });
});
