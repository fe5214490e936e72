/**
 * A simulated ID card reader for development and the embedded default. It forgets the card the
 * moment it is removed, so no resident outlives their session in the simulator's memory either.
 */
import { EventEmitter } from 'node:events';
import { abortable, type DeviceStatus } from '../common/device-status.ts';
import { err, ok, type Result } from '../common/result.ts';
import { isValidIdNumber, idNumberCheckDigit, type IdCardRecord } from './id-card-record.ts';
import type { IdCardReader, IdReadFailure } from './id-card-reader.ts';

export class SimulatedIdCardReader implements IdCardReader {
  readonly kind = 'id-reader' as const;
  readonly transport = 'simulated';
  #card: IdCardRecord | null = null;
  readonly #events = new EventEmitter();

  status(): DeviceStatus {
    return { state: 'ready' };
  }

  cardPresent(): boolean {
    return this.#card !== null;
  }

  placeCard(card: IdCardRecord): void {
    this.#card = card;
    this.#events.emit('change');
  }

  removeCard(): void {
    this.#card = null;
    this.#events.emit('change');
  }

  readCard(signal: AbortSignal): Promise<Result<IdCardRecord, IdReadFailure>> {
    return abortable(signal, (resolve) => {
      const attempt = () => {
        const card = this.#card;
        if (!card) return false;
        resolve(
          isValidIdNumber(card.idNumber)
            ? ok({ ...card })
            : err({ kind: 'invalidData', detail: 'ID number fails its check digit' }),
        );
        return true;
      };
      if (attempt()) return () => {};
      const onChange = () => {
        if (attempt()) this.#events.off('change', onChange);
      };
      this.#events.on('change', onChange);
      return () => this.#events.off('change', onChange);
    });
  }

  waitForRemoval(signal: AbortSignal): Promise<void> {
    return abortable(signal, (resolve) => {
      if (!this.#card) {
        resolve();
        return () => {};
      }
      const onChange = () => {
        if (this.#card) return;
        this.#events.off('change', onChange);
        resolve();
      };
      this.#events.on('change', onChange);
      return () => this.#events.off('change', onChange);
    });
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
