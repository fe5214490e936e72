/**
 * The staff and technician modes as a person at the kiosk meets them, on fake actors: what the
 * card, the PIN and the operations answer is decided here, one test at a time.
 */
import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, waitFor } from 'xstate';
import { modesMachine, type ModeAudit } from './modes.ts';
import type {
  ApduExchange,
  AuthenticateOutcome,
  BoxScanOutcome,
  IdentifyOutcome,
  ModeIdentity,
  ModeOperation,
  OperationResult,
  SelfTestId,
  SelfTestResult,
} from './types.ts';

const STAFF = { role: 'staff' as const, staffId: 'S0042', serial: '00112233445566AA' };
const TECH = { role: 'technician' as const, staffId: 'T-007', serial: '00112233445566BB' };

interface World {
  identify: IdentifyOutcome;
  /** What the card says to each PIN, in order. */
  pins: AuthenticateOutcome[];
  operate?: (op: ModeOperation) => Promise<OperationResult>;
  boxScans?: BoxScanOutcome[];
  selfTest?: (test: SelfTestId) => Promise<SelfTestResult>;
  idleMs?: number;
}

function kiosk(world: World) {
  const audit: ModeAudit[] = [];
  const pinsSeen: string[] = [];
  const operations: ModeOperation[] = [];
  /** Who each operation was for (the host writes it to the ledger and the audit log). */
  const operators: string[] = [];
  const scans = [...(world.boxScans ?? [])];
  const machine = modesMachine.provide({
    actors: {
      identifyCard: fromPromise<IdentifyOutcome>(async () => world.identify),
      authenticate: fromPromise<AuthenticateOutcome, { pin: string }>(async ({ input }) => {
        pinsSeen.push(input.pin);
        const answer = world.pins.shift();
        if (!answer) throw new Error('no answer');
        return answer;
      }),
      operate: fromPromise<OperationResult, { operation: ModeOperation; actor: string }>(
        async ({ input }) => {
          operations.push(input.operation);
          operators.push(input.actor);
          return world.operate
            ? world.operate(input.operation)
            : { ok: true, code: 'loaded', params: {} };
        },
      ),
      awaitBoxLabel: fromPromise<BoxScanOutcome>(
        ({ signal }) =>
          new Promise((resolve, reject) => {
            const next = scans.shift();
            if (next) return void setTimeout(() => resolve(next), 1);
            signal.addEventListener('abort', () => reject(new Error('aborted')));
          }),
      ),
      selfTest: fromPromise<SelfTestResult, { test: SelfTestId; actor: string }>(
        async ({ input }) =>
          world.selfTest
            ? world.selfTest(input.test)
            : { pass: true, code: 'pass', params: {}, at: new Date().toISOString() },
      ),
      sendApdu: fromPromise<ApduExchange, { reader: string; command: string; actor: string }>(
        async ({ input }) => ({
          reader: input.reader,
          command: input.command,
          response: '9000',
          ok: true,
        }),
      ),
    },
    actions: { audit: (_, entry: ModeAudit) => void audit.push(entry) },
    delays: { modeIdle: world.idleMs ?? 60_000, refusedShown: 60_000 },
  });
  const actor = createActor(machine, { input: { lang: 'zh-CN' } });
  actor.start();
  const settle = (test: (s: ReturnType<typeof actor.getSnapshot>) => boolean) =>
    waitFor(actor, test, { timeout: 2_000 });
  return { actor, audit, pinsSeen, operations, operators, settle };
}

const identified = (
  identity: ModeIdentity = STAFF,
  triesLeft: number | 'blocked' = 3,
): IdentifyOutcome => ({ ok: true, identity, triesLeft });

describe('entering a mode', () => {
  it('asks a proven card for its PIN, then opens the pages of the role its certificate names', async () => {
    const { actor, settle, audit, pinsSeen } = kiosk({
      identify: identified(TECH),
      pins: [{ ok: true, identity: TECH }],
    });
    actor.send({ type: 'CARD_INSERTED', residentAtRest: true });
    await settle((s) => s.matches('pin'));
    expect(actor.getSnapshot().context.triesLeft).toBe(3);
    actor.send({ type: 'MODE_PIN', pin: '246810' });
    await settle((s) => s.matches('technician'));
    expect(pinsSeen).toEqual(['246810']);
    // The PIN is nowhere in what the flow keeps, nor in what it writes down.
    expect(JSON.stringify(actor.getSnapshot().context)).not.toContain('246810');
    expect(JSON.stringify(audit)).not.toContain('246810');
    expect(audit.at(-1)).toEqual({
      actor: 'technician:T-007',
      action: 'mode.entered',
      detail: { role: 'technician' },
    });
  });

  it('counts wrong PINs down as the card says, and refuses a card the card itself blocked', async () => {
    const { actor, settle, audit } = kiosk({
      identify: identified(),
      pins: [
        { ok: false, wrongPin: true, triesLeft: 2 },
        { ok: false, wrongPin: true, triesLeft: 1 },
        { ok: false, wrongPin: false, refusal: 'blocked' },
      ],
    });
    actor.send({ type: 'CARD_INSERTED', residentAtRest: true });
    await settle((s) => s.matches('pin'));
    for (const left of [2, 1]) {
      actor.send({ type: 'MODE_PIN', pin: '000000' });
      await settle((s) => s.matches('pin') && s.context.triesLeft === left);
      expect(actor.getSnapshot().context.wrongPin).toBe(true);
    }
    actor.send({ type: 'MODE_PIN', pin: '000000' });
    await settle((s) => s.matches('refused'));
    expect(actor.getSnapshot().context.refusal).toBe('blocked');
    expect(audit.map((a) => a.action)).toEqual(['mode.wrongPin', 'mode.wrongPin', 'mode.refused']);
    expect(audit.every((a) => a.actor === 'system')).toBe(true);
  });

  it('never asks a blocked, forged or revoked card for a PIN', async () => {
    for (const identify of [
      identified(STAFF, 'blocked'),
      { ok: false, refusal: 'forged' } as const,
      { ok: false, refusal: 'revoked' } as const,
      { ok: false, refusal: 'expired' } as const,
    ]) {
      const { actor, settle, pinsSeen, audit } = kiosk({ identify, pins: [] });
      actor.send({ type: 'CARD_INSERTED', residentAtRest: true });
      await settle((s) => s.matches('refused'));
      expect(pinsSeen).toEqual([]);
      expect(audit[0]?.action).toBe('mode.refused');
      actor.send({ type: 'CARD_REMOVED' });
      expect(actor.getSnapshot().value).toBe('closed');
    }
  });

  it('is refused, and written down, while a resident is being served; the next insertion may enter', async () => {
    const { actor, settle, audit } = kiosk({ identify: identified(), pins: [] });
    actor.send({ type: 'CARD_INSERTED', residentAtRest: false });
    expect(actor.getSnapshot().value).toBe('closed');
    expect(audit).toEqual([
      { actor: 'system', action: 'mode.refused', detail: { reason: 'residentSession' } },
    ]);
    actor.send({ type: 'CARD_REMOVED' });
    actor.send({ type: 'CARD_INSERTED', residentAtRest: true });
    await settle((s) => s.matches('pin'));
  });
});

describe('in a mode', () => {
  async function staffIn(world: Partial<World> = {}) {
    const k = kiosk({ identify: identified(), pins: [{ ok: true, identity: STAFF }], ...world });
    k.actor.send({ type: 'CARD_INSERTED', residentAtRest: true });
    await k.settle((s) => s.matches('pin'));
    k.actor.send({ type: 'MODE_PIN', pin: '123456' });
    await k.settle((s) => s.matches('staff'));
    return k;
  }

  it('ends on card removal, on exit, and on inactivity, each written down', async () => {
    const a = await staffIn();
    a.actor.send({ type: 'CARD_REMOVED' });
    expect(a.actor.getSnapshot().value).toBe('closed');
    expect(a.audit.at(-1)).toEqual({
      actor: 'staff:S0042',
      action: 'mode.ended',
      detail: { why: 'cardRemoved' },
    });

    const b = await staffIn();
    b.actor.send({ type: 'MODE_EXIT' });
    expect(b.audit.at(-1)?.detail).toEqual({ why: 'exit' });

    const c = await staffIn({ idleMs: 30 });
    await c.settle((s) => s.matches('closed'));
    expect(c.audit.at(-1)?.detail).toEqual({ why: 'timeout' });
  });

  it('lets a running operation finish before the timeout closes the mode', async () => {
    let finish!: (r: OperationResult) => void;
    const k = await staffIn({
      idleMs: 30,
      operate: () => new Promise((resolve) => (finish = resolve)),
    });
    k.actor.send({ type: 'REPORT', report: 'daily', output: 'print' });
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(k.actor.getSnapshot().matches('staff')).toBe(true);
    finish({ ok: true, code: 'reportPrinted', params: {} });
    await k.settle((s) => s.matches('closed'));
  });

  it('loads a box from its scanned label and goes home with the result; a refusal stays on the form', async () => {
    const answers: OperationResult[] = [
      { ok: false, code: 'batchAlreadyLoaded', params: { batch: 'B1' } },
      { ok: true, code: 'loaded', params: { count: 50 } },
    ];
    const k = await staffIn({
      boxScans: [
        { ok: true, label: { batch: 'B1', serialFirst: '1001', serialLast: '1050', count: 50 } },
      ],
      operate: async () => answers.shift()!,
    });
    k.actor.send({ type: 'MODE_GO', to: 'load' });
    await k.settle((s) => s.context.boxScans === 1);
    expect(k.actor.getSnapshot().context.boxLabel?.batch).toBe('B1');
    const load = {
      type: 'STOCK_LOAD',
      batch: 'B1',
      serialFirst: '1001',
      serialLast: '1050',
      count: 50,
    } as const;
    k.actor.send(load);
    await k.settle(
      (s) => s.matches({ staff: { page: { load: 'idle' } } }) && s.context.result !== null,
    );
    expect(k.actor.getSnapshot().context.result?.code).toBe('batchAlreadyLoaded');
    k.actor.send(load);
    await k.settle((s) => s.matches({ staff: { page: 'home' } }));
    expect(k.actor.getSnapshot().context.result?.code).toBe('loaded');
    expect(k.operations).toEqual([
      { op: 'loadBatch', batch: 'B1', serialFirst: '1001', serialLast: '1050', count: 50 },
      { op: 'loadBatch', batch: 'B1', serialFirst: '1001', serialLast: '1050', count: 50 },
    ]);
  });

  it('takes the ribbon out, destroys it and fits a new one only in that order', async () => {
    const codes = {
      removed: 'ribbonRemoved',
      disposed: 'ribbonDisposed',
      fitted: 'ribbonFitted',
    } as const;
    const k = await staffIn({
      operate: async (op) => ({
        ok: true,
        code: op.op === 'ribbon' ? codes[op.step] : 'paperReplaced',
        params: {},
      }),
    });
    k.actor.send({ type: 'MODE_GO', to: 'consumables' });
    k.actor.send({ type: 'RIBBON_STEP', step: 'fitted' });
    expect(k.operations).toEqual([]);
    for (const [step, next] of [
      ['removed', 'fit'],
      ['disposed', 'fit'],
      ['fitted', 'remove'],
    ] as const) {
      k.actor.send({ type: 'RIBBON_STEP', step });
      await k.settle((s) => s.context.result?.code === codes[step] && !s.context.busy);
      if (step === 'removed') expect(k.actor.getSnapshot().context.ribbonStep).toBe('dispose');
      else expect(k.actor.getSnapshot().context.ribbonStep).toBe(next);
    }
    expect(k.operations.map((o) => (o.op === 'ribbon' ? o.step : o.op))).toEqual([
      'removed',
      'disposed',
      'fitted',
    ]);
  });

  it("keeps a staff card out of the technician's operations", async () => {
    const k = await staffIn();
    k.actor.send({ type: 'SELF_TEST', test: 'cardPrinter' });
    k.actor.send({ type: 'MODE_GO', to: 'tests' });
    k.actor.send({ type: 'REPORT', report: 'readiness', output: 'pdf' });
    expect(k.actor.getSnapshot().matches({ staff: { page: 'home' } })).toBe(true);
    expect(k.operations).toEqual([]);
  });

  it('handles the things on the to-do page one at a time, staying there with each answer', async () => {
    let finish!: (r: OperationResult) => void;
    const k = await staffIn({ operate: () => new Promise((resolve) => (finish = resolve)) });
    k.actor.send({ type: 'MODE_GO', to: 'todo' });
    expect(k.actor.getSnapshot().matches({ staff: { page: { todo: 'idle' } } })).toBe(true);
    k.actor.send({ type: 'STOCK_RESOLVE', discrepancy: 17, reason: 'cardsFound' });
    expect(k.actor.getSnapshot().context.busy).toBe(true);
    // A second press while the first is written is dropped, not queued.
    k.actor.send({ type: 'STOCK_RESOLVE', discrepancy: 17, reason: 'cardsFound' });
    k.actor.send({ type: 'NOTICE_CLEAR', notice: 3 });
    finish({ ok: true, code: 'backInService', params: {} });
    await k.settle((s) => s.matches({ staff: { page: { todo: 'idle' } } }) && !s.context.busy);
    expect(k.actor.getSnapshot().context.result?.code).toBe('backInService');
    k.actor.send({ type: 'NOTICE_CLEAR', notice: 3 });
    finish({ ok: false, code: 'alreadyHandled', params: {} });
    await k.settle((s) => s.context.result?.code === 'alreadyHandled' && !s.context.busy);
    expect(k.actor.getSnapshot().matches({ staff: { page: 'todo' } })).toBe(true);
    expect(k.operations).toEqual([
      { op: 'resolveDiscrepancy', discrepancy: 17, reason: 'cardsFound' },
      { op: 'clearNotice', notice: 3 },
    ]);
    // Written down as the verified staff id, never as the card's unproven claim.
    expect(k.operators).toEqual(['staff:S0042', 'staff:S0042']);
    // Back home, the last answer is not carried along.
    k.actor.send({ type: 'MODE_GO', to: 'home' });
    expect(k.actor.getSnapshot().matches({ staff: { page: 'home' } })).toBe(true);
    expect(k.actor.getSnapshot().context.result).toBeNull();
  });

  it('says "failed" for an operation that throws, frees the page, and goes home only on success', async () => {
    const answers: Array<() => Promise<OperationResult>> = [
      () => Promise.reject(new Error('printer gone')),
      () => Promise.resolve({ ok: false, code: 'countMismatch', params: {} }),
      () => Promise.resolve({ ok: true, code: 'binEmptied', params: {} }),
    ];
    const k = await staffIn({ operate: () => answers.shift()!() });
    k.actor.send({ type: 'MODE_GO', to: 'rejectBin' });
    k.actor.send({ type: 'REJECT_BIN_COUNTED', counted: 3 });
    await k.settle((s) => s.context.result?.code === 'failed' && !s.context.busy);
    expect(k.actor.getSnapshot().matches({ staff: { page: 'rejectBin' } })).toBe(true);
    // A refusal stays on its page, to be corrected there.
    k.actor.send({ type: 'REJECT_BIN_COUNTED', counted: 3 });
    await k.settle((s) => s.context.result?.code === 'countMismatch' && !s.context.busy);
    expect(k.actor.getSnapshot().matches({ staff: { page: 'rejectBin' } })).toBe(true);
    k.actor.send({ type: 'REJECT_BIN_COUNTED', counted: 3 });
    await k.settle((s) => s.matches({ staff: { page: 'home' } }) && !s.context.busy);
    expect(k.actor.getSnapshot().context.result?.code).toBe('binEmptied');
  });

  it('counts the hopper: home on a match; on a difference it stays and asks why, a reason corrects, cancel leaves it', async () => {
    const differs: OperationResult = {
      ok: false,
      code: 'countDiffers',
      params: { counted: 48, ledger: 50, discrepancy: 23 },
    };
    let finish!: (r: OperationResult) => void;
    const answers: Array<() => Promise<OperationResult>> = [
      () => Promise.resolve({ ok: true, code: 'countMatches', params: { counted: 50 } }),
      () => Promise.resolve(differs),
      () => new Promise((resolve) => (finish = resolve)),
      () => new Promise((resolve) => (finish = resolve)),
      () => Promise.resolve(differs),
      () => Promise.resolve({ ok: false, code: 'countCorrectedAgain', params: { inHopper: 48, left: 1 } }),
      () => Promise.resolve(differs),
    ];
    const k = await staffIn({ operate: () => answers.shift()!() });
    const page = (state: 'idle' | 'why') => k.actor.getSnapshot().matches({ staff: { page: { count: state } } });

    // A match: recorded, and home with the answer.
    k.actor.send({ type: 'MODE_GO', to: 'count' });
    expect(page('idle')).toBe(true);
    k.actor.send({ type: 'HOPPER_COUNTED', counted: 50 });
    await k.settle((s) => s.matches({ staff: { page: 'home' } }) && !s.context.busy);
    expect(k.actor.getSnapshot().context.result?.code).toBe('countMatches');

    // A difference: the page stays and asks why, with both numbers kept for it.
    k.actor.send({ type: 'MODE_GO', to: 'count' });
    expect(k.actor.getSnapshot().context.result).toBeNull();
    k.actor.send({ type: 'HOPPER_COUNTED', counted: 48 });
    await k.settle((s) => !s.context.busy && s.context.result !== null);
    expect(page('why')).toBe(true);
    expect(k.actor.getSnapshot().context.hopperCount).toEqual({ counted: 48, ledger: 50, discrepancy: 23 });
    // Asked why, a count is not taken again.
    k.actor.send({ type: 'HOPPER_COUNTED', counted: 47 });
    expect(page('why')).toBe(true);
    // A reason: the correction of that discrepancy; a second press while it is written is dropped.
    k.actor.send({ type: 'HOPPER_CORRECT', reason: 'cardsLost' });
    expect(k.actor.getSnapshot().context.busy).toBe(true);
    k.actor.send({ type: 'HOPPER_CORRECT', reason: 'miscountedAtLoad' });
    // Not written (the records refused): the question again.
    finish({ ok: false, code: 'recordsUnavailable', params: {} });
    await k.settle((s) => !s.context.busy && s.context.result?.code === 'recordsUnavailable');
    expect(page('why')).toBe(true);
    k.actor.send({ type: 'HOPPER_CORRECT', reason: 'cardsLost' });
    finish({ ok: true, code: 'countCorrected', params: { inHopper: 48 } });
    await k.settle((s) => s.matches({ staff: { page: 'home' } }) && !s.context.busy);
    expect(k.actor.getSnapshot().context.result?.code).toBe('countCorrected');
    expect(k.actor.getSnapshot().context.hopperCount).toBeNull();

    // Written, though the printer still disagrees: home too, saying so.
    k.actor.send({ type: 'MODE_GO', to: 'count' });
    k.actor.send({ type: 'HOPPER_COUNTED', counted: 48 });
    await k.settle((s) => !s.context.busy && s.context.result !== null);
    k.actor.send({ type: 'HOPPER_CORRECT', reason: 'passedToSupervisor' });
    await k.settle((s) => s.matches({ staff: { page: 'home' } }) && !s.context.busy);
    expect(k.actor.getSnapshot().context.result?.code).toBe('countCorrectedAgain');

    // Cancel: home, nothing corrected (the discrepancy stays for the to-do page).
    k.actor.send({ type: 'MODE_GO', to: 'count' });
    k.actor.send({ type: 'HOPPER_COUNTED', counted: 48 });
    await k.settle((s) => !s.context.busy && s.context.result !== null);
    expect(page('why')).toBe(true);
    k.actor.send({ type: 'MODE_GO', to: 'home' });
    expect(k.actor.getSnapshot().matches({ staff: { page: 'home' } })).toBe(true);
    expect(k.actor.getSnapshot().context).toMatchObject({ result: null, hopperCount: null });

    expect(k.operations).toEqual([
      { op: 'countHopper', counted: 50 },
      { op: 'countHopper', counted: 48 },
      { op: 'correctCount', discrepancy: 23, reason: 'cardsLost' },
      { op: 'correctCount', discrepancy: 23, reason: 'cardsLost' },
      { op: 'countHopper', counted: 48 },
      { op: 'correctCount', discrepancy: 23, reason: 'passedToSupervisor' },
      { op: 'countHopper', counted: 48 },
    ]);
    expect(new Set(k.operators)).toEqual(new Set(['staff:S0042']));
  });

  it('keeps the hopper count from a technician and from a card whose PIN was not given', async () => {
    const waiting = kiosk({ identify: identified(), pins: [] });
    waiting.actor.send({ type: 'CARD_INSERTED', residentAtRest: true });
    await waiting.settle((s) => s.matches('pin'));
    waiting.actor.send({ type: 'MODE_GO', to: 'count' });
    waiting.actor.send({ type: 'HOPPER_COUNTED', counted: 3 });
    waiting.actor.send({ type: 'HOPPER_CORRECT', reason: 'cardsLost' });
    expect(waiting.actor.getSnapshot().value).toBe('pin');
    expect(waiting.operations).toEqual([]);

    const tech = kiosk({ identify: identified(TECH), pins: [{ ok: true, identity: TECH }] });
    tech.actor.send({ type: 'CARD_INSERTED', residentAtRest: true });
    await tech.settle((s) => s.matches('pin'));
    tech.actor.send({ type: 'MODE_PIN', pin: '246810' });
    await tech.settle((s) => s.matches('technician'));
    tech.actor.send({ type: 'MODE_GO', to: 'count' });
    tech.actor.send({ type: 'HOPPER_COUNTED', counted: 3 });
    tech.actor.send({ type: 'HOPPER_CORRECT', reason: 'cardsLost' });
    expect(tech.actor.getSnapshot().matches({ technician: { page: { home: 'idle' } } })).toBe(true);
    expect(tech.operations).toEqual([]);

    // Staff on home (not the page), and a reason with no count asked about: nothing.
    const staff = await staffIn();
    staff.actor.send({ type: 'HOPPER_COUNTED', counted: 3 });
    staff.actor.send({ type: 'MODE_GO', to: 'count' });
    staff.actor.send({ type: 'HOPPER_CORRECT', reason: 'cardsLost' });
    expect(staff.actor.getSnapshot().matches({ staff: { page: { count: 'idle' } } })).toBe(true);
    expect(staff.operations).toEqual([]);
  });

  it('keeps the to-do page from a technician, and from a card whose PIN was not given', async () => {
    // Before the PIN: the events go nowhere.
    const waiting = kiosk({ identify: identified(), pins: [] });
    waiting.actor.send({ type: 'CARD_INSERTED', residentAtRest: true });
    await waiting.settle((s) => s.matches('pin'));
    waiting.actor.send({ type: 'MODE_GO', to: 'todo' });
    waiting.actor.send({ type: 'STOCK_RESOLVE', discrepancy: 17, reason: 'cardsFound' });
    waiting.actor.send({ type: 'NOTICE_CLEAR', notice: 3 });
    expect(waiting.actor.getSnapshot().value).toBe('pin');
    expect(waiting.operations).toEqual([]);

    // A technician: no such page, and the events do nothing on theirs.
    const tech = kiosk({ identify: identified(TECH), pins: [{ ok: true, identity: TECH }] });
    tech.actor.send({ type: 'CARD_INSERTED', residentAtRest: true });
    await tech.settle((s) => s.matches('pin'));
    tech.actor.send({ type: 'MODE_PIN', pin: '246810' });
    await tech.settle((s) => s.matches('technician'));
    tech.actor.send({ type: 'MODE_GO', to: 'todo' });
    tech.actor.send({ type: 'STOCK_RESOLVE', discrepancy: 17, reason: 'cardsFound' });
    tech.actor.send({ type: 'NOTICE_CLEAR', notice: 3 });
    expect(tech.actor.getSnapshot().matches({ technician: { page: { home: 'idle' } } })).toBe(true);
    expect(tech.operations).toEqual([]);

    // Staff, on home (not the page): nothing either.
    const staff = await staffIn();
    staff.actor.send({ type: 'STOCK_RESOLVE', discrepancy: 17, reason: 'cardsFound' });
    staff.actor.send({ type: 'NOTICE_CLEAR', notice: 3 });
    expect(staff.operations).toEqual([]);
  });

  it('runs self-tests one at a time and keeps each result for the readiness report', async () => {
    const k = kiosk({ identify: identified(TECH), pins: [{ ok: true, identity: TECH }] });
    k.actor.send({ type: 'CARD_INSERTED', residentAtRest: true });
    await k.settle((s) => s.matches('pin'));
    k.actor.send({ type: 'MODE_PIN', pin: '246810' });
    await k.settle((s) => s.matches('technician'));
    k.actor.send({ type: 'MODE_GO', to: 'tests' });
    k.actor.send({ type: 'SELF_TEST', test: 'cardPrinter' });
    await k.settle((s) => s.context.selfTests.cardPrinter !== undefined && !s.context.busy);
    k.actor.send({ type: 'MODE_GO', to: 'home' });
    k.actor.send({ type: 'REPORT', report: 'readiness', output: 'print' });
    await k.settle((s) => s.context.result !== null);
    expect(k.operations[0]).toMatchObject({
      op: 'report',
      report: 'readiness',
      selfTests: { cardPrinter: { pass: true } },
    });
  });
});
