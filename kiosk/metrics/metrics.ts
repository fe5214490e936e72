/**
 * Counters and gauges for fleet monitoring, in Prometheus' text format (GET /metrics).
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { DeviceStatus } from '../../drivers/common/device-status.ts';

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

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'mashang_process_' });
  }

  setDeviceStatus(device: string, status: DeviceStatus): void {
    for (const state of DEVICE_STATES) this.deviceStatus.set({ device, state }, status.state === state ? 1 : 0);
  }
}
