/**
 * Fault injection with real processes (issue 8): the kiosk host is SIGKILLed at every intent and
 * outcome record of a resident's journey in turn, and at random moments inside device operations,
 * then restarted; its recovery must settle the session safely.
 *
 * The world outlives the kiosk, or the test would prove nothing: the card printer with its contact
 * station (printer-station.ts: the Evolis simulator on a pty, a blank SSSE virtual card on vpcd
 * whenever a card is at the station), the ID reader and the receipt printer (`mashang sim-serial`
 * on ptys), pcscd with vpcd, and the card centre (`mashang card-centre`, its own records) are each
 * a process of their own, started once. Only `mashang host` dies and comes back. The kill points
 * come from the host itself (MASHANG_KILL_AT: SIGKILL right after that record is committed, a test
 * hook a production kiosk refuses); the random kills come from this test, by the host's pid.
 *
 * After every kill, once the restarted host has recovered: the ledger balances and agrees with the
 * printer's own counters, every blank is accounted for, no card was ejected by recovery, nothing
 * was done twice at the card centre, the resident's transaction is completed, refunded
 * (acknowledged by the centre) or flagged for staff, and the records pass PRAGMA integrity_check.
 */
import { PCSC_INSTALL_HINT, pcscStackProblems } from '../pcsc/pcscd-fixture.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JOURNAL_STEPS } from '../../kiosk/store/journal.ts';
import { staffStock } from '../../kiosk/store/staff-stock.ts';
import { KioskStore } from '../../kiosk/store/store.ts';
import { serialStackProblem } from '../serial/id-reader-stack.ts';
import { TEST_FACE_PHOTO } from '../support/host-harness.ts';
import { expectCentreHasNoDuplicates, expectStockAgrees, expectTransactionSafe, integrity, kioskSessions, pendingOutbox, type KioskSession } from './rig/checks.ts';
import { MASHANG, Proc, type StationState } from './rig/processes.ts';
import { World, type KioskProcess } from './rig/world.ts';

type Journey = 'issued' | 'settled' | 'retained' | 'refunded';

/**
 * Every record a journey writes, each a kill point, with the journey that writes it:
 *  issued    pays at once, the card is made, taken, the receipt printed;
 *  settled   the resident confirms the payment on the phone: settled by query;
 *  retained  the card is not taken in time and is retained;
 *  refunded  every chip fails (the station's blanks answer 6F00): three cards rejected, the fee refunded.
 * `identityVerified` is in JOURNAL_STEPS but no journey writes it (the face check is a read-only
 * comparison that opens no record), so it is no kill point.
 */
const RECORD_KILL_POINTS: readonly { step: (typeof JOURNAL_STEPS)[number]; journey: Journey }[] = [
  { step: 'lossReported', journey: 'issued' },
  { step: 'applicationOpened', journey: 'issued' },
  { step: 'paymentStarted', journey: 'issued' },
  { step: 'paymentSettled', journey: 'settled' },
  { step: 'blankTaken', journey: 'issued' },
  { step: 'chipPersonalised', journey: 'issued' },
  { step: 'facePrinted', journey: 'issued' },
  { step: 'cardEjected', journey: 'issued' },
  { step: 'cardTaken', journey: 'issued' },
  { step: 'receiptPrinted', journey: 'issued' },
  { step: 'cardRetained', journey: 'retained' },
  { step: 'cardRejected', journey: 'refunded' },
  { step: 'paymentRefunded', journey: 'refunded' },
];
const NOT_A_KILL_POINT = ['identityVerified'];
/** Random kills inside device operations (MASHANG_RANDOM_KILLS overrides). */
const RANDOM_KILLS = Number(process.env.MASHANG_RANDOM_KILLS ?? 6);

const problems = [...pcscStackProblems(), ...(serialStackProblem() ? [serialStackProblem()!] : [])];
const INSTALL = `${PCSC_INSTALL_HINT}; npm install (node-pty, serialport)`;

const TRACE = process.env.MASHANG_RECOVERY_TRACE === '1';
const trace = (what: string) => TRACE && console.log(`${new Date().toISOString().slice(11, 23)} ${what}`);

/** A small seeded PRNG, so a failing run's random kills can be replayed (MASHANG_RECOVERY_SEED). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

if (problems.length > 0 && process.env.CI) {
  describe('recovery after the kiosk is killed', () => {
    it('has the real stack (pcscd, vpcd, ptys) installed', () => {
      throw new Error(`missing ${problems.join(', ')}: ${INSTALL}`);
    });
  });
} else if (problems.length > 0) {
  console.warn(`recovery fault injection: skipped, missing ${problems.join(', ')} — ${INSTALL}`);
  describe.skip(`recovery after the kiosk is killed — skipped, missing ${problems.join(', ')}: ${INSTALL}`, () => {
    it('needs the real stack', () => {});
  });
} else {
  describe('recovery after the kiosk is killed (real processes)', () => {
    let world: World;
    const covered: { point: string; settledAs: string }[] = [];
    const randomCovered: { delayMs: number; inside: string; settledAs: string }[] = [];
    const seed = Number(process.env.MASHANG_RECOVERY_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const random = mulberry32(seed);
    /** From CONFIRM to the card at the exit, measured on a journey nobody interrupts. */
    let productionWindowMs = 3_000;
    /** Every host started, stopped (by pid) after each test whatever happened. */
    const hosts = new Set<KioskProcess>();
    afterEach(async () => {
      for (const host of hosts) await host.proc.kill();
      hosts.clear();
    });

    beforeAll(async () => {
      // Slow mechanics (150 ms a move, 300 ms a print) and a chip that answers after 15 ms: kills land inside them.
      world = await World.start({ moveMs: 150, blanks: 300, payingMs: 1_000 });
      // Staff load the blanks the printer holds, as they would: a ledger entry and an audit entry.
      const secrets = JSON.parse(readFileSync(path.join(world.dir, 'secrets.json'), 'utf8')) as { journalKey: string };
      const store = KioskStore.open({ dataDir: world.dataDir, journalKey: secrets.journalKey });
      try {
        staffStock(store).load({ count: 300, batch: 'RIG-300', actor: 'staff:S0001', printer: { blanksInFeeder: 300, cardsPrinted: 0, cardsRejected: 0 } });
      } finally {
        store.close();
      }
    });

    afterAll(async () => {
      await world?.stop();
      if (covered.length === 0) return;
      const deviceSteps = ['blankTaken', 'chipPersonalised', 'facePrinted', 'cardEjected', 'cardRejected', 'cardRetained', 'receiptPrinted'];
      const insideDevices = randomCovered.filter((r) => deviceSteps.some((step) => r.inside === `${step} (in progress)`)).length;
      const lines = [
        `recovery fault injection: ${covered.length} kill points at journal records (${RECORD_KILL_POINTS.length} steps × intent/outcome), ` +
          `${randomCovered.length} random kills during production (${insideDevices} inside a device operation; seed ${seed}); ${NOT_A_KILL_POINT.join(', ')} is written by no journey`,
        ...covered.map((c) => `  ${c.point.padEnd(28)} → ${c.settledAs}`),
        ...randomCovered.map((r) => `  random kill ${String(r.delayMs).padStart(4)} ms after CONFIRM, ${r.inside} → ${r.settledAs}`),
      ];
      console.log(lines.join('\n'));
    });

    /** Drives one resident from attract; resolves 'killed' when the host died on the way. */
    async function drive(kiosk: KioskProcess, journey: Journey, onConfirm?: () => void): Promise<'finished' | 'killed'> {
      const step = async (screens: Parameters<KioskProcess['waitForScreen']>[0], allowFailed = false) => {
        const wanted = Array.isArray(screens) ? screens : [screens];
        const view = await kiosk.waitForScreen(allowFailed ? wanted : [...wanted, 'failed'], 60_000);
        if (view?.screen === 'failed' && !allowFailed) throw new Error(`the journey failed unexpectedly (${view.failure?.reason}):\n${kiosk.proc.tail()}`);
        return view;
      };
      await world.idReader.control('remove');
      trace(`place: ${await world.idReader.control('place')}`);
      kiosk.event('START');
      if (!(await step('verifying'))) return 'killed';
      kiosk.send({ type: 'event', event: { type: 'PHOTO', photo: TEST_FACE_PHOTO } });
      if (!(await step('confirm'))) return 'killed';
      kiosk.event('CONFIRM');
      onConfirm?.();
      if (!(await step('payment'))) return 'killed';
      kiosk.send({ type: 'sim', sim: { action: 'scanPaymentCode', code: journey === 'settled' ? 'paidAfterConfirming' : 'paid' } });
      if (journey === 'refunded') {
        // The failure screen shows while the refund is under way; the resident leaves once it is settled.
        if (!(await kiosk.waitForScreen('failed', 60_000, (v) => v.failure?.refund === 'refunded'))) return 'killed';
        kiosk.event('CANCEL');
        if (!(await step(['takeIdCard', 'attract'], true))) return 'killed';
      } else {
        if (!(await step('collect'))) return 'killed';
        if (journey === 'retained') {
          // Told the card is kept inside (and the number to claim it with), then the ID card back.
          if (!(await kiosk.waitForScreen('failed', 60_000, (v) => v.failure?.reason === 'cardNotCollected'))) return 'killed';
          kiosk.event('CANCEL');
          if (!(await step(['takeIdCard', 'attract'], true))) return 'killed';
        } else {
          await world.station.command('take');
          if (!(await step('receipt'))) return 'killed';
          if (!(await step('takeIdCard'))) return 'killed';
        }
      }
      await world.idReader.control('remove');
      if (!(await step('attract', journey === 'refunded'))) return 'killed';
      return 'finished';
    }

    /** The printer finishes what it was sent before the kiosk died; wait until it is quiet. */
    async function quietStation(): Promise<StationState> {
      const look = async () => {
        const { id: _id, ...state } = (await world.station.state()) as StationState & { id?: number };
        return state;
      };
      let last = JSON.stringify(await look());
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 400));
        await world.station.command('settle');
        const now = await look();
        const text = JSON.stringify(now);
        if (text === last) return now;
        last = text;
      }
    }

    /** Starts a host and waits until its recovery has settled what it could and residents may come. */
    async function startRecovered(killAt: string | null = null): Promise<KioskProcess> {
      const kiosk = await world.startKiosk({ killAt });
      hosts.add(kiosk);
      await kiosk.connect();
      // Out of service while recovering; anything else that keeps it out of service is a failure.
      const deadline = Date.now() + 60_000;
      let blockedSince: number | null = null;
      for (;;) {
        if (!kiosk.proc.running) throw new Error(`the host died while recovering:\n${kiosk.proc.tail()}`);
        const health = await kiosk.health();
        if (kiosk.view?.screen === 'attract' && !health.outOfService) {
          expect(health.recovery, 'recovery left nothing open').toBeUndefined();
          return kiosk;
        }
        if (health.outOfService && health.outOfService.reason !== 'recovering') blockedSince ??= Date.now();
        if ((blockedSince !== null && Date.now() - blockedSince > 5_000) || Date.now() > deadline) {
          throw new Error(`still out of service after recovery: ${JSON.stringify(health)}\n${kiosk.proc.tail()}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }

    /** Everything that must hold after a recovery; returns how the killed session was settled. */
    async function expectRecovered(before: StationState, killed: string[]): Promise<string> {
      const after = await world.station.state();
      expect(after.arrivals.exit, 'recovery ejected no card to the exit').toBe(before.arrivals.exit);
      expect(after.chipErrors).toEqual([]);
      // The card results and refunds recovery queued reach the centre through the outbox.
      const deadline = Date.now() + 30_000;
      while (pendingOutbox(world).length > 0) {
        if (Date.now() > deadline) throw new Error(`outbox not delivered: ${JSON.stringify(pendingOutbox(world))}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(integrity(world)).toBe('ok');
      expectStockAgrees(world, after);
      const sessions = kioskSessions(world);
      expectCentreHasNoDuplicates(world, sessions);
      expect(sessions.filter((s) => s.settledAt === null).map((s) => s.id), 'every session settled').toEqual([]);
      const outcomes = sessions.filter((s) => killed.includes(s.id)).map((s: KioskSession) => expectTransactionSafe(world, s));
      return outcomes.join(', ') || 'no session had started';
    }

    it('serves a whole journey on the real stack, and measures its production for the random kills', { timeout: 180_000 }, async () => {
      const kiosk = await startRecovered();
      let confirmedAt = 0;
      const collecting = (async () => {
        while (kiosk.view?.screen !== 'collect') await new Promise((resolve) => setTimeout(resolve, 10));
        return Date.now();
      })();
      expect(await drive(kiosk, 'issued', () => (confirmedAt = Date.now()))).toBe('finished');
      productionWindowMs = (await collecting) - confirmedAt;
      await kiosk.stop();
      const sessions = kioskSessions(world);
      expect(sessions).toHaveLength(1);
      expect(expectTransactionSafe(world, sessions[0]!)).toBe('completed (card issued)');
      expectStockAgrees(world, await world.station.state());
      expectCentreHasNoDuplicates(world, sessions);
    });

    for (const { step, journey } of RECORD_KILL_POINTS) {
      for (const kind of ['intent', 'outcome'] as const) {
        const point = `${step}:${kind}`;
        it(`is killed right after the ${point} record (${journey} journey) and recovers`, { timeout: 180_000 }, async () => {
          world.configure((c) => (c.timeouts.cardCollectSeconds = journey === 'retained' ? 2 : 120));
          await world.station.command('chipFault', { fault: journey === 'refunded' ? 'wrong-sw' : null });
          const known = new Set(kioskSessions(world).map((s) => s.id));
          const kiosk = await startRecovered(point);
          trace(`${point}: host ${kiosk.proc.pid} up`);
          const result = await drive(kiosk, journey).finally(() => trace(`${point}: journey over`));
          await kiosk.proc.exited;
          trace(`${point}: host exited (${result})`);
          expect(result, `the host reached ${point}`).toBe('killed');
          expect(kiosk.proc.output).toContain(`MASHANG_KILL_POINT ${point}:1`);
          await world.station.command('chipFault', { fault: null });
          const before = await quietStation();
          trace(`${point}: station quiet`);
          const killed = kioskSessions(world).filter((s) => !known.has(s.id)).map((s) => s.id);
          expect(killed).toHaveLength(1);

          trace(`${point}: killed session ${killed.join(', ')}; restarting`);
          const recovered = await startRecovered();
          trace(`${point}: recovered by host ${recovered.proc.pid}`);
          try {
            covered.push({ point, settledAs: await expectRecovered(before, killed) });
          } finally {
            await recovered.stop();
          }
        });
      }
    }

    it('covers every record a journey writes', () => {
      const steps = new Set(RECORD_KILL_POINTS.map((k) => k.step));
      expect([...JOURNAL_STEPS].filter((s) => !steps.has(s))).toEqual(NOT_A_KILL_POINT);
      expect(covered).toHaveLength(RECORD_KILL_POINTS.length * 2);
    });

    it('tells staff what needs a person: `mashang journal` and /healthz list the notices', { timeout: 60_000 }, async () => {
      const sessions = kioskSessions(world);
      const flagged = sessions.filter((s) => s.notices.length > 0);
      expect(flagged.length).toBeGreaterThan(0);
      const journal = new Proc('mashang journal', process.execPath, [MASHANG, 'journal', '--data', world.dataDir, '--json']);
      expect((await journal.exited).code).toBe(0);
      const report = JSON.parse(journal.output) as { staff: { kind: string; sessionId: string; message: string }[]; unsettled: unknown[] };
      expect(report.unsettled).toEqual([]);
      expect(report.staff.map((n) => n.sessionId).sort()).toEqual(flagged.flatMap((s) => s.notices.map(() => s.id)).sort());
      const retained = sessions.filter((s) => s.outcome === 'retained').map((s) => s.id);
      expect(report.staff.filter((n) => n.kind === 'cardRetained').map((n) => n.sessionId).sort()).toEqual(retained.sort());
      const text = new Proc('mashang journal', process.execPath, [MASHANG, 'journal', '--data', world.dataDir]);
      await text.exited;
      expect(text.output).toContain(`Needs staff: ${report.staff.length}`);
      expect(text.output).toMatch(/cardRetained .*\n +the card made for application A\d+ is in the reject bin, retained/);

      const kiosk = await startRecovered();
      try {
        expect((await kiosk.health()).staff).toMatchObject({ notices: report.staff.length, kinds: expect.arrayContaining(['cardRetained', 'leftWithoutCard']) });
      } finally {
        await kiosk.stop();
      }
    });

    for (let n = 1; n <= RANDOM_KILLS; n++) {
      it(`is killed at a random moment of production (${n}/${RANDOM_KILLS}) and recovers`, { timeout: 180_000 }, async () => {
        world.configure((c) => (c.timeouts.cardCollectSeconds = 120));
        await world.station.command('chipFault', { fault: 'slow', delayMs: 15 });
        const known = new Set(kioskSessions(world).map((s) => s.id));
        const kiosk = await startRecovered();
        const delayMs = Math.round(random() * productionWindowMs);
        let timer: NodeJS.Timeout | undefined;
        const result = await drive(kiosk, 'issued', () => {
          timer = setTimeout(() => void kiosk.proc.kill(), delayMs);
        });
        clearTimeout(timer);
        await kiosk.proc.kill();
        await world.station.command('chipFault', { fault: null });
        const before = await quietStation();
        const sessions = kioskSessions(world).filter((s) => !known.has(s.id));
        const killed = sessions.map((s) => s.id);
        // Where it died: the last record, an intent without outcome being inside that device operation.
        const last = sessions.at(-1)?.records.at(-1);
        const inside =
          result === 'finished' ? 'nothing (journey over)' : !last ? 'before any record' : last.kind === 'intent' ? `${last.step} (in progress)` : `between records, after ${last.step}`;
        const recovered = await startRecovered();
        try {
          randomCovered.push({ delayMs, inside, settledAs: await expectRecovered(before, killed) });
        } finally {
          await recovered.stop();
        }
      });
    }
  });
}
