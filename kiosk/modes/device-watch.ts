/**
 * Every device's state for the technician's screen, as it changes, and the last errors of each
 * with their times. Devices that tell their changes (the printers, the staff card reader) are
 * listened to; the others are looked at every POLL_MS — their status is a field in memory, so
 * looking costs nothing. `onChange` fires only when something a technician sees changed.
 */
import type { DeviceStatus } from '../../drivers/common/device-status.ts';
import type { DeviceKindId, ModeView } from '../bridge/protocol.ts';
import type { Devices } from '../host/devices.ts';

export const POLL_MS = 1_000;
/** Errors kept per device. */
export const ERRORS_KEPT = 5;

type DeviceView = NonNullable<ModeView['devices']>[number];

type AnyStatus = DeviceStatus | { state: 'ready'; warnings: readonly string[] };

interface Watched {
  kind: DeviceKindId;
  device: { transport: string; status(): AnyStatus };
  identity: () => Record<string, string> | null;
}

function describe(status: AnyStatus): {
  state: DeviceView['state'];
  detail: string | null;
  key: string;
} {
  switch (status.state) {
    case 'fault':
      return { state: 'fault', detail: status.code, key: `fault:${status.code}` };
    case 'ready': {
      const warnings = 'warnings' in status ? status.warnings : [];
      return warnings.length > 0
        ? { state: 'warning', detail: warnings.join(', '), key: `warning:${warnings.join(',')}` }
        : { state: 'ready', detail: null, key: 'ready' };
    }
    default:
      return { state: status.state, detail: null, key: status.state };
  }
}

const defined = (o: Record<string, string | null | undefined>): Record<string, string> | null => {
  const entries = Object.entries(o).filter(
    (e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '',
  );
  return entries.length > 0 ? Object.fromEntries(entries) : null;
};

export class DeviceWatch {
  readonly #watched: Watched[];
  readonly #last = new Map<DeviceKindId, string>();
  readonly #errors = new Map<DeviceKindId, { at: string; what: string }[]>();
  readonly #onChange: () => void;
  #timer: NodeJS.Timeout | null = null;
  readonly #unsubscribe: (() => void)[] = [];

  constructor(devices: Devices, onChange: () => void) {
    this.#onChange = onChange;
    const staff = devices.staffCard.reader;
    this.#watched = [
      { kind: 'id-reader', device: devices.idReader, identity: () => null },
      {
        kind: 'card-printer',
        device: devices.cardPrinter,
        identity: () => {
          const id = devices.cardPrinter.identity();
          return id
            ? defined({ model: id.model, serial: id.serialNumber, firmware: id.firmware })
            : null;
        },
      },
      { kind: 'chip-encoder', device: devices.chipEncoder, identity: () => null },
      {
        kind: 'receipt-printer',
        device: devices.receiptPrinter,
        identity: () => {
          const id = devices.receiptPrinter.identity();
          return id
            ? defined({
                model: [id.maker, id.model].filter(Boolean).join(' ') || null,
                serial: id.serialNumber,
                firmware: id.firmware,
              })
            : null;
        },
      },
      { kind: 'qr-scanner', device: devices.qrScanner, identity: () => null },
      {
        kind: 'staff-card-reader',
        device: staff,
        identity: () => {
          const status = staff.readerStatus();
          return 'reader' in status ? { reader: status.reader } : null;
        },
      },
    ];
    this.#unsubscribe.push(
      devices.cardPrinter.onStatus(() => this.check()),
      devices.receiptPrinter.onStatus(() => this.check()),
      staff.onStatus(() => this.check()),
    );
    for (const w of this.#watched) this.#last.set(w.kind, describe(w.device.status()).key);
  }

  start(): void {
    this.#timer = setInterval(() => this.check(), POLL_MS);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    for (const off of this.#unsubscribe.splice(0)) off();
  }

  /** Looks at every device; records a new fault or disconnection; tells when anything changed. */
  check(): void {
    let changed = false;
    for (const w of this.#watched) {
      const now = describe(w.device.status());
      if (this.#last.get(w.kind) === now.key) continue;
      this.#last.set(w.kind, now.key);
      changed = true;
      if (now.state === 'fault' || now.state === 'disconnected') {
        const errors = this.#errors.get(w.kind) ?? [];
        errors.unshift({ at: new Date().toISOString(), what: now.key });
        this.#errors.set(w.kind, errors.slice(0, ERRORS_KEPT));
      }
    }
    if (changed) this.#onChange();
  }

  view(): DeviceView[] {
    return this.#watched.map((w) => {
      const now = describe(w.device.status());
      return {
        kind: w.kind,
        transport: w.device.transport,
        state: now.state,
        detail: now.detail,
        identity: w.identity(),
        errors: this.#errors.get(w.kind) ?? [],
      };
    });
  }
}
