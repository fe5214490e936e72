/**
 * Staff at the kiosk, on the real host with simulated devices: a staff card and its PIN open the
 * staff pages; every stock and consumables action is checked, written to the ledger and the audit
 * log with the staff id, and answered on screen. A PIN goes nowhere but to the card.
 */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SIM_STAFF_CARDS } from '../../kiosk/modes/staff-card-device.ts';
import { dailyFacts } from '../../kiosk/modes/reports.ts';
import { startModesHost, type ModesHost } from './modes-harness.ts';

const hosts: ModesHost[] = [];
afterEach(async () => {
  for (const kiosk of hosts.splice(0)) await kiosk.stop();
});
async function kiosk(options?: Parameters<typeof startModesHost>[0]) {
  const k = await startModesHost(options);
  hosts.push(k);
  return k;
}

const STAFF_PIN = SIM_STAFF_CARDS.staff.pin;
/** The PIN's digits on their own (a timestamp in milliseconds may hold them inside a longer number). */
const standalone = (pin: string) => new RegExp(`(?<!\\d)${pin}(?!\\d)`);

describe('a clerk with a staff card', () => {
  it('loads a box from its scanned label: ledger, simulated hopper and audit agree, with the staff id', async () => {
    const k = await kiosk();
    const printer = k.host.devices.simulation!.cardPrinter;
    const blanksBefore = printer.counters().blanksInFeeder;
    const home = await k.logIn('staff');
    expect(home.screen).toBe('staffHome');
    expect(home.mode).toMatchObject({
      role: 'staff',
      staffId: 'S0001',
      stock: { inHopper: blanksBefore, capacity: 300 },
    });

    k.event({ type: 'MODE_GO', to: 'load' });
    await k.screen('staffLoad');
    k.sim({ action: 'scanBoxLabel' });
    const scanned = await k.until('the box label', (v) => (v.mode?.load?.scans ?? 0) > 0);
    const draft = scanned.mode!.load!.draft!;
    expect(draft).toMatchObject({ count: 50 });
    k.event({
      type: 'STOCK_LOAD',
      batch: draft.batch,
      serialFirst: draft.serialFirst,
      serialLast: draft.serialLast,
      count: 50,
    });
    const after = await k.until(
      'the load recorded',
      (v) => v.screen === 'staffHome' && v.mode?.result?.code === 'loaded',
    );
    expect(after.mode!.stock!.inHopper).toBe(blanksBefore + 50);
    // The clerk's hands on the simulated kiosk put the blanks in the printer too: the next stock check agrees.
    expect(printer.counters().blanksInFeeder).toBe(blanksBefore + 50);
    const load = k.audit().find((a) => a.action === 'stock.load' && a.actor === 'staff:S0001');
    expect(load?.detail).toMatchObject({
      count: 50,
      batch: draft.batch,
      serialFirst: draft.serialFirst,
      serialLast: draft.serialLast,
    });
    expect(k.host.records.serviceBlock()).toBeNull();
    // The PIN is in no view, no log line, no audit entry.
    expect(JSON.stringify(k.host.view())).not.toContain(STAFF_PIN);
    expect(k.log()).not.toMatch(standalone(STAFF_PIN));
    expect(JSON.stringify(k.audit())).not.toMatch(standalone(STAFF_PIN));
  });

  it('refuses a batch loaded before, a count that disagrees with the serials, and a load that overfills the hopper', async () => {
    const k = await kiosk();
    await k.logIn('staff');
    k.event({ type: 'MODE_GO', to: 'load' });
    await k.screen('staffLoad');
    const load = (batch: string, first: string, last: string, count: number) =>
      k.event({ type: 'STOCK_LOAD', batch, serialFirst: first, serialLast: last, count });

    load('B-2026-01', 'SC00000001', 'SC00000050', 49);
    expect((await k.settled()).mode!.result).toEqual({
      ok: false,
      code: 'countMismatch',
      params: { count: 49, range: 50 },
    });
    load('B-2026-01', 'SC00000001', 'SC00000300', 300);
    expect((await k.settled()).mode!.result).toMatchObject({
      ok: false,
      code: 'overCapacity',
      params: { inHopper: 100, count: 300, capacity: 300 },
    });
    load('B-2026-01', 'SC00000001', 'SC00000050', 50);
    await k.until('home', (v) => v.screen === 'staffHome');
    k.event({ type: 'MODE_GO', to: 'load' });
    await k.screen('staffLoad');
    load('b-2026-01', 'SC00000051', 'SC00000100', 50);
    expect((await k.settled()).mode!.result).toMatchObject({
      ok: false,
      code: 'batchAlreadyLoaded',
    });
    // Nothing of the refused loads reached the ledger.
    const r = k.records();
    try {
      expect(
        r.ledger.entries().filter((e) => e.kind === 'load' && e.actor === 'staff:S0001'),
      ).toHaveLength(1);
    } finally {
      r.close();
    }
  });

  it('empties the reject bin: a difference from the ledger is written down, and shows in the daily report', async () => {
    const k = await kiosk();
    await k.logIn('staff');
    k.event({ type: 'MODE_GO', to: 'rejectBin' });
    const bin = await k.screen('staffRejectBin');
    expect(bin.mode!.stock!.binExpected).toBe(0);
    k.event({ type: 'REJECT_BIN_COUNTED', counted: 2 });
    const home = await k.until('home', (v) => v.screen === 'staffHome' && v.mode?.result !== null);
    expect(home.mode!.result).toMatchObject({
      ok: true,
      code: 'binDifference',
      params: { expected: 0, counted: 2, difference: 2 },
    });
    expect(k.audit().at(-1)).toMatchObject({
      actor: 'staff:S0001',
      action: 'stock.rejectBinEmptied',
      detail: { expected: 0, counted: 2, difference: 2 },
    });
    const { facts } = dailyFacts({
      config: k.config,
      store: k.host.records.store,
      devices: k.host.devices,
      dataDir: k.dataDir,
      logger: null as never,
    });
    expect(facts.reconciliation.note).toContain('回收箱清点差异');
    expect(facts.reconciliation.balanced).toBe(false);
  });

  it('replaces the ribbon out, destroyed, in — each step audited, in that order — and new paper', async () => {
    const k = await kiosk();
    k.sim({ action: 'deviceFault', device: 'receipt-printer', fault: 'paperOut' });
    await k.logIn('staff');
    k.event({ type: 'MODE_GO', to: 'consumables' });
    expect((await k.screen('staffConsumables')).mode!.ribbonStep).toBe('remove');
    for (const [step, next] of [
      ['removed', 'dispose'],
      ['disposed', 'fit'],
      ['fitted', 'remove'],
    ] as const) {
      k.event({ type: 'RIBBON_STEP', step });
      await k.until(`ribbon ${step}`, (v) => v.mode?.ribbonStep === next && v.mode.busy === false);
    }
    k.event({ type: 'PAPER_REPLACED' });
    await k.until('paper', (v) => v.mode?.result?.code === 'paperReplaced');
    expect(k.host.devices.simulation!.receiptPrinter.fault).toBeNull();
    expect(
      k
        .audit()
        .filter((a) => a.actor === 'staff:S0001' && a.action.startsWith('consumable.'))
        .map((a) => a.action),
    ).toEqual([
      'consumable.ribbonRemoved',
      'consumable.ribbonDisposed',
      'consumable.ribbonFitted',
      'consumable.paperReplaced',
    ]);
  });

  it('prints the daily report on the receipt printer and saves it as a PDF', async () => {
    const k = await kiosk();
    await k.logIn('staff');
    const printed = k.host.devices.simulation!.receiptPrinter.jobsPrinted;
    k.event({ type: 'REPORT', report: 'daily', output: 'print' });
    expect((await k.settled()).mode!.result).toMatchObject({ ok: true, code: 'reportPrinted' });
    expect(k.host.devices.simulation!.receiptPrinter.jobsPrinted).toBe(printed + 1);
    k.event({ type: 'REPORT', report: 'daily', output: 'pdf' });
    const saved = await k.until('saved', (v) => v.mode?.result?.code === 'reportSaved');
    const file = String(saved.mode!.result!.params.file);
    expect(file).toMatch(/reports\/daily-.*\.pdf$/);
    expect(existsSync(file)).toBe(true);
    expect(
      k
        .audit()
        .filter((a) => a.action === 'report.daily')
        .map((a) => a.detail.output),
    ).toEqual(['print', 'pdf']);
  });
});

describe('entering a mode', () => {
  it('blocks a card after three wrong PINs: the card counts, and a blocked card is refused at once', async () => {
    const k = await kiosk();
    k.sim({ action: 'placeStaffCard', kind: 'staff' });
    expect((await k.screen('modePin')).mode!.pin).toEqual({ triesLeft: 3, wrong: false });
    for (const left of [2, 1]) {
      k.event({ type: 'MODE_PIN', pin: '000000' });
      const view = await k.until(
        `${left} tries left`,
        (v) => v.screen === 'modePin' && v.mode?.pin?.triesLeft === left,
      );
      expect(view.mode!.pin!.wrong).toBe(true);
    }
    k.event({ type: 'MODE_PIN', pin: '000000' });
    expect((await k.screen('modeRefused')).mode!.refusal).toBe('blocked');
    k.sim({ action: 'removeStaffCard' });
    await k.screen('attract');
    // Even with the right PIN now: the card says it is blocked before a PIN is asked.
    k.sim({ action: 'placeStaffCard', kind: 'staff' });
    expect((await k.screen('modeRefused')).mode!.refusal).toBe('blocked');
    expect(
      k
        .audit()
        .filter((a) => a.action === 'mode.wrongPin')
        .map((a) => a.detail.triesLeft),
    ).toEqual([2, 1]);
    expect(k.log()).not.toMatch(standalone('000000'));
  });

  it('refuses a forged, a revoked and an expired card with the reason, never asking their PIN', async () => {
    const k = await kiosk();
    for (const [kind, reason] of [
      ['forged', 'forged'],
      ['revoked', 'revoked'],
      ['expired', 'expired'],
    ] as const) {
      k.sim({ action: 'placeStaffCard', kind });
      const refused = await k.screen('modeRefused');
      expect(refused.mode!.refusal, kind).toBe(reason);
      k.sim({ action: 'removeStaffCard' });
      await k.screen('attract');
    }
    const refusals = k.audit().filter((a) => a.action === 'mode.refused');
    expect(refusals.map((a) => a.detail.reason)).toEqual(['forged', 'revoked', 'expired']);
    expect(refusals.every((a) => a.actor === 'system')).toBe(true);
  });

  it("refuses a staff card while a resident's card is being produced, and leaves the resident's screen alone", async () => {
    const k = await kiosk({ moveMs: 400 });
    k.event({ type: 'START' });
    await k.screen('identify');
    k.sim({ action: 'placeIdCard' });
    await k.showFace();
    await k.screen('confirm');
    k.event({ type: 'CONFIRM' });
    await k.screen('producing');
    k.sim({ action: 'placeStaffCard', kind: 'staff' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(k.host.view().screen).toBe('producing');
    expect(k.host.view().mode ?? null).toBeNull();
    expect(k.audit().at(-1)).toMatchObject({
      actor: 'system',
      action: 'mode.refused',
      detail: { reason: 'residentSession' },
    });
    // The card left in does not open a mode when the resident is done: it must come out and go back in.
    await k.screen('collect', 30_000);
    k.sim({ action: 'takeCard' });
    await k.screen('takeIdCard', 30_000);
    k.sim({ action: 'removeIdCard' });
    await k.screen('attract');
    k.sim({ action: 'removeStaffCard' });
    k.sim({ action: 'placeStaffCard', kind: 'staff' });
    await k.screen('modePin');
  });

  it('is entered while the kiosk is out of service, and ends on card removal and on "exit" back to it', async () => {
    const k = await kiosk();
    k.sim({ action: 'deviceFault', device: 'card-printer', fault: 'feederEmpty' });
    // An unresolved stock discrepancy takes the kiosk out of service for residents.
    k.host.records.store.write(() =>
      k.host.records.store.ledger.raise({
        reason: 'hopperEmptySignal',
        message: 'test: the printer says its hopper is empty',
        detail: {},
      }),
    );
    await k.screen('outOfService');
    expect((await k.logIn('staff')).screen).toBe('staffHome');
    expect(k.host.view().mode!.stock).toMatchObject({ outOfService: true, discrepancies: 1 });
    k.sim({ action: 'removeStaffCard' });
    await k.screen('outOfService');
    expect(k.audit().at(-1)).toMatchObject({
      actor: 'staff:S0001',
      action: 'mode.ended',
      detail: { why: 'cardRemoved' },
    });
    await k.logIn('technician');
    k.event({ type: 'MODE_EXIT' });
    await k.screen('outOfService');
    expect(k.audit().at(-1)).toMatchObject({
      actor: 'technician:T0001',
      action: 'mode.ended',
      detail: { why: 'exit' },
    });
  });
});
