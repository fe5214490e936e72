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
import { SIMULATED_BLANKS } from '../../kiosk/host/devices.ts';

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
      params: { inHopper: SIMULATED_BLANKS, count: 300, capacity: 300 },
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

describe('counting the hopper', () => {
  it('a count that matches the ledger is recorded, with no discrepancy, and the page goes home', async () => {
    const k = await kiosk();
    const home = await k.logIn('staff');
    const expected = home.mode!.stock!.inHopper;
    expect(expected).toBe(SIMULATED_BLANKS);
    k.event({ type: 'MODE_GO', to: 'count' });
    const page = await k.screen('staffCount');
    expect(page.mode).toMatchObject({ stock: { inHopper: expected }, count: null });
    k.event({ type: 'HOPPER_COUNTED', counted: expected });
    const done = await k.settled();
    expect(done.screen).toBe('staffHome');
    expect(done.mode!.result).toEqual({ ok: true, code: 'countMatches', params: { counted: expected } });

    const r = k.records();
    try {
      expect(r.ledger.entries().at(-1)).toMatchObject({
        kind: 'count',
        count: expected,
        actor: 'staff:S0001',
        detail: { ledger: expected },
      });
      expect(r.ledger.unresolved()).toEqual([]);
    } finally {
      r.close();
    }
    expect(k.audit().at(-1)).toMatchObject({
      actor: 'staff:S0001',
      action: 'stock.count',
      detail: { counted: expected, discrepancy: null },
    });
    expect(k.host.records.serviceBlock()).toBeNull();
  });

  it('a count that differs keeps residents away until the clerk says why; the ledger is then corrected to it, and the kiosk serves again', async () => {
    const k = await kiosk();
    const ledger = (await k.logIn('staff')).mode!.stock!.inHopper;
    const counted = ledger - 2;
    k.event({ type: 'MODE_GO', to: 'count' });
    await k.screen('staffCount');
    k.event({ type: 'HOPPER_COUNTED', counted });
    const why = await k.settled();
    // Still on the page, asking why, with both numbers.
    expect(why.screen).toBe('staffCount');
    const seq = why.mode!.count!.discrepancy;
    expect(why.mode!.count).toEqual({ counted, ledger, discrepancy: seq });
    expect(why.mode!.result).toMatchObject({ ok: false, code: 'countDiffers', params: { counted, ledger } });
    expect(why.mode!.stock).toMatchObject({ outOfService: true, discrepancies: 1 });
    expect(k.host.records.store.ledger.unresolved()).toMatchObject([
      { seq, reason: 'countMismatch', detail: { counted, ledger } },
    ]);
    expect(k.host.records.serviceBlock()).toMatchObject({ reason: 'stockDiscrepancy' });

    // Exactly what the screen sends for "有卡掉出来或被拿走".
    k.event({ type: 'HOPPER_CORRECT', reason: 'cardsLost' });
    const done = await k.until('the correction', (v) => v.screen === 'staffHome' && v.mode?.busy === false && v.mode.result !== null);
    expect(done.mode!.result).toEqual({ ok: true, code: 'countCorrected', params: { inHopper: counted } });
    expect(done.mode!.stock).toMatchObject({ inHopper: counted, discrepancies: 0, outOfService: false });

    const r = k.records();
    try {
      const entries = r.ledger.entries();
      const correction = entries.find((e) => e.kind === 'correction' && e.actor === 'staff:S0001');
      expect(correction).toMatchObject({ count: -2, reason: 'cardsLost' });
      // The printer's counters as the clerk found them: what the next check at rest compares with.
      expect(correction!.printer).toEqual(k.host.devices.cardPrinter.counters());
      expect(entries.find((e) => e.kind === 'resolved' && e.refersTo === seq)).toMatchObject({
        actor: 'staff:S0001',
        reason: `corrected by #${correction!.seq}`,
      });
      expect(r.ledger.unresolved()).toEqual([]);
      expect(r.ledger.balance().inHopper).toBe(counted);
    } finally {
      r.close();
    }
    expect(k.audit().find((a) => a.action === 'stock.correction')).toMatchObject({
      actor: 'staff:S0001',
      detail: { delta: -2, reason: 'cardsLost', resolves: String(seq) },
    });

    // Back in service: a resident may start once the clerk leaves.
    k.event({ type: 'MODE_EXIT' });
    expect(k.host.view().screen).toBe('attract');
    k.sim({ action: 'removeStaffCard' });
    k.event({ type: 'START' });
    await k.screen('identify');
  });

  it('"cancel" leaves the difference open for "things to handle", and residents away', async () => {
    const k = await kiosk();
    const ledger = (await k.logIn('staff')).mode!.stock!.inHopper;
    k.event({ type: 'MODE_GO', to: 'count' });
    await k.screen('staffCount');
    k.event({ type: 'HOPPER_COUNTED', counted: ledger + 1 });
    await k.until('the question', (v) => v.mode?.count !== null && v.mode?.busy === false);
    k.event({ type: 'MODE_GO', to: 'home' });
    const home = await k.screen('staffHome');
    expect(home.mode!.todo!.items).toMatchObject([{ type: 'discrepancy', reason: 'countMismatch' }]);
    expect(k.audit().some((a) => a.action === 'stock.correction')).toBe(false);
    expect(k.host.records.serviceBlock()).toMatchObject({ reason: 'stockDiscrepancy' });
  });

  it('is not for a technician', async () => {
    const k = await kiosk();
    expect((await k.logIn('technician')).screen).toBe('technicianHome');
    k.event({ type: 'MODE_GO', to: 'count' });
    k.event({ type: 'HOPPER_COUNTED', counted: 7 });
    k.event({ type: 'HOPPER_CORRECT', reason: 'cardsLost' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(k.host.view().screen).toBe('technicianHome');
    expect(k.host.records.store.ledger.entries().some((e) => e.kind === 'count' || e.kind === 'correction')).toBe(false);
    expect(k.audit().some((a) => a.action === 'stock.count' || a.action === 'stock.correction')).toBe(false);
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

describe('things to handle', () => {
  /** An unresolved discrepancy, as the stock check at rest writes one down. */
  const raise = (k: ModesHost, reason: 'hopperEmptySignal' | 'cardMissing' = 'hopperEmptySignal') =>
    k.host.records.store.write(() =>
      k.host.records.store.ledger.raise({ reason, message: `test: ${reason}`, detail: {} }),
    );

  it('a clerk resolves the last discrepancy with a picked reason, and the kiosk serves residents again', async () => {
    const k = await kiosk();
    const seq = raise(k);
    await k.screen('outOfService');
    expect(k.host.health().outOfService).toMatchObject({ reason: 'stockDiscrepancy' });
    // A resident is refused.
    k.event({ type: 'START' });
    expect(k.host.view().screen).toBe('outOfService');

    const home = await k.logIn('staff');
    expect(home.mode!.todo).toMatchObject({ count: 1 });
    k.event({ type: 'MODE_GO', to: 'todo' });
    const page = await k.screen('staffTodo');
    expect(page.mode!.todo).toEqual({
      count: 1,
      items: [{ type: 'discrepancy', seq, at: expect.any(String), reason: 'hopperEmptySignal' }],
    });
    // Exactly what the screen sends for "已处理" → "数过了，已改正".
    k.event({ type: 'STOCK_RESOLVE', discrepancy: seq, reason: 'countedCorrected' });
    const done = await k.settled();
    expect(done.screen).toBe('staffTodo');
    expect(done.mode!.result).toEqual({ ok: true, code: 'backInService', params: {} });
    expect(done.mode!.todo).toEqual({ count: 0, items: [] });
    expect(done.mode!.stock).toMatchObject({ discrepancies: 0, outOfService: false });

    const r = k.records();
    try {
      expect(r.ledger.unresolved()).toEqual([]);
      expect(r.ledger.entries().find((e) => e.kind === 'resolved')).toMatchObject({
        refersTo: seq,
        reason: 'countedCorrected',
        actor: 'staff:S0001',
      });
    } finally {
      r.close();
    }
    expect(k.audit().find((a) => a.action === 'stock.resolve')).toMatchObject({
      actor: 'staff:S0001',
      detail: { discrepancy: seq, note: 'countedCorrected' },
    });
    // Back in service the moment the clerk leaves (no waiting for the periodic service check).
    k.event({ type: 'MODE_EXIT' });
    expect(k.host.view().screen).toBe('attract');
    expect(k.host.health().outOfService).toBeUndefined();
    k.sim({ action: 'removeStaffCard' });
    k.event({ type: 'START' });
    await k.screen('identify');
  });

  it('writes a disagreement that is still there down again at once, and keeps residents away', async () => {
    const k = await kiosk();
    // The printer really says its hopper is empty; the ledger says it holds blanks.
    k.sim({ action: 'deviceFault', device: 'card-printer', fault: 'feederEmpty' });
    const seq = raise(k);
    await k.logIn('staff');
    k.event({ type: 'MODE_GO', to: 'todo' });
    await k.screen('staffTodo');
    k.event({ type: 'STOCK_RESOLVE', discrepancy: seq, reason: 'cardsFound' });
    const again = await k.settled();
    expect(again.mode!.result).toEqual({
      ok: false,
      code: 'discrepancyAgain',
      params: { left: 1 },
    });
    const next = again.mode!.todo!.items[0];
    if (next?.type !== 'discrepancy')
      throw new Error(`expected the discrepancy again, got ${JSON.stringify(next)}`);
    expect(next.reason).toBe('hopperEmptySignal');
    expect(next.seq).not.toBe(seq);
    expect(k.host.records.serviceBlock()).toMatchObject({ reason: 'stockDiscrepancy' });
    // The same one twice (a stale screen): not resolved again.
    k.event({ type: 'STOCK_RESOLVE', discrepancy: seq, reason: 'cardsFound' });
    await k.until('the answer', (v) => v.mode?.result?.code === 'alreadyHandled' && !v.mode.busy);
    // Refilled for real (the printer says so): now it holds.
    k.sim({ action: 'clearFaults' });
    await k.until('the printer ready', () => k.host.devices.cardPrinter.status().state === 'ready');
    k.event({ type: 'STOCK_RESOLVE', discrepancy: next.seq, reason: 'countedCorrected' });
    await k.until(
      'back in service',
      (v) => v.mode?.result?.code === 'backInService' && !v.mode.busy,
    );
    expect(
      k
        .audit()
        .filter((a) => a.action === 'stock.resolve')
        .map((a) => a.detail.note),
    ).toEqual(['cardsFound', 'countedCorrected']);
  });

  it("takes the printer's counters as the clerk found them: counters that moved (a serviced printer) are resolved for good", async () => {
    const k = await kiosk();
    // A technician printed on it by hand: its counters moved with nothing recorded.
    k.host.devices.simulation!.cardPrinter.simulator.loadBlanks(5);
    const seq = k.host.records.store.write(() =>
      k.host.records.store.ledger.raise({
        reason: 'printerCountersMoved',
        message: 'test: counters moved',
        detail: {},
      }),
    );
    await k.logIn('staff');
    k.event({ type: 'MODE_GO', to: 'todo' });
    await k.screen('staffTodo');
    k.event({ type: 'STOCK_RESOLVE', discrepancy: seq, reason: 'printerChecked' });
    expect((await k.settled()).mode!.result!.code).toBe('backInService');
    expect(k.host.records.store.ledger.lastPrinter()).toEqual(
      k.host.devices.cardPrinter.counters(),
    );
  });

  it('a clerk clears a staff notice: it leaves the list, audited with the staff id; nothing personal is on screen', async () => {
    const k = await kiosk();
    const store = k.host.records.store;
    // As recovery leaves one: a settled session whose card is in the reject bin for its resident.
    const id = store.write(() => {
      store.journal.openSession('s-todo-1', null);
      store.journal.setApplication('s-todo-1', 'A2026010500042', 'K-0001-20260105-S0AA');
      store.journal.markSettled('s-todo-1', 'retained');
      return store.notices.add({
        sessionId: 's-todo-1',
        kind: 'cardRetained',
        message: 'test: the card made for application A2026010500042 is in the reject bin',
        detail: { applicationNo: 'A2026010500042' },
      }).id;
    });
    expect((await k.logIn('staff')).mode!.todo!.count).toBe(1);
    k.event({ type: 'MODE_GO', to: 'todo' });
    const page = await k.screen('staffTodo');
    expect(page.mode!.todo!.items).toEqual([
      {
        type: 'notice',
        id,
        at: expect.any(String),
        kind: 'cardRetained',
        applicationNo: 'A2026010500042',
        transactionNo: 'K-0001-20260105-S0AA',
        orderNo: null,
      },
    ]);
    expect(JSON.stringify(page)).not.toContain('test: the card');
    // Residents are not kept away by a notice.
    expect(page.mode!.stock!.outOfService).toBe(false);

    k.event({ type: 'NOTICE_CLEAR', notice: id });
    const done = await k.settled();
    expect(done.mode!.result).toEqual({ ok: true, code: 'noticeCleared', params: {} });
    expect(done.mode!.todo).toEqual({ count: 0, items: [] });
    expect(store.notices.open()).toEqual([]);
    expect(k.audit().at(-1)).toMatchObject({
      actor: 'staff:S0001',
      action: 'notice.clear',
      detail: { notice: id, kind: 'cardRetained' },
    });
    expect(k.host.health().staff).toBeUndefined();
  });

  it('is not for a technician, nor for a card whose PIN was not given, nor outside a mode', async () => {
    const k = await kiosk();
    const seq = raise(k, 'cardMissing');
    const notice = k.host.records.store.write(
      () =>
        k.host.records.store.notices.add({ sessionId: null, kind: 'cardStuck', message: 'test' })
          .id,
    );
    const attempt = async () => {
      k.event({ type: 'MODE_GO', to: 'todo' });
      k.event({ type: 'STOCK_RESOLVE', discrepancy: seq, reason: 'cardsFound' });
      k.event({ type: 'NOTICE_CLEAR', notice });
      await new Promise((resolve) => setTimeout(resolve, 200));
    };
    const untouched = () => {
      expect(k.host.records.store.ledger.unresolved().map((d) => d.seq)).toEqual([seq]);
      expect(k.host.records.store.notices.open().map((n) => n.id)).toEqual([notice]);
      expect(
        k.audit().some((a) => a.action === 'stock.resolve' || a.action === 'notice.clear'),
      ).toBe(false);
    };

    await attempt();
    expect(k.host.view().screen).toBe('outOfService');
    untouched();

    k.sim({ action: 'placeStaffCard', kind: 'staff' });
    await k.screen('modePin');
    await attempt();
    expect(k.host.view().screen).toBe('modePin');
    untouched();
    k.sim({ action: 'removeStaffCard' });
    await k.screen('outOfService');

    expect((await k.logIn('technician')).screen).toBe('technicianHome');
    await attempt();
    expect(k.host.view().screen).toBe('technicianHome');
    expect(k.host.view().mode!.todo).toBeNull();
    untouched();
  });
});
