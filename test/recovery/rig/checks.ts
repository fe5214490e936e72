/**
 * What must hold after every recovery in the fault-injection test, read from the kiosk's records,
 * the card centre's records and the printer simulator's own state — three places that do not
 * share a process.
 */
import { expect } from 'vitest';
import type { StationState } from './processes.ts';
import type { World } from './world.ts';

export interface KioskSession {
  id: string;
  applicationNo: string | null;
  settledAt: string | null;
  outcome: string | null;
  sealed: boolean;
  orders: string[];
  notices: string[];
  records: { step: string; key: string; kind: string; outcome: string | null }[];
}

export function kioskSessions(world: World): KioskSession[] {
  return world.kioskRecords((db) => {
    const sessions = db.prepare('SELECT id, application_no, settled_at, outcome FROM sessions ORDER BY opened_at, id').all() as {
      id: string;
      application_no: string | null;
      settled_at: string | null;
      outcome: string | null;
    }[];
    return sessions.map((s) => {
      const records = db.prepare('SELECT step, key, kind, outcome, detail FROM journal WHERE session_id = ? ORDER BY seq').all(s.id) as {
        step: string;
        key: string;
        kind: string;
        outcome: string | null;
        detail: string;
      }[];
      const orders = [
        ...new Set(
          records
            .filter((r) => r.kind === 'intent' && r.step === 'paymentStarted')
            .map((r) => (JSON.parse(r.detail) as { orderNo: string }).orderNo),
        ),
      ];
      const notices = (db.prepare('SELECT kind FROM staff_notices WHERE session_id = ? AND cleared_at IS NULL').all(s.id) as { kind: string }[]).map((n) => n.kind);
      return {
        id: s.id,
        applicationNo: s.application_no,
        settledAt: s.settled_at,
        outcome: s.outcome,
        sealed: db.prepare('SELECT 1 FROM session_sealed WHERE session_id = ?').get(s.id) !== undefined,
        orders,
        notices,
        records: records.map(({ detail: _d, ...r }) => r),
      };
    });
  });
}

export function integrity(world: World): string {
  return world.kioskRecords((db) => (db.pragma('integrity_check', { simple: true }) as string) ?? '');
}

/** The ledger's terms, as `mashang stock` computes them. */
export function ledger(world: World) {
  return world.kioskRecords((db) => {
    const sum = (kind: string) => (db.prepare('SELECT coalesce(sum(count), 0) AS n FROM stock_ledger WHERE kind = ?').get(kind) as { n: number }).n;
    const loaded = sum('load');
    const corrections = sum('correction');
    const fed = sum('fed');
    const issued = sum('issued');
    const rejected = sum('rejected');
    const retained = sum('retained');
    const unresolved = db
      .prepare(
        `SELECT d.seq, d.reason, d.detail FROM stock_ledger d WHERE d.kind = 'discrepancy'
           AND NOT EXISTS (SELECT 1 FROM stock_ledger r WHERE r.kind = 'resolved' AND r.refers_to = d.seq)`,
      )
      .all() as { seq: number; reason: string; detail: string }[];
    const last = db.prepare('SELECT printer FROM stock_ledger WHERE printer IS NOT NULL ORDER BY seq DESC LIMIT 1').get() as { printer: string } | undefined;
    return {
      loaded,
      corrections,
      fed,
      issued,
      rejected,
      retained,
      inHopper: loaded + corrections - fed,
      inProcess: fed - issued - rejected - retained,
      unresolved,
      printer: last ? (JSON.parse(last.printer) as { blanksInFeeder: number; cardsPrinted: number; cardsRejected: number }) : null,
    };
  });
}

/** Messages to the card centre still waiting (the audit head has no endpoint yet: left out). */
export function pendingOutbox(world: World): { key: string; kind: string; last_error: string | null }[] {
  return world.kioskRecords(
    (db) =>
      db.prepare("SELECT key, kind, last_error FROM outbox WHERE acked_at IS NULL AND superseded_at IS NULL AND kind <> 'auditHead'").all() as {
        key: string;
        kind: string;
        last_error: string | null;
      }[],
  );
}

/** Ledger against the printer's own counters, and every blank accounted for. */
export function expectStockAgrees(world: World, station: StationState): void {
  const l = ledger(world);
  const printer = station.state;
  expect(l.unresolved, 'no open stock discrepancy').toEqual([]);
  // loaded + corrections = issued + rejected + retained + in printer + in hopper, no term negative
  expect(l.inHopper).toBeGreaterThanOrEqual(0);
  expect(l.inProcess, 'no card of any session left inside the printer').toBe(0);
  expect(l.loaded + l.corrections).toBe(l.issued + l.rejected + l.retained + l.inProcess + l.inHopper);
  // …and it agrees with what the printer itself counted.
  expect(printer.position, 'the printer holds no card after recovery').toBe('none');
  expect(l.fed, 'every blank that left the hopper is in the ledger').toBe(printer.fed);
  expect(l.inHopper, 'the ledger hopper equals the printer feeder').toBe(printer.blanks);
  expect(l.rejected + l.retained, 'the bin holds what the ledger rejected or retained').toBe(printer.rejected);
  expect(l.issued, 'every other card went to a resident').toBe(printer.fed - printer.rejected);
  expect(l.printer, 'the last counters the ledger recorded are the printer’s now').toMatchObject({ cardsPrinted: printer.printed, cardsRejected: printer.rejected });
}

/** Nothing the centre did twice: loss reports, open applications, payments, card results. */
export function expectCentreHasNoDuplicates(world: World, sessions: KioskSession[]): void {
  world.centreRecords((db) => {
    expect(db.prepare('SELECT card_no, count(*) AS n FROM loss_reports GROUP BY card_no HAVING n > 1').all(), 'one loss report per card').toEqual([]);
    expect(
      db.prepare("SELECT person_key, count(*) AS n FROM applications WHERE status = 'open' GROUP BY person_key HAVING n > 1").all(),
      'one open application per resident',
    ).toEqual([]);
    expect(
      db.prepare("SELECT application_no, count(*) AS n FROM payments WHERE state = 'paid' AND application_no IS NOT NULL GROUP BY application_no HAVING n > 1").all(),
      'one fee paid per application',
    ).toEqual([]);
    expect(
      db.prepare('SELECT application_no, identification, outcome, count(*) AS n FROM chip_results GROUP BY 1, 2, 3 HAVING n > 1').all(),
      'one card result per card and outcome',
    ).toEqual([]);
    // Every application at the centre is one a kiosk session knows: none was opened twice under two keys.
    const known = new Set(sessions.map((s) => s.applicationNo).filter(Boolean));
    const atCentre = (db.prepare('SELECT application_no FROM applications').all() as { application_no: string }[]).map((a) => a.application_no);
    expect(atCentre.filter((a) => !known.has(a)), 'applications no kiosk session knows of').toEqual([]);
  });
}

export interface CentreView {
  application: { status: string; feeFen: number } | null;
  orders: { orderNo: string; state: string; amountFen: number; refundedFen: number }[];
  cardResults: { identification: string; outcome: string }[];
}

export function centreView(world: World, session: KioskSession): CentreView {
  return world.centreRecords((db) => {
    const application = session.applicationNo
      ? (db.prepare('SELECT status, fee_fen AS feeFen FROM applications WHERE application_no = ?').get(session.applicationNo) as { status: string; feeFen: number } | undefined)
      : undefined;
    const orders = session.orders.map(
      (orderNo) =>
        (db.prepare('SELECT order_no AS orderNo, state, amount_fen AS amountFen, refunded_fen AS refundedFen FROM payments WHERE order_no = ?').get(orderNo) as
          | CentreView['orders'][number]
          | undefined) ?? { orderNo, state: 'none', amountFen: 0, refundedFen: 0 },
    );
    const cardResults = session.applicationNo
      ? (db.prepare('SELECT identification, outcome FROM chip_results WHERE application_no = ?').all(session.applicationNo) as CentreView['cardResults'])
      : [];
    return { application: application ?? null, orders, cardResults };
  });
}

/**
 * The resident's transaction after recovery: completed (card issued, fee kept), or no card and no
 * money kept (refunds acknowledged by the centre), or — for a retained card — kept for them and
 * flagged for staff. A session that is not completed always carries a staff notice.
 */
export function expectTransactionSafe(world: World, session: KioskSession): string {
  expect(session.settledAt, `session ${session.id} settled`).not.toBeNull();
  expect(session.sealed, 'its sealed personal data deleted').toBe(false);
  const centre = centreView(world, session);
  const paid = centre.orders.filter((o) => o.state === 'paid');
  switch (session.outcome) {
    case 'issued':
      expect(centre.application?.status).toBe('issued');
      expect(centre.cardResults.map((r) => r.outcome)).toContain('issued');
      expect(paid.length, 'the fee paid once for the card').toBe(centre.application!.feeFen > 0 ? 1 : 0);
      return 'completed (card issued)';
    case 'retained':
      expect(centre.application?.status).toBe('retained');
      expect(centre.cardResults.map((r) => r.outcome)).toContain('retained');
      expect(paid.length, 'the fee stands for the card kept for them').toBe(centre.application!.feeFen > 0 ? 1 : 0);
      expect(session.notices, 'staff told to hand the retained card over').toContain('cardRetained');
      return 'card retained, flagged for staff';
    case 'notIssued': {
      expect(paid, 'no fee kept without a card').toEqual([]);
      for (const order of centre.orders) {
        expect(['reversed', 'declined', 'none']).toContain(order.state);
        // A fee that had been paid was refunded in full.
        if (order.state === 'reversed' && order.refundedFen > 0) expect(order.refundedFen).toBe(order.amountFen);
      }
      expect(centre.cardResults.map((r) => r.outcome).filter((o) => o !== 'spoiled'), 'no card reported made').toEqual([]);
      if (centre.application) expect(['open', 'cancelled']).toContain(centre.application.status);
      expect(session.notices, 'staff told the resident left without a card').toContain('leftWithoutCard');
      const refunded = centre.orders.some((o) => o.refundedFen > 0);
      return refunded ? 'no card, fee refunded (acknowledged by the centre), flagged for staff' : 'no card, nothing charged, flagged for staff';
    }
    default:
      throw new Error(`session ${session.id}: unexpected outcome ${session.outcome}`);
  }
}
