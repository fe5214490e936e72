/**
 * Every branch of the reissue journey on the real host, with the embedded card centre's seeded
 * residents and its simulated wallet: the face check, the fee (paid, declined, unknown then paid,
 * never confirmed), a production failure after payment (refunded), and who is sent to the counter.
 * After each: what the centre holds, what the printer holds, and that no money is left taken.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { seededResident } from '../../kiosk/card-centre/seeds.ts';
import { EmbeddedCardCentre } from '../../kiosk/card-centre/embedded.ts';
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
    ['rare-name', 'nameNotPrintable'],
  ] as const) {
    it(`${residentId}: told "${reason}" before anything irreversible`, async () => {
      const { h, centre } = await arrive(residentId);
      const failed = await h.waitForScreen('failed');
      expect(failed.failure).toEqual({ reason, refund: null });
      expect(centre.stats).toMatchObject({ lossReports: 0, applications: 0 });
      expect(h.host.devices.simulation!.cardPrinter.counters().blanksInFeeder).toBe(100);
    });
  }
});
