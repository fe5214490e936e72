/**
 * Every branch of the reissue journey on the real host, with the embedded card centre's seeded
 * residents and its simulated wallet: the face check, the fee (paid, declined, unknown then paid,
 * never confirmed), a production failure after payment (refunded), a rare character in the name
 * (outside GBK: the card is made, the name in the chip's name extension), and who is sent to the counter.
 * After each: what the centre holds, what the printer holds, and that no money is left taken.
 */
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { encodeHolderName, holderName } from '../../drivers/chip-encoder/holder-name.ts';
import { SimulatedSsseCard } from '../../drivers/chip-encoder/sim-ssse-card.ts';
import { decodeSsseRecords } from '../../drivers/chip-encoder/ssse-record.ts';
import { makeSimPerson } from '../../drivers/id-reader/simulator.ts';
import { CARD_STATUS } from '../../kiosk/card-centre/card-centre.ts';
import { seededResident } from '../../kiosk/card-centre/seeds.ts';
import { EmbeddedCardCentre } from '../../kiosk/card-centre/embedded.ts';
import { canPrintName } from '../../printer-templates/card-face/card-face.ts';
import { SIMULATED_BLANKS } from '../../kiosk/host/devices.ts';
import { startTestHost } from '../support/host-harness.ts';

let harness: Awaited<ReturnType<typeof startTestHost>> | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function arrive(residentId: string, centre = new EmbeddedCardCentre({ userPayingMs: 300 })) {
  harness = await startTestHost({ cardCentre: centre, paymentPolling: { pollIntervalMs: 50, maxQueries: 30 } });
  const { card } = seededResident(residentId);
  harness.event('START');
  harness.host.send({ type: 'sim', sim: { action: 'placeIdCard', person: { name: card.name, idNumber: card.idNumber } } });
  await harness.showFace();
  return { h: harness, centre, card };
}

const scan = (code: 'paid' | 'paidAfterConfirming' | 'neverConfirmed' | 'insufficientFunds') =>
  harness!.host.send({ type: 'sim', sim: { action: 'scanPaymentCode', code } });

async function payments(centre: EmbeddedCardCentre, orderNo: string) {
  const answer = await centre.queryPayment(orderNo, new AbortController().signal);
  return answer.ok ? answer.value : null;
}

describe('the reissue journey, branch by branch', () => {
  it('a fee-paying resident pays by payment code and gets the card; one payment, paid once', async () => {
    const { h, centre } = await arrive('fee-district');
    const confirm = await h.waitForScreen('confirm');
    expect(confirm.fee!.amountFen).toBeGreaterThan(0);
    h.event('CONFIRM');
    const awaiting = await h.waitForScreen('payment');
    expect(awaiting.payment).toEqual({ phase: 'awaitingCode', amountFen: confirm.fee!.amountFen });
    scan('paid');
    await h.waitForScreen('collect');
    h.host.send({ type: 'sim', sim: { action: 'takeCard' } });
    const receipt = await h.waitForScreen('receipt');
    const payment = await payments(centre, `${receipt.receipt!.transactionNo}-1`);
    expect(payment).toMatchObject({ state: 'paid', amountFen: confirm.fee!.amountFen });
    expect(centre.records().payments).toHaveLength(1);
  });

  it('a declined code can be tried again with another code; cancel is still offered then', async () => {
    const { h, centre } = await arrive('fee-district');
    await h.waitForScreen('confirm');
    h.event('CONFIRM');
    await h.waitForScreen('payment');
    scan('insufficientFunds');
    await expect.poll(() => h.host.view().payment?.phase).toBe('declined');
    h.event('RETRY');
    await expect.poll(() => h.host.view().payment?.phase).toBe('awaitingCode');
    scan('paid');
    await h.waitForScreen('collect');
    // The declined order charged nothing; the second order is paid.
    expect(centre.records().payments.map((p) => p.state)).toEqual(['declined', 'paid']);
  });

  it('a payment the resident confirms late is settled by query, not charged twice', async () => {
    const { h, centre } = await arrive('fee-district');
    await h.waitForScreen('confirm');
    h.event('CONFIRM');
    await h.waitForScreen('payment');
    scan('paidAfterConfirming');
    await h.waitForScreen('collect', 15_000);
    h.host.send({ type: 'sim', sim: { action: 'takeCard' } });
    const receipt = await h.waitForScreen('receipt');
    expect(await payments(centre, `${receipt.receipt!.transactionNo}-1`)).toMatchObject({ state: 'paid' });
    expect(centre.records().payments).toHaveLength(1);
  });

  it('a payment never confirmed is reversed and no card is made', async () => {
    const { h, centre } = await arrive('fee-district');
    await h.waitForScreen('confirm');
    h.event('CONFIRM');
    await h.waitForScreen('payment');
    scan('neverConfirmed');
    const failed = await h.waitForScreen('failed', 15_000);
    expect(failed.failure).toEqual({ reason: 'paymentFailed', refund: null });
    expect(h.host.devices.simulation!.cardPrinter.counters().cardsPrinted).toBe(0);
    expect(centre.records().payments.map((p) => p.state)).toEqual(['reversed']);
  });

  it('a paid resident whose card cannot be made gets the fee back, acknowledged by the centre', async () => {
    const { h, centre } = await arrive('fee-district');
    h.host.devices.simulation!.chipEncoder.failNext = 10;
    await h.waitForScreen('confirm');
    h.event('CONFIRM');
    await h.waitForScreen('payment');
    scan('paid');
    const failed = await h.waitForScreen('failed', 15_000);
    expect(failed.failure).toEqual({ reason: 'productionFailed', refund: 'refunded' });
    // The centre holds the one order as reversed with the full amount refunded.
    const orders = centre.records().payments;
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ state: 'reversed' });
    expect(orders[0]!.refundedFen).toBe(orders[0]!.amountFen);
    expect(h.host.devices.simulation!.cardPrinter.cardAtExit()).toBe(false);
  });

  it('someone holding another person\'s ID card is sent to the counter after the face check, nothing reported', async () => {
    const centre = new EmbeddedCardCentre();
    harness = await startTestHost({ cardCentre: centre });
    const { card } = seededResident('face-mismatch');
    harness.event('START');
    harness.host.send({ type: 'sim', sim: { action: 'placeIdCard', person: { name: card.name, idNumber: card.idNumber } } });
    await harness.showFace();
    const failed = await harness.waitForScreen('failed');
    expect(failed.failure).toEqual({ reason: 'faceMismatch', refund: null });
    expect(centre.stats).toMatchObject({ lossReports: 0, applications: 0 });
  });

  for (const [residentId, reason] of [
    ['no-card', 'noCardOnFile'],
    ['expired-id', 'idExpired'],
    ['no-photo', 'noArchivedPhoto'],
  ] as const) {
    it(`${residentId}: told "${reason}" before anything irreversible`, async () => {
      const { h, centre } = await arrive(residentId);
      const failed = await h.waitForScreen('failed');
      expect(failed.failure).toEqual({ reason, refund: null });
      expect(centre.stats).toMatchObject({ lossReports: 0, applications: 0 });
      expect(h.host.devices.simulation!.cardPrinter.counters().blanksInFeeder).toBe(SIMULATED_BLANKS);
    });
  }

  it('a resident whose name has a character outside GBK (吴𠮷) gets the card at the kiosk, the full name in the chip\'s name extension', async () => {
    // Every simulated chip the journey touches, to read the issued one afterwards.
    const chips = new Set<SimulatedSsseCard>();
    const original = SimulatedSsseCard.prototype.process;
    const spy = vi.spyOn(SimulatedSsseCard.prototype, 'process').mockImplementation(function (this: SimulatedSsseCard, apdu) {
      chips.add(this);
      return original.call(this, apdu);
    });
    onTestFinished(() => spy.mockRestore());

    const { h, centre, card } = await arrive('rare-name');
    expect(card.name).toBe('吴𠮷');
    const confirm = await h.waitForScreen('confirm');
    expect(confirm.resident?.name).toBe('吴𠮷');
    h.event('CONFIRM');
    await h.waitForScreen('collect');
    h.host.send({ type: 'sim', sim: { action: 'takeCard' } });
    const receipt = await h.waitForScreen('receipt');
    expect(receipt.receipt?.transactionNo).toBeTruthy();
    expect(h.host.devices.simulation!.receiptPrinter.lastJob).toBeTruthy();

    // The centre holds the new card as the resident's (the outbox reports it), and the lost one cancelled.
    await expect.poll(() => centre.stats.cardsIssued, { timeout: 15_000 }).toBe(1);
    expect(centre.stats).toMatchObject({ lossReports: 1, applications: 1, cardsIssued: 1, cardsSpoiled: 0 });
    const [issued] = centre.records().cardResults;
    expect(issued).toMatchObject({ outcome: 'issued' });
    const lookup = await centre.lookupPerson(card.idNumber, new AbortController().signal);
    expect(lookup.ok && lookup.value.cards).toEqual([
      { cardNo: expect.any(String), status: CARD_STATUS.normal },
      { cardNo: seededResident('rare-name').centre.cards[0]!.cardNo, status: CARD_STATUS.cancelled },
    ]);
    expect(h.host.devices.simulation!.cardPrinter.counters()).toMatchObject({ cardsPrinted: 1, cardsRejected: 0 });

    // The chip handed out: 吴□ in the GBK name field, 吴𠮷 in the name extension (EF06 tag 4E).
    const chip = [...chips].find((c) => Buffer.from(c.identification).toString('hex').toUpperCase() === issued!.identification);
    expect(chip).toBeDefined();
    const records = Object.entries(chip!.snapshot().records).map(([key, value]) => {
      const [sfi, record] = key.split(':').map(Number);
      return { file: sfi === 5 ? ('EF05' as const) : ('EF06' as const), record: record!, data: Buffer.from(value, 'hex') };
    });
    const decoded = decodeSsseRecords(records);
    expect(decoded).toMatchObject({ ok: true, value: { holder: { idNumber: card.idNumber, name: '吴□', nameExtension: '吴𠮷' } } });
    expect(decoded.ok && holderName(decoded.value.holder)).toBe('吴𠮷');
  });

  for (const [name, why] of [
    // U+30000 (CJK Extension G): GB 18030 encodes it, the card-face font has no glyph for it.
    ['王𰀀', 'the card-face font lacks a character'],
    // Six four-byte characters and one of two: 26 bytes of GB 18030, the name extension holds 20.
    ['王𠮷𠮷𠮷𠮷𠮷𠮷', 'the name is too long for the chip\'s name extension'],
  ] as const) {
    it(`${name}: ${why}, told "nameNotPrintable" before anything irreversible`, async () => {
      const centre = new EmbeddedCardCentre();
      harness = await startTestHost({ cardCentre: centre });
      const person = makeSimPerson({ name });
      harness.event('START');
      harness.host.send({ type: 'sim', sim: { action: 'placeIdCard', person: { name: person.name, idNumber: person.idNumber } } });
      await harness.showFace();
      const failed = await harness.waitForScreen('failed');
      expect(failed.failure).toEqual({ reason: 'nameNotPrintable', refund: null });
      expect(centre.stats).toMatchObject({ lossReports: 0, applications: 0 });
      expect(centre.records()).toMatchObject({ lossReports: [], applications: [], payments: [] });
      expect(harness.host.devices.simulation!.cardPrinter.counters().blanksInFeeder).toBe(SIMULATED_BLANKS);
    });
  }

  it('the two names sent to the counter above fail for the reason they say: the font, then the chip', () => {
    expect(canPrintName('王𰀀')).toEqual({ ok: false, missing: ['𰀀'] });
    expect(encodeHolderName('王𰀀').ok).toBe(true);
    expect(canPrintName('王𠮷𠮷𠮷𠮷𠮷𠮷')).toEqual({ ok: true });
    expect(encodeHolderName('王𠮷𠮷𠮷𠮷𠮷𠮷')).toEqual({ ok: false, error: { kind: 'tooLong', field: 'nameExtension' } });
  });
});
