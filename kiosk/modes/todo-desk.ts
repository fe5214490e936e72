/**
 * What waits for a person, and a clerk handling it at the kiosk (the staff page "待处理事项"):
 *
 * - an unresolved stock discrepancy keeps the kiosk out of service for residents until staff say
 *   it is dealt with; the clerk picks why from a few preset reasons (no free typing on a
 *   touchscreen), and the reason goes to the ledger as the resolution's note. The stock is then
 *   checked against the printer again at once: a disagreement that is still there is written
 *   down again now, while the clerk is here — not found by the next resident's pre-flight, after
 *   they have shown their ID card and had their photo taken.
 * - a staff notice (a card retained for its resident, a refund pending…) is cleared, audited.
 *
 * Resolved and cleared are written with the clerk's staff id, ledger (or notice) and audit log in
 * one transaction. The list shows codes and the numbers a clerk matches a receipt with (application,
 * transaction, order), never a notice's free text or anything personal.
 */
import type { OperationResult, ResolveReason } from '../../flows/kiosk/types.ts';
import type { ModeView, TodoItem } from '../bridge/protocol.ts';
import type { Devices } from '../host/devices.ts';
import type { Logger } from '../log/logger.ts';
import { staffNoticeDesk } from '../store/staff-notices-desk.ts';
import type { StaffNotice } from '../store/staff-notices.ts';
import { staffStock, type StaffActor } from '../store/staff-stock.ts';
import { printerAnswers } from '../store/stock-check.ts';
import type { KioskStore } from '../store/store.ts';
import { checkAgain, operationFailure } from './stock-desk.ts';

/** Items on the page at once: a kiosk screen does not scroll; the next shows when one is handled. */
export const TODO_SHOWN = 4;

export type TodoView = NonNullable<ModeView['todo']>;

const text = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() !== '' ? value : null;

export class TodoDesk {
  readonly #store: KioskStore;
  readonly #devices: Devices;
  readonly #logger: Logger;

  constructor(deps: { store: KioskStore; devices: Devices; logger: Logger }) {
    this.#store = deps.store;
    this.#devices = deps.devices;
    this.#logger = deps.logger;
  }

  /** Discrepancies first (they keep residents away), then notices; each oldest first. */
  view(): TodoView {
    const store = this.#store;
    return store.snapshot(() => {
      const discrepancies = store.ledger.unresolved();
      const notices = store.notices.open();
      const items: TodoItem[] = [
        ...discrepancies.map((d): TodoItem => ({
          type: 'discrepancy',
          seq: d.seq,
          at: d.at,
          reason: d.reason,
        })),
        ...notices.slice(0, TODO_SHOWN).map((n) => this.#noticeItem(n)),
      ].slice(0, TODO_SHOWN);
      return { count: discrepancies.length + notices.length, items };
    });
  }

  /** The clerk says discrepancy `seq` is dealt with, for `reason`. */
  resolve(seq: number, reason: ResolveReason, actor: StaffActor): OperationResult {
    const store = this.#store;
    const printer = this.#devices.cardPrinter;
    if (!store.ledger.unresolved().some((d) => d.seq === seq))
      return { ok: false, code: 'alreadyHandled', params: {} };
    try {
      // The counters as the clerk found them become what the next check compares with.
      staffStock(store).resolve(
        seq,
        actor,
        reason,
        printerAnswers(printer) ? printer.counters() : undefined,
      );
    } catch (error) {
      return operationFailure(this.#logger, error, 'stock.resolve');
    }
    this.#logger.info(
      { event: 'stock.resolved', actor, discrepancy: seq, reason },
      'stock discrepancy resolved by staff',
    );
    const { again, left, inService } = checkAgain(store, printer, this.#logger, actor);
    if (again > 0) return { ok: false, code: 'discrepancyAgain', params: { left } };
    if (inService) return { ok: true, code: 'backInService', params: {} };
    return { ok: true, code: 'discrepancyResolved', params: { left } };
  }

  /** The clerk dealt with notice `id`. */
  clear(id: number, actor: StaffActor): OperationResult {
    let cleared: { kind: string } | null;
    try {
      cleared = staffNoticeDesk(this.#store).clear(id, actor);
    } catch (error) {
      return operationFailure(this.#logger, error, 'notice.clear');
    }
    if (!cleared) return { ok: false, code: 'alreadyHandled', params: {} };
    this.#logger.info(
      { event: 'notice.cleared', actor, notice: id, kind: cleared.kind },
      'staff notice cleared',
    );
    return { ok: true, code: 'noticeCleared', params: {} };
  }

  /** Only whitelisted numbers from the notice (its detail, else its session's), never its message. */
  #noticeItem(notice: StaffNotice): TodoItem {
    const session = notice.sessionId ? this.#store.journal.session(notice.sessionId) : null;
    return {
      type: 'notice',
      id: notice.id,
      at: notice.at,
      kind: notice.kind,
      applicationNo: text(notice.detail.applicationNo) ?? session?.applicationNo ?? null,
      transactionNo: text(notice.detail.transactionNo) ?? session?.transactionNo ?? null,
      orderNo: text(notice.detail.orderNo),
    };
  }
}
