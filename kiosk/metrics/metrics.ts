/**
 * Counters and gauges for fleet monitoring, in Prometheus' text format (GET /metrics).
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { DeviceStatus } from '../../drivers/common/device-status.ts';
import type { RecordsFigures } from '../store/store.ts';

const DEVICE_STATES: DeviceStatus['state'][] = ['ready', 'busy', 'fault', 'disconnected'];

export class KioskMetrics {
  readonly registry = new Registry();
  readonly sessionsStarted = new Counter({
    name: 'mashang_sessions_started_total',
    help: 'Resident sessions started (the resident tapped a service on the attract screen).',
    registers: [this.registry],
  });
  readonly sessionsCompleted = new Counter({
    name: 'mashang_sessions_completed_total',
    help: 'Resident sessions that ended with a card taken by the resident.',
    registers: [this.registry],
  });
  readonly sessionsFailed = new Counter({
    name: 'mashang_sessions_failed_total',
    help: 'Resident sessions that ended on the failure screen, by reason.',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly deviceStatus = new Gauge({
    name: 'mashang_device_status',
    help: 'Device status: 1 for the state the device is in, 0 for the others.',
    labelNames: ['device', 'state'],
    registers: [this.registry],
  });

  /** Read at scrape time from the kiosk's records (kiosk/store). */
  #records: (() => RecordsFigures) | null = null;
  readonly outboxPending = new Gauge({
    name: 'mashang_outbox_pending',
    help: 'Messages to the card centre not yet acknowledged.',
    registers: [this.registry],
    collect: () => this.#collectRecords(),
  });
  readonly outboxOldestAge = new Gauge({
    name: 'mashang_outbox_oldest_age_seconds',
    help: 'Age of the oldest message to the card centre not yet acknowledged (0 when none).',
    registers: [this.registry],
  });
  readonly stockDiscrepancies = new Gauge({
    name: 'mashang_stock_discrepancies',
    help: 'Unresolved card-stock discrepancies; any takes the kiosk out of service for residents.',
    registers: [this.registry],
  });
  readonly stockBlanks = new Gauge({
    name: 'mashang_stock_blanks',
    help: 'Blank cards by the ledger: in the hopper, or inside the printer for a session.',
    labelNames: ['place'],
    registers: [this.registry],
  });
  readonly unsettledSessions = new Gauge({
    name: 'mashang_journal_unsettled_sessions',
    help: 'Resident sessions whose side effects are not all settled (recovery looks at these).',
    registers: [this.registry],
  });
  readonly recordsWritable = new Gauge({
    name: 'mashang_records_writable',
    help: "1 while the kiosk's records take writes; 0 after a failed write (disk full): out of service.",
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'mashang_process_' });
  }

  /** Where the records gauges read their figures from. */
  observeRecords(figures: () => RecordsFigures): void {
    this.#records = figures;
  }

  #collectRecords(): void {
    if (!this.#records) return;
    let figures: RecordsFigures;
    try {
      figures = this.#records();
    } catch {
      return; // the records are closed (host stopping): keep the last figures
    }
    this.outboxPending.set(figures.outbox.pending);
    this.outboxOldestAge.set(figures.outbox.oldestAgeSeconds);
    this.stockDiscrepancies.set(figures.discrepancies);
    this.stockBlanks.set({ place: 'hopper' }, figures.inHopper);
    this.stockBlanks.set({ place: 'printer' }, figures.inProcess);
    this.unsettledSessions.set(figures.unsettledSessions);
    this.recordsWritable.set(figures.writable ? 1 : 0);
  }

  setDeviceStatus(device: string, status: DeviceStatus): void {
    for (const state of DEVICE_STATES) this.deviceStatus.set({ device, state }, status.state === state ? 1 : 0);
  }
}
