/**
 * The simulated ID card reader of the embedded default (`npm start` on any machine): the real
 * GA/T 467 simulator behind a memory cable, driven by the real driver — the same codec, timeouts
 * and retries as with hardware, only the wire is memory. Tests and the simulator panel place and
 * remove cards, inject faults (`simulator.setFault`) and unplug the cable (`line.unplug()`).
 *
 * It forgets the card the moment it is removed, so no resident outlives their session in the
 * simulator's memory either.
 */
import type { DeviceStatus } from '../common/device-status.ts';
import type { Result } from '../common/result.ts';
import { createMemoryLine, type MemoryLine } from '../serial/memory-line.ts';
import { ReconnectingLine, type DeviceLog } from '../serial/reconnecting-line.ts';
import type { UartOptions } from '../serial/sim-uart.ts';
import { Gat467Driver, type Gat467Timeouts } from './gat467-driver.ts';
import { Gat467IdCardReader, type IdReaderTiming } from './gat467-id-card-reader.ts';
import { GAT467_SIM_UART, Gat467Simulator } from './gat467-simulator.ts';
import { idNumberCheckDigit, type IdCardRecord } from './id-card-record.ts';
import type { IdCardReader, IdReadFailure } from './id-card-reader.ts';

export interface SimulatedIdCardReaderOptions {
  uart?: UartOptions;
  timing?: Partial<IdReaderTiming>;
  timeouts?: Partial<Gat467Timeouts>;
  log?: DeviceLog;
}

export class SimulatedIdCardReader implements IdCardReader {
  readonly kind = 'id-reader' as const;
  readonly transport = 'simulated';
  /** The device: place cards, inject faults. */
  readonly simulator: Gat467Simulator;
  /** The cable: `unplug()`, `replug()`. */
  readonly line: MemoryLine;
  readonly #reader: Gat467IdCardReader;

  constructor(options: SimulatedIdCardReaderOptions = {}) {
    const uart = options.uart ?? GAT467_SIM_UART;
    this.simulator = new Gat467Simulator(uart);
    this.line = createMemoryLine('id-reader');
    this.simulator.attach(this.line.device);
    const link = new ReconnectingLine(this.line.open, {
      name: 'id-reader',
      ...(options.log ? { log: options.log } : {}),
    });
    const driver = new Gat467Driver(link, {
      baudRate: uart.baudRate,
      ...(options.timeouts ? { timeouts: options.timeouts } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    this.#reader = new Gat467IdCardReader(driver, {
      transport: 'simulated',
      ...(options.timing ? { timing: options.timing } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    link.start();
  }

  status(): DeviceStatus {
    return this.#reader.status();
  }

  onStatus(listener: (status: DeviceStatus) => void): () => void {
    return this.#reader.onStatus(listener);
  }

  /** Whether a card lies on the simulated reader (what the simulator panel shows, at once). */
  cardPresent(): boolean {
    return this.simulator.cardPresent();
  }

  placeCard(card: IdCardRecord): void {
    this.simulator.placeCard(card);
  }

  removeCard(): void {
    this.simulator.removeCard();
  }

  readCard(signal: AbortSignal): Promise<Result<IdCardRecord, IdReadFailure>> {
    return this.#reader.readCard(signal);
  }

  waitForRemoval(signal: AbortSignal): Promise<void> {
    return this.#reader.waitForRemoval(signal);
  }

  readSamId(signal?: AbortSignal) {
    return this.#reader.readSamId(signal);
  }

  close(): Promise<void> {
    return this.#reader.close();
  }
}

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'];
const GIVEN = ['秀英', '桂兰', '建国', '玉兰', '志强', '淑珍', '海燕', '德明', '春花', '永福'];

/**
 * A fictional resident with a valid ID number (GB 11643 check digit) for the given district.
 * Names and numbers are made up; `random` is injectable so tests can make unique people.
 */
export function makeSimPerson(
  options: { name?: string; idNumber?: string; district?: string; random?: () => number } = {},
): IdCardRecord {
  const random = options.random ?? Math.random;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const district = options.district ?? '330106';
  const year = 1940 + Math.floor(random() * 60);
  const month = 1 + Math.floor(random() * 12);
  const day = 1 + Math.floor(random() * 28);
  const birthDate = `${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`;
  const sequence = String(Math.floor(random() * 1000)).padStart(3, '0');
  const first17 = `${district}${birthDate}${sequence}`;
  const idNumber = options.idNumber ?? first17 + idNumberCheckDigit(first17);
  const sexDigit = Number(idNumber[16]);
  return {
    name: options.name ?? pick(SURNAMES) + pick(GIVEN),
    sex: sexDigit % 2 === 1 ? '1' : '2',
    nation: '01',
    birthDate: idNumber.slice(6, 14),
    address: '浙江省杭州市西湖区马上村1号',
    idNumber,
    authority: '杭州市公安局西湖分局',
    validFrom: '20200101',
    validTo: year < 1980 ? null : '20400101',
  };
}
