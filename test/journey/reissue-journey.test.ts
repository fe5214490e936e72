/**
 * The resident's journey on the real host with simulated devices: what the resident sees, and
 * what the devices and the card centre end up holding.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedCardCentre } from '../../kiosk/card-centre/embedded.ts';
import { CARD_STATUS } from '../../kiosk/card-centre/card-centre.ts';
import { makeSimPerson } from '../../drivers/id-reader/simulator.ts';
import { CARD_HEIGHT_DOTS, CARD_WIDTH_DOTS, CHIP_CONTACTS } from '../../printer-templates/card-face/card-face.ts';
import { startTestHost } from '../support/host-harness.ts';
import { SIMULATED_BLANKS } from '../../kiosk/host/devices.ts';

let harness: Awaited<ReturnType<typeof startTestHost>> | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe('a resident who lost their card', () => {
  it('places the ID card, confirms, takes a new card and a receipt, and the kiosk forgets them', async () => {
    const centre = new EmbeddedCardCentre();
    harness = await startTestHost({ cardCentre: centre });
    const { host, event, waitForScreen } = harness;
    const person = makeSimPerson({ name: '王秀英' });

    expect(host.view().screen).toBe('attract');
    event('START');
    await waitForScreen('identify');
    host.send({ type: 'sim', sim: { action: 'placeIdCard', person: { name: person.name, idNumber: person.idNumber } } });
    await harness!.showFace();

    const confirm = await waitForScreen('confirm');
    expect(confirm.resident).toEqual({ name: '王秀英', maskedId: `${person.idNumber.slice(0, 4)}**********${person.idNumber.slice(-4)}`, cardStatus: 'normal' });
    expect(confirm.step).toEqual({ index: 2, total: 5 });
    expect(confirm.fee).toEqual({ amountFen: 0 });

    event('CONFIRM');
    await waitForScreen('collect');
    expect(host.devices.simulation!.cardPrinter.cardAtExit()).toBe(true);
    // The real card-face template went to the printer: ink in the personal-data zones, none on the chip.
    const k = host.devices.simulation!.cardPrinter.lastPrinted!.k;
    const inked = (x0: number, y0: number, w: number, h: number) => {
      let n = 0;
      for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) n += (k[(y * CARD_WIDTH_DOTS + x) >> 3]! >> (7 - ((y * CARD_WIDTH_DOTS + x) & 7))) & 1;
      return n;
    };
    expect(inked(0, 0, CARD_WIDTH_DOTS, CARD_HEIGHT_DOTS)).toBeGreaterThan(2_000);
    expect(inked(CHIP_CONTACTS.x, CHIP_CONTACTS.y, CHIP_CONTACTS.width, CHIP_CONTACTS.height)).toBe(0);
    host.send({ type: 'sim', sim: { action: 'takeCard' } });
    const receipt = await waitForScreen('receipt');
    expect(receipt.receipt?.transactionNo).toMatch(/^demo-001-\d{14}-[0-9A-F]{4}$/);

    const receiptJob = Buffer.from(host.devices.simulation!.receiptPrinter.lastJob!);
    expect(receiptJob.includes(Buffer.from(person.idNumber))).toBe(false);
    expect(receiptJob.includes(Buffer.from(receipt.receipt!.transactionNo))).toBe(true);

    host.send({ type: 'sim', sim: { action: 'removeIdCard' } });
    const attract = await waitForScreen('attract', 15_000);
    expect(attract.resident).toBeNull();
    expect(JSON.stringify(attract)).not.toContain('王秀英');
    expect(centre.stats).toMatchObject({ lossReports: 1, applications: 1, cardsIssued: 1, cardsSpoiled: 0 });
    expect(host.devices.simulation!.cardPrinter.counters()).toMatchObject({ cardsPrinted: 1, cardsRejected: 0, blanksInFeeder: SIMULATED_BLANKS - 1 });
  });

  it('is not reported lost twice when the card centre already has the card as lost', async () => {
    const centre = new EmbeddedCardCentre();
    const person = makeSimPerson();
    centre.seedPerson(person.idNumber, { cards: [{ cardNo: 'A12345678', status: CARD_STATUS.reportedLost }], hasArchivedPhoto: true });
    harness = await startTestHost({ cardCentre: centre });
    harness.event('START');
    harness.host.send({ type: 'sim', sim: { action: 'placeIdCard', person } });
    await harness!.showFace();
    const confirm = await harness.waitForScreen('confirm');
    expect(confirm.resident?.cardStatus).toBe('reportedLost');
    harness.event('CONFIRM');
    await harness.waitForScreen('collect');
    expect(centre.stats.lossReports).toBe(0);
    expect(centre.stats.applications).toBe(1);
  });

  it('is sent to the counter, with nothing reported, when the card centre has no card for them', async () => {
    const centre = new EmbeddedCardCentre();
    const person = makeSimPerson();
    centre.seedPerson(person.idNumber, { cards: [], hasArchivedPhoto: false });
    harness = await startTestHost({ cardCentre: centre });
    harness.event('START');
    harness.host.send({ type: 'sim', sim: { action: 'placeIdCard', person } });
    await harness!.showFace();
    const failed = await harness.waitForScreen('failed');
    expect(failed.failure).toEqual({ reason: 'noCardOnFile', refund: null });
    expect(centre.stats).toMatchObject({ lossReports: 0, applications: 0 });
    harness.event('CANCEL');
    await harness.waitForScreen('takeIdCard');
    harness.host.send({ type: 'sim', sim: { action: 'removeIdCard' } });
    await harness.waitForScreen('attract');
  });

  it('gets a card on the third blank when two chips fail, and both spoiled blanks are in the reject bin', async () => {
    const centre = new EmbeddedCardCentre();
    harness = await startTestHost({ cardCentre: centre });
    harness.host.devices.simulation!.chipEncoder.failNext = 2;
    harness.event('START');
    harness.host.send({ type: 'sim', sim: { action: 'placeIdCard' } });
    await harness!.showFace();
    await harness.waitForScreen('confirm');
    harness.event('CONFIRM');
    await harness.waitForScreen('collect');
    expect(harness.host.devices.simulation!.cardPrinter.counters()).toMatchObject({ blanksInFeeder: SIMULATED_BLANKS - 3, cardsRejected: 2, cardsPrinted: 1 });
  });

  it('never hands out a card when every chip fails: all blanks used go to the bin', async () => {
    harness = await startTestHost();
    harness.host.devices.simulation!.chipEncoder.failNext = 10;
    harness.event('START');
    harness.host.send({ type: 'sim', sim: { action: 'placeIdCard' } });
    await harness!.showFace();
    await harness.waitForScreen('confirm');
    harness.event('CONFIRM');
    const failed = await harness.waitForScreen('failed');
    expect(failed.failure).toEqual({ reason: 'productionFailed', refund: null });
    const printer = harness.host.devices.simulation!.cardPrinter;
    expect(printer.cardAtExit()).toBe(false);
    expect(printer.counters()).toMatchObject({ blanksInFeeder: SIMULATED_BLANKS - 3, cardsRejected: 3, cardsPrinted: 0 });
  });

  it('takes nothing from the resident when the feeder cannot cover the retries', async () => {
    const centre = new EmbeddedCardCentre();
    harness = await startTestHost({ cardCentre: centre, simulation: { moveMs: 0, blanks: 2 } });
    harness.event('START');
    harness.host.send({ type: 'sim', sim: { action: 'placeIdCard' } });
    await harness!.showFace();
    const failed = await harness.waitForScreen('failed');
    expect(failed.failure).toEqual({ reason: 'deviceNotReady', refund: null });
    expect(centre.stats).toMatchObject({ lossReports: 0, applications: 0 });
  });

  it('refuses an ID card whose number fails its check digit', async () => {
    harness = await startTestHost();
    harness.event('START');
    // Valid shape, wrong check digit: the simulator forwards it and the reader's check catches it.
    const person = makeSimPerson();
    const wrong = person.idNumber.slice(0, 17) + (person.idNumber[17] === '0' ? '1' : '0');
    harness.host.send({ type: 'sim', sim: { action: 'placeIdCard', person: { name: person.name, idNumber: wrong } } });
    const failed = await harness.waitForScreen('failed');
    expect(failed.failure).toEqual({ reason: 'idUnreadable', refund: null });
  });

  it('retains a card not taken in time, and it is counted in the bin', async () => {
    harness = await startTestHost({ configure: (c) => (c.timeouts.cardCollectSeconds = 3) });
    harness.event('START');
    harness.host.send({ type: 'sim', sim: { action: 'placeIdCard' } });
    await harness!.showFace();
    await harness.waitForScreen('confirm');
    harness.event('CONFIRM');
    const collect = await harness.waitForScreen('collect');
    // The last part of the wait counts down to the moment the card is taken back.
    expect(collect.collect!.retainAt - collect.collect!.warnAt).toBeGreaterThan(0);
    expect(collect.collect!.retainAt).toBeLessThanOrEqual(Date.now() + 3_000);
    // Kept inside, and the resident told so, with the number to claim it at the counter.
    const failed = await harness.waitForScreen('failed', 10_000);
    expect(failed.failure).toEqual({ reason: 'cardNotCollected', refund: null });
    expect(failed.receipt!.transactionNo).toMatch(/\S/);
    // Staff are told, with the number the resident was shown.
    const notices = harness.host.records.store.notices.open().filter((n) => n.kind === 'cardRetained');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.detail).toMatchObject({ transactionNo: failed.receipt!.transactionNo });
    harness.event('CANCEL');
    await harness.waitForScreen('takeIdCard');
    const printer = harness.host.devices.simulation!.cardPrinter;
    expect(printer.cardAtExit()).toBe(false);
    expect(printer.counters().cardsRejected).toBe(1);
  });

  it('returns to attract when the resident walks away from the ID screen, and "still here" restarts the wait', async () => {
    harness = await startTestHost({ configure: (c) => { c.timeouts.idleSeconds = 2; c.timeouts.idleWarningSeconds = 1; } });
    harness.event('START');
    const first = await harness.waitForScreen('identify');
    await new Promise((r) => setTimeout(r, 1_200));
    harness.event('STILL_HERE');
    const renewed = harness.host.view();
    expect(renewed.screen).toBe('identify');
    expect(renewed.idle!.deadlineAt).toBeGreaterThan(first.idle!.deadlineAt);
    await harness.waitForScreen('attract', 5_000);
  });

  it('ignores an event the current screen does not take', async () => {
    harness = await startTestHost();
    harness.event('CONFIRM');
    harness.host.send({ type: 'sim', sim: { action: 'takeCard' } });
    expect(harness.host.view().screen).toBe('attract');
  });
});
