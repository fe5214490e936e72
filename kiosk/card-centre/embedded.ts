/**
 * The embedded card centre: a real implementation of the CardCentre operations for development,
 * the embedded default and tests. It knows every fictional resident with a valid ID number (each
 * holds one normal card) unless told otherwise, and keeps its own records keyed by a salted hash
 * of the ID number — it never keeps a resident's ID number or name in memory after a call.
 */
import { createHash, randomBytes } from 'node:crypto';
import iconv from 'iconv-lite';
import { ok, err, type Result } from '../../drivers/common/result.ts';
import { hex, fromHex } from '../../drivers/chip-encoder/apdu.ts';
import { simulatedCryptogram } from '../../drivers/chip-encoder/sim-ssse-card.ts';
import { isValidIdNumber } from '../../drivers/id-reader/id-card-record.ts';
import {
  CARD_STATUS,
  type Application,
  type CardCentre,
  type CardCentreFailure,
  type CardStatusCode,
  type PersonCards,
  type PersonalisationPlan,
} from './card-centre.ts';

interface PersonState {
  cards: { cardNo: string; status: CardStatusCode }[];
  hasArchivedPhoto: boolean;
}

export interface EmbeddedCardCentreOptions {
  feeFen?: number;
  today?: () => Date;
}

export class EmbeddedCardCentre implements CardCentre {
  readonly #salt = randomBytes(16);
  readonly #people = new Map<string, PersonState>();
  /** Idempotency: the answer given to each key, returned again on a retry. */
  readonly #answers = new Map<string, unknown>();
  readonly #applications = new Map<string, { personKey: string; newCardNo: string }>();
  readonly #feeFen: number;
  readonly #today: () => Date;
  #sequence = 0;
  /** Counters a test or the technician can read; no personal data. */
  readonly stats = { lossReports: 0, applications: 0, cardsIssued: 0, cardsSpoiled: 0 };

  constructor(options: EmbeddedCardCentreOptions = {}) {
    this.#feeFen = options.feeFen ?? 0;
    this.#today = options.today ?? (() => new Date());
  }

  /** Seeds a person in a given state (tests: "no card on file", "already reported lost"). */
  seedPerson(idNumber: string, state: PersonState): void {
    this.#people.set(this.#key(idNumber), state);
  }

  async lookupPerson(idNumber: string): Promise<Result<PersonCards, CardCentreFailure>> {
    if (!isValidIdNumber(idNumber)) return err({ kind: 'rejected', code: 'INVALID_ID', message: 'invalid ID number' });
    const person = this.#person(idNumber);
    return ok({
      cards: person.cards.map((c) => ({ ...c })),
      hasArchivedPhoto: person.hasArchivedPhoto,
      reissueFeeFen: this.#feeFen,
      today: this.#today().toISOString().slice(0, 10).replaceAll('-', ''),
    });
  }

  async reportLoss(request: { key: string; idNumber: string; cardNo: string }) {
    return this.#once(request.key, (): Result<{ alreadyReported: boolean }, CardCentreFailure> => {
      const card = this.#person(request.idNumber).cards.find((c) => c.cardNo === request.cardNo);
      if (!card) return err({ kind: 'rejected', code: 'NO_SUCH_CARD', message: 'card not held by this person' });
      const alreadyReported = card.status === CARD_STATUS.reportedLost;
      card.status = CARD_STATUS.reportedLost;
      if (!alreadyReported) this.stats.lossReports++;
      return ok({ alreadyReported });
    });
  }

  async openApplication(request: { key: string; idNumber: string; reason: string }) {
    return this.#once(request.key, (): Result<Application, CardCentreFailure> => {
      const personKey = this.#key(request.idNumber);
      this.#person(request.idNumber);
      const applicationNo = `A${this.#today().getFullYear()}${String(++this.#sequence).padStart(8, '0')}`;
      const newCardNo = `B${randomBytes(4).readUInt32BE(0).toString().padStart(8, '0').slice(0, 8)}`;
      this.#applications.set(applicationNo, { personKey, newCardNo });
      this.stats.applications++;
      return ok({ applicationNo, feeFen: this.#feeFen, newCardNo });
    });
  }

  async personalisationPlan(request: {
    applicationNo: string;
    identification: string;
    challenge: string;
    holder: { idNumber: string; name: string };
  }): Promise<Result<PersonalisationPlan, CardCentreFailure>> {
    const application = this.#applications.get(request.applicationNo);
    if (!application) return err({ kind: 'rejected', code: 'NO_SUCH_APPLICATION', message: 'unknown application' });
    if (this.#key(request.holder.idNumber) !== application.personKey) {
      return err({ kind: 'rejected', code: 'HOLDER_MISMATCH', message: 'holder does not match the application' });
    }
    const cryptogram = simulatedCryptogram(fromHex(request.identification), fromHex(request.challenge));
    // EF06 records (PROTOCOLS.md §1): P2 = (SFI << 3) | 4 addresses a record by number.
    const ef06 = (record: number, tag: number, value: Uint8Array) => record_(record, (6 << 3) | 4, tag, value);
    const ef05 = (record: number, tag: number, value: Uint8Array) => record_(record, (5 << 3) | 4, tag, value);
    const name = new Uint8Array(30);
    name.set(iconv.encode(request.holder.name, 'gbk').subarray(0, 30));
    const today = this.#today().toISOString().slice(0, 10).replaceAll('-', '');
    const writes = [
      ef06(1, 0x08, new TextEncoder().encode(request.holder.idNumber)),
      ef06(2, 0x09, name),
      ef05(5, 0x05, fromHex(today)),
      ef05(7, 0x07, new TextEncoder().encode(application.newCardNo.padEnd(9, ' ').slice(0, 9))),
    ];
    return ok({
      steps: [
        { apdu: `00820000${hex(new Uint8Array([cryptogram.length]))}${hex(cryptogram)}`, expectSw: 0x9000 },
        ...writes.map((w) => ({ apdu: w.update, expectSw: 0x9000 })),
        ...writes.map((w) => ({ apdu: w.read, expectSw: 0x9000, expectData: w.tlv })),
      ],
    });
  }

  async reportCardIssued(request: { key: string; applicationNo: string; outcome: string }) {
    return this.#once(request.key, (): Result<void, CardCentreFailure> => {
      if (!this.#applications.has(request.applicationNo)) {
        return err({ kind: 'rejected', code: 'NO_SUCH_APPLICATION', message: 'unknown application' });
      }
      if (request.outcome === 'issued') this.stats.cardsIssued++;
      else this.stats.cardsSpoiled++;
      return ok(undefined);
    });
  }

  #key(idNumber: string): string {
    return createHash('sha256').update(this.#salt).update(idNumber).digest('hex');
  }

  #person(idNumber: string): PersonState {
    const key = this.#key(idNumber);
    let person = this.#people.get(key);
    if (!person) {
      const cardNo = `A${key.replace(/\D/g, '').padEnd(8, '0').slice(0, 8)}`;
      person = { cards: [{ cardNo, status: CARD_STATUS.normal }], hasArchivedPhoto: true };
      this.#people.set(key, person);
    }
    return person;
  }

  #once<T>(key: string, run: () => T): T {
    if (this.#answers.has(key)) return this.#answers.get(key) as T;
    const answer = run();
    this.#answers.set(key, answer);
    return answer;
  }
}

function record_(record: number, p2: number, tag: number, value: Uint8Array) {
  const tlv = new Uint8Array([tag, value.length, ...value]);
  const update = `00DC${hex(new Uint8Array([record, p2, tlv.length]))}${hex(tlv)}`;
  const read = `00B2${hex(new Uint8Array([record, p2, tlv.length]))}`;
  return { update, read, tlv: hex(tlv) };
}
