/**
 * The Evolis driver against the protocol simulator, in-process (memory cable, no pty): the
 * driver's logic — recovery, settling lost replies, one operation at a time. The same matrix runs
 * over a real pseudo-terminal and `serialport` in test/serial/card-printer*.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { renderFramePanel } from '../../printer-templates/card-face/card-face.ts';
import { ReconnectingLine } from '../serial/reconnecting-line.ts';
import type { CardPrinterStatus } from './card-printer.ts';
import { EvolisCardPrinter } from './evolis-driver.ts';
import { EvolisSimulator, type EvolisSimulatorOptions } from './evolis-simulator.ts';
import { MemorySocket } from './line/memory-socket.ts';

const FAST = {
  readReplyMs: 150,
  interByteSilenceMs: 20,
  moveReplyMs: 400,
  printReplyMs: 400,
  downloadReplyMs: 400,
  settleQuietMs: 20,
  settleMaxMs: 300,
  statusPollMs: 50,
  cardTakenPollMs: 10,
};
const signal = () => new AbortController().signal;
let open: EvolisCardPrinter[] = [];

async function printer(options: EvolisSimulatorOptions = {}) {
  const sim = new EvolisSimulator({ moveMs: 0, ...options });
  const socket = new MemorySocket('card-printer', (port) => sim.attach(port));
  const driver = new EvolisCardPrinter({
    line: new ReconnectingLine(socket.opener, {
      name: 'card-printer',
      backoff: { initialMs: 10, maxMs: 50, factor: 2 },
    }),
    transport: 'simulated',
    baudRate: Infinity,
    timeouts: FAST,
  });
  const statuses: CardPrinterStatus[] = [];
  driver.onStatus((s) => statuses.push(s));
  driver.start();
  open.push(driver);
  expect(await driver.whenReady(1_000)).toBe(true);
  return { sim, socket, driver, statuses };
}

async function until(check: () => boolean, ms = 3_000) {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

afterEach(async () => {
  await Promise.all(open.map((d) => d.close()));
  open = [];
});

describe('Evolis card printer driver (in-process)', () => {
  it('identifies the printer, sets host-managed errors, and reads ready', async () => {
    const { sim, driver } = await printer();
    expect(driver.identity()).toEqual({
      model: 'Evolis KC200 (Mashang simulator)',
      serialNumber: 'SIM0000001',
      firmware: '1.0.0-sim',
    });
    expect(driver.status()).toEqual({ state: 'ready', warnings: [] });
    expect(sim.state().hostManagesErrors).toBe(true);
  });

  it('never lets a status poll fall between the panel downloads of a print', async () => {
    const { sim, driver } = await printer();
    expect((await driver.feedToContactStation(signal())).ok).toBe(true);
    const print = driver.printFront(
      { k: renderFramePanel(), o: new Uint8Array(renderFramePanel().length).fill(0xff) },
      signal(),
    );
    const polls = [driver.refreshStatus(), driver.refreshStatus()];
    expect((await print).ok).toBe(true);
    await Promise.all(polls);
    const log = sim.recentCommands();
    const from = log.indexOf('Ss');
    expect(log.slice(from, from + 4)).toEqual(['Ss', 'Db;k;2', 'Db;o;2', 'Sr']);
  });

  it('settles a move whose reply was lost by asking where the card is, and never feeds twice', async () => {
    const { sim, driver } = await printer();
    sim.injectFault('half-frame');
    const fed = await driver.feedToContactStation(signal());
    sim.clearFault('half-frame');
    // The half reply could not be read; the position read (also halved) fails too: a protocol error, one blank taken.
    expect(fed).toEqual({ ok: false, error: 'protocolError' });
    expect(sim.state().fed).toBe(1);
    expect(sim.state().position).toBe('contactStation');
    // With the line clean again the driver finds the card where it is and carries on.
    expect((await driver.printFront({ k: renderFramePanel() }, signal())).ok).toBe(true);
    expect(sim.state().fed).toBe(1);
  });

  it('reads replies that end by silence, without a CR', async () => {
    const { driver } = await printer({ terminateReplies: false });
    expect(driver.identity()?.firmware).toBe('1.0.0-sim');
    expect((await driver.feedToContactStation(signal())).ok).toBe(true);
  });

  it('clears a latched jam with a software reset once the technician removed the card', async () => {
    const { sim, driver } = await printer();
    sim.injectFault('jam');
    expect(await driver.feedToContactStation(signal())).toEqual({ ok: false, error: 'jam' });
    expect(driver.status()).toMatchObject({ state: 'fault', code: 'jam' });
    expect(sim.state().latchedError).toBe('ERR MECHANICAL');
    sim.clearFault('jam');
    expect((await driver.feedToContactStation(signal())).ok).toBe(true);
    expect(sim.state()).toMatchObject({ latchedError: null, removedByHand: 1, fed: 2 });
  });

  it('finds the printer again after an unplug and reports each transition once', async () => {
    const { socket, driver, statuses } = await printer();
    socket.unplug();
    await until(() => driver.status().state === 'disconnected');
    expect(await driver.feedToContactStation(signal())).toEqual({
      ok: false,
      error: 'disconnected',
    });
    await new Promise((r) => setTimeout(r, 120));
    socket.replug();
    await until(() => driver.status().state === 'ready');
    expect(statuses.map((s) => s.state)).toEqual(['ready', 'disconnected', 'ready']);
    expect((await driver.feedToContactStation(signal())).ok).toBe(true);
  });

  it('takes nothing from the resident it cannot finish: no feed with the cover open', async () => {
    const { sim, driver } = await printer();
    sim.injectFault('coverOpen');
    await driver.refreshStatus();
    expect(driver.status()).toMatchObject({ state: 'fault', code: 'coverOpen' });
    expect(await driver.feedToContactStation(signal())).toEqual({ ok: false, error: 'coverOpen' });
    expect(sim.state().fed).toBe(0);
  });

  it("reports the printer's own counters, which a restarted kiosk reads back unchanged", async () => {
    const { sim, socket, driver } = await printer();
    await driver.feedToContactStation(signal());
    await driver.printFront({ k: renderFramePanel() }, signal());
    await driver.ejectToRejectBin(signal());
    driver.setBlanksLoaded(40);
    await driver.feedToContactStation(signal());
    expect(driver.counters()).toEqual({ blanksInFeeder: 39, cardsPrinted: 1, cardsRejected: 1 });
    await driver.close();
    // The kiosk restarts: a new driver, the same printer.
    const again = new EvolisCardPrinter({
      line: new ReconnectingLine(socket.opener, { name: 'card-printer' }),
      transport: 'simulated',
      timeouts: FAST,
      blanksLoaded: 39,
    });
    open.push(again);
    again.start();
    expect(await again.whenReady(1_000)).toBe(true);
    expect(again.counters()).toEqual({ blanksInFeeder: 39, cardsPrinted: 1, cardsRejected: 1 });
    expect(sim.state()).toMatchObject({ fed: 2, printed: 1, rejected: 1 });
  });

  it('reads no blanks in a feeder the ledger has not counted: production does not start on a guess', async () => {
    const { driver } = await printer();
    expect(driver.counters().blanksInFeeder).toBe(0);
  });

  it('waits for the resident to take the card and stops waiting when told to', async () => {
    const { sim, driver } = await printer();
    await driver.feedToContactStation(signal());
    await driver.printFront({ k: renderFramePanel() }, signal());
    await driver.ejectToResident(signal());
    const abort = new AbortController();
    const waiting = driver.waitForCardTaken(abort.signal);
    abort.abort();
    await expect(waiting).rejects.toThrow();
    const taken = driver.waitForCardTaken(signal());
    sim.takeCard();
    await taken;
    expect(driver.cardAtExit()).toBe(false);
  });
});
