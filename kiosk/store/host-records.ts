/**
 * The records as the host runs them: opened with the data directory's lock at construction,
 * checked against the printer at start, the outbox sender and the audit-head schedule running
 * while the host runs, and everything closed (lock released) at stop.
 *
 * At start, in order:
 *  1. the lock (a second host is refused), a damaged records file refused untouched (the host
 *     then runs out of service on an empty stand-in: `quarantined`), and the schema (migrations);
 *  2. recovery (kiosk/recovery, run by the host before `start`) settles unfinished sessions;
 *  3. the stock check, after recovery settled what it could: development seeds or re-aligns the
 *     simulated printer; then the ledger is compared with the printer (counters, hopper-empty
 *     signal) and disagreements written down;
 *  4. sessions still unsettled are logged (staff have a notice for each);
 *  5. the audit chain's head is queued when it moved, then every AUDIT_HEAD_INTERVAL_MS;
 *  6. the outbox sender starts: every pending message, from this run or an earlier one, is sent.
 */
import type { CardPrinter } from '../../drivers/card-printer/card-printer.ts';
import type { CardCentre } from '../card-centre/card-centre.ts';
import type { Logger } from '../log/logger.ts';
import type { KioskMetrics } from '../metrics/metrics.ts';
import { systemClock, type KioskClock } from './clock.ts';
import { RecordsDamagedError } from './database.ts';
import type { KillSwitch } from './kill-point.ts';
import { OutboxSender, type BackoffPolicy, type Deliver } from './outbox.ts';
import { checkStockAtStart } from './stock-check.ts';
import { KioskStore, type ServiceBlock } from './store.ts';

/** How often the audit chain's head goes to the card centre (when it moved). */
export const AUDIT_HEAD_INTERVAL_MS = 15 * 60_000;
/** How often the host looks whether its service state changed (a full disk freed, a discrepancy resolved). */
const SERVICE_CHECK_INTERVAL_MS = 5_000;

/** Sends outbox messages to whatever card centre the host has; only `reportCardIssued` is needed. */
export function cardCentreDelivery(
  centre: Pick<CardCentre, 'reportCardIssued'> & Partial<Pick<CardCentre, 'reversePayment'>>,
): Deliver {
  return async (message, signal) => {
    switch (message.kind) {
      case 'cardResult': {
        const result = await centre.reportCardIssued({ key: message.key, ...message.payload }, signal);
        if (result.ok) return { outcome: 'ack' };
        const error = result.error;
        const why = error.kind === 'rejected' ? `rejected ${error.code}: ${error.message}` : `${error.kind}: ${JSON.stringify(error)}`;
        return { outcome: 'retry', error: why };
      }
      case 'paymentReversal': {
        // Acknowledged only when the centre says the order is reversed (refunded in full if it was paid).
        if (!centre.reversePayment) return { outcome: 'retry', error: 'this card centre cannot reverse payments' };
        const result = await centre.reversePayment(message.payload, signal);
        if (result.ok && result.value.state === 'reversed') return { outcome: 'ack' };
        const why = result.ok ? `order still ${result.value.state}` : result.error.kind;
        return { outcome: 'retry', error: why };
      }
      case 'auditHead':
        // The card centre has no endpoint for audit heads yet: the head stays pending (and visible)
        // until it has one, rather than being dropped.
        return { outcome: 'retry', error: 'the card centre has no endpoint for audit heads yet' };
    }
  };
}

export interface HostRecordsOptions {
  dataDir: string;
  journalKey: string;
  kioskId: string;
  logger: Logger;
  clock?: KioskClock;
  backoff?: BackoffPolicy;
  /** The fault-injection test's hook (kill-point.ts). */
  killSwitch?: KillSwitch | null;
}

export class HostRecords {
  readonly store: KioskStore;
  readonly #options: HostRecordsOptions;
  #sender: OutboxSender | null = null;
  #timers: NodeJS.Timeout[] = [];
  #lastBlock: string | null = null;

  private constructor(store: KioskStore, options: HostRecordsOptions) {
    this.store = store;
    this.#options = options;
  }

  /**
   * Takes the lock and opens the records; throws DataDirLockedError when another host holds them.
   * A damaged records file is left as it is and the records are a stand-in that keeps the kiosk
   * out of service (`damage` says why), so the host runs and tells staff instead of failing again
   * and again.
   */
  static open(options: HostRecordsOptions): HostRecords {
    const storeOptions = {
      dataDir: options.dataDir,
      journalKey: options.journalKey,
      clock: options.clock ?? systemClock,
      logger: options.logger,
      killSwitch: options.killSwitch ?? null,
    };
    try {
      return new HostRecords(KioskStore.open(storeOptions), options);
    } catch (error) {
      if (!(error instanceof RecordsDamagedError)) throw error;
      options.logger.fatal({ event: 'records.damaged', file: error.file, detail: error.detail }, error.message);
      return new HostRecords(KioskStore.quarantined(storeOptions, error), options);
    }
  }

  /** The damaged records file this host refused to open, if it did. */
  get damage(): RecordsDamagedError | null {
    return this.store.damage;
  }

  start(options: {
    printer: Pick<CardPrinter, 'counters' | 'status'>;
    simulatedDevelopmentPrinter: boolean;
    cardCentre: Pick<CardCentre, 'reportCardIssued'>;
    metrics: KioskMetrics;
    /** Called when the service state changes without a flow event (so the UI is told). */
    onServiceChange: () => void;
  }): void {
    const { store } = this;
    const { logger } = this.#options;
    if (!store.damage) {
      const stock = checkStockAtStart(store, options.printer, { simulatedDevelopmentPrinter: options.simulatedDevelopmentPrinter, logger });
      logger.info(
        { event: 'stock.at_start', inHopper: stock.balance.inHopper, inProcess: stock.balance.inProcess, discrepancies: stock.balance.unresolved.length },
        'card stock checked',
      );
    }
    const unsettled = store.unsettledSessions();
    if (unsettled.length > 0) {
      logger.warn({ event: 'journal.unsettled_at_start', sessions: unsettled.map((s) => s.id) }, `${unsettled.length} session(s) left unsettled by recovery, for staff`);
    }
    this.#queueAuditHead();

    this.#sender = new OutboxSender({
      queue: store.outboxQueue(),
      deliver: cardCentreDelivery(options.cardCentre),
      logger,
      clock: this.#options.clock ?? systemClock,
      ...(this.#options.backoff ? { backoff: this.#options.backoff } : {}),
    });
    const sender = this.#sender;
    store.onMessageQueued(() => sender.kick());
    sender.start();

    options.metrics.observeRecords(() => store.figures());
    this.#lastBlock = this.serviceBlock()?.reason ?? null;
    this.#every(AUDIT_HEAD_INTERVAL_MS, () => this.#queueAuditHead());
    this.#every(SERVICE_CHECK_INTERVAL_MS, () => {
      if (store.writeFailure) store.probeWrites();
      const block = this.serviceBlock()?.reason ?? null;
      if (block === this.#lastBlock) return;
      logger.warn({ event: 'service.changed', from: this.#lastBlock, to: block }, block ? 'out of service for residents' : 'back in service');
      this.#lastBlock = block;
      options.onServiceChange();
    });
  }

  /** Why residents cannot be served now: records that cannot be written, or the stock not adding up. */
  serviceBlock(): ServiceBlock | null {
    try {
      return this.store.serviceBlock();
    } catch (error) {
      return { reason: 'recordsUnavailable', message: `the kiosk's records cannot be read: ${(error as Error).message}` };
    }
  }

  async stop(): Promise<void> {
    await this.#sender?.stop();
    this.#sender = null;
    this.close();
  }

  /** Closes the records and releases the lock at once (a host that failed to start). */
  close(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    this.store.close();
  }

  #queueAuditHead(): void {
    try {
      if (this.store.queueAuditHead(this.#options.kioskId)) {
        this.#options.logger.info({ event: 'audit.head_queued', head: this.store.audit.head() }, 'audit head queued for the card centre');
      }
    } catch (error) {
      this.#options.logger.error({ event: 'audit.head_not_queued', err: (error as Error).message }, 'audit head not queued');
    }
  }

  #every(ms: number, fn: () => void): void {
    const timer = setInterval(fn, ms);
    timer.unref();
    this.#timers.push(timer);
  }
}
