/**
 * A double feed on the real host: the printer's feeder count drops by two for one feed. The
 * ledger records both blanks, the resident gets no card, the discrepancy takes the kiosk out of
 * service for the next resident, and it comes back only when staff have dealt with it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedCardCentre } from '../../kiosk/card-centre/embedded.ts';
import { staffStock } from '../../kiosk/store/staff-stock.ts';
import { startTestHost } from '../support/host-harness.ts';
import { SIMULATED_BLANKS } from '../../kiosk/host/devices.ts';

let harness: Awaited<ReturnType<typeof startTestHost>> | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** Makes the simulated printer pull a second blank out of the hopper with the next feed. */
function injectDoubleFeed(printer: NonNullable<typeof harness>['host']['devices']['cardPrinter']) {
  const feed = printer.feedToContactStation.bind(printer);
  const readCounters = printer.counters.bind(printer);
  let loose = 0;
  let armed = true;
  printer.feedToContactStation = async (signal) => {
    const result = await feed(signal);
    if (armed && result.ok) {
      armed = false;
      loose++;
    }
    return result;
  };
  printer.counters = () => {
    const c = readCounters();
    return { ...c, blanksInFeeder: c.blanksInFeeder - loose };
  };
}

describe('a double feed', () => {
  it('is written down as a discrepancy, no card is handed out, and the kiosk goes out of service until staff resolve it', async () => {
    const centre = new EmbeddedCardCentre();
    harness = await startTestHost({ cardCentre: centre });
    const { host, event, waitForScreen } = harness;
    const store = host.records.store;
    const printer = host.devices.simulation!.cardPrinter;
    injectDoubleFeed(host.devices.cardPrinter);

    event('START');
    host.send({ type: 'sim', sim: { action: 'placeIdCard' } });
    await harness!.showFace();
    await waitForScreen('confirm');
    event('CONFIRM');
    const failed = await waitForScreen('failed');
    expect(failed.failure).toEqual({ reason: 'productionFailed', refund: null });
    expect(printer.cardAtExit()).toBe(false);

    const balance = store.ledger.balance();
    expect(balance.unresolved.map((d) => d.reason)).toEqual(['doubleFeed']);
    // Both blanks left the hopper: the one at the station went to the bin, the loose one is inside.
    expect(balance).toMatchObject({ loaded: SIMULATED_BLANKS, fed: 2, issued: 0, rejected: 1, retained: 0, inProcess: 1, inHopper: SIMULATED_BLANKS - 2, balanced: true });
    expect(balance.inHopper).toBe(host.devices.cardPrinter.counters().blanksInFeeder);

    event('CANCEL');
    host.send({ type: 'sim', sim: { action: 'removeIdCard' } });
    // Back at the start, the kiosk refuses the next resident.
    await waitForScreen('outOfService');
    event('START');
    expect(host.view().screen).toBe('outOfService');
    const health = (await (await fetch(`${host.origin}/healthz`)).json()) as { status: string };
    expect(health.status).toBe('down');
    const metrics = await (await fetch(`${host.origin}/metrics`)).text();
    expect(metrics).toMatch(/^mashang_stock_discrepancies 1$/m);
    expect(metrics).toMatch(/^mashang_stock_blanks\{place="printer"\} 1$/m);

    // Staff open the printer, find the loose blank, bin it, and resolve the discrepancy.
    const staff = staffStock(store);
    staff.removed({ count: 1, reason: 'loose blank found in the printer after a double feed', actor: 'staff:S001' });
    staff.resolve(balance.unresolved[0]!.seq, 'staff:S001', 'printer cleaned, feed rollers checked');
    expect(store.ledger.balance()).toMatchObject({ inProcess: 0, inHopper: SIMULATED_BLANKS - 2, rejected: 2, balanced: true, unresolved: [] });
    expect(host.view().screen).toBe('attract');
    expect(store.verifyAudit()).toMatchObject({ ok: true, entries: 3 });

    // And the next resident is served.
    event('START');
    host.send({ type: 'sim', sim: { action: 'placeIdCard' } });
    await harness!.showFace();
    await waitForScreen('confirm');
    event('CONFIRM');
    await waitForScreen('collect');
  });
});
