/**
 * Whole journeys on the real host over a bad link to the card centre (the signed HTTP client
 * against the embedded centre's server): the first attempt of every request loses its answer after
 * the centre committed, and the loss report and the application hang until the kiosk's timeout.
 * A chip fails once, so production is retried on a new blank.
 *
 * Afterwards the centre must hold exactly one loss report, one application and — where a fee was
 * due — one settled payment per completed journey, and exactly one issued card per application:
 * retries and timeouts are answered under the first request's idempotency key, never redone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_IDS } from '../../kiosk/card-centre/api.ts';
import { seededResident } from '../../kiosk/card-centre/seeds.ts';
import { startCentre, type CentreHarness } from '../card-centre/harness.ts';
import { startTestHost } from '../support/host-harness.ts';

let centre: CentreHarness;
let kiosk: Awaited<ReturnType<typeof startTestHost>>;

beforeAll(async () => {
  centre = await startCentre({ centre: { userPayingMs: 200 } });
  // Every request's first attempt: committed, then the answer is lost (the retry gets it).
  for (const op of OPERATION_IDS) centre.faults.dropAfterCommit.set(op, 'first');
  // These two are committed and then never answered: the kiosk's timeout fires, then it retries.
  for (const op of ['reportLoss', 'openApplication'] as const) {
    centre.faults.dropAfterCommit.delete(op);
    centre.faults.hangAfterCommit.set(op, 'first');
  }
  kiosk = await startTestHost({
    // Long enough for any answer on a loaded CI machine; short enough that the hangs cost little.
    cardCentre: centre.makeClient({ timeoutMs: 1_500 }),
    paymentPolling: { pollIntervalMs: 50, maxQueries: 30 },
  });
}, 60_000);

afterAll(async () => {
  await kiosk?.stop();
  await centre?.stop();
});

/** One resident's whole journey, a spoiled blank on the way if asked; returns their application. */
async function journey(residentId: string, options: { spoiledBlank: boolean }) {
  const { card } = seededResident(residentId);
  const { host } = kiosk;
  await kiosk.waitForScreen('attract');
  if (options.spoiledBlank) {
    host.send({ type: 'sim', sim: { action: 'deviceFault', device: 'chip-encoder', fault: 'spoiledBlank' } });
  }
  kiosk.event('START');
  host.send({ type: 'sim', sim: { action: 'placeIdCard', person: { name: card.name, idNumber: card.idNumber } } });
  await kiosk.showFace();
  const confirm = await kiosk.waitForScreen('confirm', 20_000);
  kiosk.event('CONFIRM');
  if (confirm.fee!.amountFen > 0) {
    await kiosk.waitForScreen('payment', 20_000);
    host.send({ type: 'sim', sim: { action: 'scanPaymentCode', code: 'paid' } });
  }
  await kiosk.waitForScreen('collect', 30_000);
  host.send({ type: 'sim', sim: { action: 'takeCard' } });
  const receipt = await kiosk.waitForScreen('receipt', 20_000);
  await kiosk.waitForScreen('takeIdCard', 20_000);
  host.send({ type: 'sim', sim: { action: 'removeIdCard' } });
  await kiosk.waitForScreen('attract', 20_000);
  return { transactionNo: receipt.receipt!.transactionNo, feeFen: confirm.fee!.amountFen, cardNo: seededCardNo(residentId) };
}

function seededCardNo(residentId: string): string {
  return seededResident(residentId).centre.cards[0]!.cardNo;
}

describe('exactly once, over a link that loses answers and times out', () => {
  const done: Awaited<ReturnType<typeof journey>>[] = [];

  it('completes a fee-paying journey whose first chip is dead, and a free one', { timeout: 120_000 }, async () => {
    const printer = kiosk.host.devices.simulation!.cardPrinter;
    const before = printer.counters();
    done.push(await journey('fee-district', { spoiledBlank: true }));
    done.push(await journey('normal', { spoiledBlank: false }));
    const after = printer.counters();
    // Three blanks: the dead one to the reject bin, then one card per resident handed out.
    expect(before.blanksInFeeder - after.blanksInFeeder).toBe(3);
    expect(after.cardsRejected - before.cardsRejected).toBe(1);
    // The faults did fire, on every journey: answers were lost or timed out, and retries went through.
    const fired = Object.fromEntries(centre.faults.fired);
    expect(fired).toMatchObject({
      'hang:reportLoss': 2,
      'hang:openApplication': 2,
      'drop:pay': 1,
    });
    expect(fired['drop:personalisationPlan']).toBeGreaterThanOrEqual(2);
  });

  it('the centre holds one loss report and one application per journey', async () => {
    await expect.poll(() => centre.centre.records().cardResults.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(done.length);
    const records = centre.centre.records();
    for (const { cardNo } of done) expect(records.lossReports.filter((r) => r.cardNo === cardNo)).toHaveLength(1);
    expect(records.applications).toHaveLength(done.length);
  });

  it('one settled payment for the fee, charged once and not refunded; none for the free journey', async () => {
    const { payments } = centre.centre.records();
    const fee = done.find((d) => d.feeFen > 0)!;
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ orderNo: `${fee.transactionNo}-1`, state: 'paid', amountFen: fee.feeFen, refundedFen: 0 });
  });

  it('one issued card per application, reported through the outbox once', async () => {
    await expect
      .poll(() => centre.centre.records().cardResults.filter((r) => r.outcome === 'issued').length, { timeout: 20_000 })
      .toBe(done.length);
    const { cardResults, applications } = centre.centre.records();
    for (const { applicationNo } of applications) {
      expect(cardResults.filter((r) => r.applicationNo === applicationNo && r.outcome === 'issued')).toHaveLength(1);
    }
  });
});
