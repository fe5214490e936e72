/**
 * The embedded card centre: a real implementation of the card-centre API (`api.ts`) for
 * development, the embedded default and tests, over its own SQLite records (`store.ts`).
 * `CardCentreServer` (server.ts) serves it over HTTP; tests may also call it directly, since it
 * implements the kiosk's `CardCentre` interface through the very same operations.
 *
 * It behaves like a province's system where the kiosk's correctness depends on it:
 * - idempotency keys are honoured: a repeat returns the first answer, even after a restart;
 * - a payment can stay `paying` while the (simulated) resident confirms on their phone;
 * - its HSM answers cryptograms that the simulated SSSE chip really checks (`simulatedCryptogram`);
 * - it knows the seeded residents (`seeds.ts`) and, unless told otherwise, anyone with a valid ID
 *   number (one normal card, a photo on file, their district's fee).
 *
 * It keys residents by a salted hash of the ID number and keeps no ID number or name, neither in
 * its records nor in memory after a call.
 */
import { createHmac } from 'node:crypto';
import { fromHex, hex } from '../../drivers/chip-encoder/apdu.ts';
import { encodeHolderName } from '../../drivers/chip-encoder/holder-name.ts';
import { simulatedCryptogram } from '../../drivers/chip-encoder/sim-ssse-card.ts';
import { err, ok, type Result } from '../../drivers/common/result.ts';
import { isValidIdNumber } from '../../drivers/id-reader/id-card-record.ts';
import {
  API_ERRORS,
  fieldPath,
  OPERATIONS,
  type ApiError,
  type ApiErrorCode,
  type OperationAnswer,
  type OperationId,
  type OperationRequest,
} from './api.ts';
import type {
  ArchivedPhoto,
  CardCentre,
  CardCentreFailure,
  Image,
  PersonalisationPlan,
  ReissueReason,
} from './card-centre.ts';
import { CARD_STATUS, REISSUE_REASON, type CardStatusCode } from './codes.ts';
import {
  archivePortraitPng,
  ARCHIVE_PHOTO_SIZE,
  imageMatchesType,
  MIN_FACE_PHOTO_BYTES,
} from './photo.ts';
import { DISTRICT_FEES_FEN, simulatedPaymentBehaviour } from './seeds.ts';
import { openCentreStore, personKey, type CentreDb } from './store.ts';

/** How long a "confirm on your phone" payment stays `paying` before it is paid (centre time). */
export const DEFAULT_USER_PAYING_MS = 8_000;
/** A payment never confirmed is closed by the provider after this long: declined, nothing charged. */
export const PAYING_EXPIRY_MS = 10 * 60_000;
/** China has one time zone and no daylight saving: UTC+8 all year. */
const CHINA_OFFSET_MS = 8 * 3_600_000;

export interface EmbeddedCardCentreOptions {
  /** One fee for every application (fen), instead of the district table (`DISTRICT_FEES_FEN`). */
  feeFen?: number;
  /** The centre's clock; tests move it. */
  now?: () => Date;
  /** The older name of `now`. */
  today?: () => Date;
  /** Where its records live (never the kiosk's data directory); absent or null: in memory. */
  dataDir?: string | null;
  /** How long a confirm-later payment stays `paying`, in centre time. */
  userPayingMs?: number;
  /** Whether an unknown valid ID number is a resident with one normal card (default) or PERSON_NOT_FOUND. */
  knowsEveryone?: boolean;
}

/** Who is calling, for idempotency (keys are each kiosk's own) and the records. */
export interface CallContext {
  kioskId: string;
  key?: string;
}

interface PersonRow {
  person_key: string;
  district: string;
  has_photo: number;
  face_matches: number;
}
interface ApplicationRow {
  seq: number;
  application_no: string;
  person_key: string;
  reason: ReissueReason;
  fee_fen: number;
  new_card_no: string;
  status: 'open' | 'issued' | 'retained' | 'cancelled';
}
interface PaymentRow {
  order_no: string;
  application_no: string | null;
  amount_fen: number;
  behaviour: string;
  state: 'paying' | 'paid' | 'declined' | 'reversed';
  decline_reason: string | null;
  created_ms: number;
  paid_at: string | null;
  reversed_at: string | null;
  refunded_fen: number;
  idempotency_key: string | null;
}

type Input<K extends OperationId> = { params: Record<string, string>; body: OperationRequest<K> };
type Answer<K extends OperationId> = Result<OperationAnswer<K>, ApiError>;
type Handlers = { [K in OperationId]: (input: Input<K>, ctx: CallContext) => Answer<K> };

const refuse = (
  code: ApiErrorCode,
  message: string = API_ERRORS[code].description,
): Result<never, ApiError> => err({ code, message });

export class EmbeddedCardCentre implements CardCentre {
  readonly #db: CentreDb;
  readonly #salt: Buffer;
  readonly #feeFen: number | undefined;
  readonly #clock: () => Date;
  readonly #userPayingMs: number;
  readonly #knowsEveryone: boolean;
  readonly #handlers: Handlers;

  constructor(options: EmbeddedCardCentreOptions = {}) {
    const store = openCentreStore(options.dataDir ?? null);
    this.#db = store.db;
    this.#salt = store.salt;
    this.#feeFen = options.feeFen;
    this.#clock = options.now ?? options.today ?? (() => new Date());
    this.#userPayingMs = options.userPayingMs ?? DEFAULT_USER_PAYING_MS;
    this.#knowsEveryone = options.knowsEveryone ?? true;
    this.#handlers = {
      lookupPerson: (input) => this.#lookupPerson(input),
      verifyFace: (input, ctx) => this.#verifyFace(input, ctx),
      archivedPhoto: (input) => this.#archivedPhoto(input),
      reportLoss: (input, ctx) => this.#reportLoss(input, ctx),
      openApplication: (input, ctx) => this.#openApplication(input, ctx),
      applicationStatus: (input) => this.#applicationStatusOf(input.params.applicationNo!),
      personalisationPlan: (input) => this.#personalisationPlan(input),
      reportCardResult: (input, ctx) => this.#reportCardResult(input, ctx),
      pay: (input, ctx) => this.#pay(input, ctx),
      queryPayment: (input) => this.#queryPayment(input.params.orderNo!),
      reversePayment: (input) => this.#reversePayment(input.params.orderNo!),
      centreTime: () =>
        ok({
          now: chinaDateTime(this.now().getTime()),
          today: chinaYmd(this.now().getTime()),
          timeZone: 'Asia/Shanghai' as const,
        }),
      staffRevocations: () => this.#staffRevocations(),
    };
  }

  /** The centre's clock. */
  now(): Date {
    return this.#clock();
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  /**
   * Runs one operation as the HTTP server receives it: the request checked against its schema,
   * a keyed operation answered once per key (a repeat gets the first answer; the same key for
   * another request is refused), everything in one transaction.
   */
  serve<K extends OperationId>(
    id: K,
    raw: { params: Record<string, string>; body: unknown },
    ctx: CallContext,
  ): Answer<K> {
    const spec = OPERATIONS[id];
    for (const [name, schema] of Object.entries(spec.params)) {
      const checked = schema.safeParse(raw.params[name]);
      if (!checked.success)
        return err({
          code: 'INVALID_REQUEST',
          message: checked.error.issues[0]!.message,
          field: name,
        });
    }
    let body: unknown = undefined;
    if (spec.request) {
      const checked = spec.request.safeParse(raw.body);
      if (!checked.success) {
        const issue = checked.error.issues[0]!;
        return err({
          code: 'INVALID_REQUEST',
          message: issue.message,
          field: fieldPath(issue.path),
        });
      }
      body = checked.data;
    }
    if (spec.keyed && !ctx.key) return refuse('MISSING_IDEMPOTENCY_KEY');
    const handler = this.#handlers[id] as (input: Input<K>, ctx: CallContext) => Answer<K>;
    const input = { params: raw.params, body: body as OperationRequest<K> };
    return this.#db
      .transaction((): Answer<K> => {
        if (!spec.keyed) return handler(input, ctx);
        return this.#once(id, ctx.kioskId, ctx.key!, this.#fingerprint(id, input), () =>
          handler(input, ctx),
        );
      })
      .immediate();
  }

  // --- the kiosk's CardCentre interface, through the same operations --------------------------

  async lookupPerson(idNumber: string, _signal?: AbortSignal) {
    return direct(this.serve('lookupPerson', { params: {}, body: { idNumber } }, { kioskId: '' }));
  }

  async verifyFace(
    request: { key: string; idNumber: string; photo: Image },
    _signal?: AbortSignal,
  ) {
    const body = {
      idNumber: request.idNumber,
      photo: {
        mediaType: request.photo.mediaType,
        data: Buffer.from(request.photo.data).toString('base64'),
      },
    };
    return direct(
      this.serve('verifyFace', { params: {}, body }, { kioskId: '', key: request.key }),
    );
  }

  async archivedPhoto(
    idNumber: string,
    _signal?: AbortSignal,
  ): Promise<Result<ArchivedPhoto, CardCentreFailure>> {
    const answer = direct(
      this.serve('archivedPhoto', { params: {}, body: { idNumber } }, { kioskId: '' }),
    );
    if (!answer.ok) return answer;
    return ok({ ...answer.value, data: new Uint8Array(Buffer.from(answer.value.data, 'base64')) });
  }

  async reportLoss(
    request: { key: string; idNumber: string; cardNo: string },
    _signal?: AbortSignal,
  ) {
    const body = { idNumber: request.idNumber, cardNo: request.cardNo };
    return direct(
      this.serve('reportLoss', { params: {}, body }, { kioskId: '', key: request.key }),
    );
  }

  async openApplication(
    request: { key: string; idNumber: string; reason: ReissueReason },
    _signal?: AbortSignal,
  ) {
    const body = { idNumber: request.idNumber, reason: request.reason };
    return direct(
      this.serve('openApplication', { params: {}, body }, { kioskId: '', key: request.key }),
    );
  }

  async applicationStatus(applicationNo: string, _signal?: AbortSignal) {
    return direct(
      this.serve(
        'applicationStatus',
        { params: { applicationNo }, body: undefined },
        { kioskId: '' },
      ),
    );
  }

  async personalisationPlan(
    request: {
      applicationNo: string;
      identification: string;
      challenge: string;
      atr?: string;
      holder: { idNumber: string; name: string };
    },
    _signal?: AbortSignal,
  ): Promise<Result<PersonalisationPlan, CardCentreFailure>> {
    const { applicationNo, ...rest } = request;
    const body = {
      identification: rest.identification,
      challenge: rest.challenge,
      atr: rest.atr,
      holder: { idNumber: rest.holder.idNumber, name: rest.holder.name },
    };
    return direct(
      this.serve('personalisationPlan', { params: { applicationNo }, body }, { kioskId: '' }),
    );
  }

  async reportCardIssued(
    request: {
      key: string;
      applicationNo: string;
      identification: string;
      outcome: 'issued' | 'spoiled' | 'retained';
      cardNo?: string;
    },
    _signal?: AbortSignal,
  ): Promise<Result<void, CardCentreFailure>> {
    const body = {
      identification: request.identification,
      outcome: request.outcome,
      cardNo: request.cardNo,
    };
    const answer = direct(
      this.serve(
        'reportCardResult',
        { params: { applicationNo: request.applicationNo }, body },
        { kioskId: '', key: request.key },
      ),
    );
    return answer.ok ? ok(undefined) : answer;
  }

  async pay(
    request: { orderNo: string; applicationNo: string; amountFen: number; paymentCode: string },
    _signal?: AbortSignal,
  ) {
    return direct(
      this.serve(
        'pay',
        { params: {}, body: { ...request } },
        { kioskId: '', key: `pay:${request.orderNo}` },
      ),
    );
  }

  async queryPayment(orderNo: string, _signal?: AbortSignal) {
    return direct(
      this.serve('queryPayment', { params: { orderNo }, body: undefined }, { kioskId: '' }),
    );
  }

  async reversePayment(
    request: { orderNo: string; reason: 'unknownOutcome' | 'cancelled' | 'productionFailed' },
    _signal?: AbortSignal,
  ) {
    return direct(
      this.serve(
        'reversePayment',
        { params: { orderNo: request.orderNo }, body: { reason: request.reason } },
        { kioskId: '', key: `reverse:${request.orderNo}` },
      ),
    );
  }

  async centreTime(_signal?: AbortSignal) {
    return direct(this.serve('centreTime', { params: {}, body: undefined }, { kioskId: '' }));
  }

  async staffRevocations(_signal?: AbortSignal) {
    return direct(this.serve('staffRevocations', { params: {}, body: undefined }, { kioskId: '' }));
  }

  // --- for tests and the technician: counts and records without personal data ------------------

  /** Seeds a person in a given state (tests: "no card on file", "already reported lost"). */
  seedPerson(
    idNumber: string,
    state: {
      cards: { cardNo: string; status: CardStatusCode }[];
      hasArchivedPhoto: boolean;
      faceMatches?: boolean;
    },
  ): void {
    const key = personKey(this.#salt, idNumber);
    this.#db
      .transaction(() => {
        this.#db
          .prepare(
            `INSERT INTO persons (person_key, district, has_photo, face_matches) VALUES (?, ?, ?, ?)
             ON CONFLICT (person_key) DO UPDATE SET has_photo = excluded.has_photo, face_matches = excluded.face_matches`,
          )
          .run(
            key,
            idNumber.slice(0, 6),
            state.hasArchivedPhoto ? 1 : 0,
            state.faceMatches === false ? 0 : 1,
          );
        const keep = new Set(state.cards.map((c) => c.cardNo));
        for (const card of this.#db
          .prepare('SELECT card_no FROM cards WHERE person_key = ?')
          .all(key) as { card_no: string }[]) {
          if (!keep.has(card.card_no))
            this.#db.prepare('DELETE FROM cards WHERE card_no = ?').run(card.card_no);
        }
        for (const card of state.cards) {
          this.#db
            .prepare(
              `INSERT INTO cards (card_no, person_key, status, identification, seq) VALUES (?, ?, ?, NULL, ?)
               ON CONFLICT (card_no) DO UPDATE SET person_key = excluded.person_key, status = excluded.status`,
            )
            .run(card.cardNo, key, card.status, this.#nextCardSeq());
        }
      })
      .immediate();
  }

  /** Counters a test or the technician can read; no personal data. */
  get stats() {
    const count = (sql: string) => (this.#db.prepare(sql).get() as { n: number }).n;
    return {
      lossReports: count('SELECT COUNT(*) AS n FROM loss_reports'),
      applications: count('SELECT COUNT(*) AS n FROM applications'),
      cardsIssued: count(`SELECT COUNT(*) AS n FROM chip_results WHERE outcome = 'issued'`),
      cardsSpoiled: count(`SELECT COUNT(*) AS n FROM chip_results WHERE outcome = 'spoiled'`),
      cardsRetained: count(`SELECT COUNT(*) AS n FROM chip_results WHERE outcome = 'retained'`),
      payments: count('SELECT COUNT(*) AS n FROM payments WHERE application_no IS NOT NULL'),
      faceChecks: count('SELECT COUNT(*) AS n FROM face_checks'),
    };
  }

  /** The records as a test checks them ("one loss report per logical request"): no personal data. */
  records() {
    return {
      lossReports: this.#db
        .prepare('SELECT card_no AS cardNo, kiosk_id AS kioskId FROM loss_reports ORDER BY id')
        .all() as { cardNo: string; kioskId: string }[],
      applications: this.#db
        .prepare(
          'SELECT application_no AS applicationNo, status, kiosk_id AS kioskId FROM applications ORDER BY seq',
        )
        .all() as { applicationNo: string; status: string; kioskId: string }[],
      payments: this.#db
        .prepare(
          'SELECT order_no AS orderNo, application_no AS applicationNo, state, amount_fen AS amountFen, refunded_fen AS refundedFen FROM payments ORDER BY created_ms, order_no',
        )
        .all() as {
        orderNo: string;
        applicationNo: string | null;
        state: string;
        amountFen: number;
        refundedFen: number;
      }[],
      cardResults: this.#db
        .prepare(
          'SELECT application_no AS applicationNo, identification, outcome FROM chip_results ORDER BY id',
        )
        .all() as { applicationNo: string; identification: string; outcome: string }[],
    };
  }

  // --- operations ------------------------------------------------------------------------------

  #lookupPerson({ body }: Input<'lookupPerson'>): Answer<'lookupPerson'> {
    const person = this.#person(body.idNumber);
    if (!person.ok) return person;
    const cards = this.#db
      .prepare('SELECT card_no AS cardNo, status FROM cards WHERE person_key = ? ORDER BY seq DESC')
      .all(person.value.person_key) as { cardNo: string; status: CardStatusCode }[];
    return ok({
      cards,
      hasArchivedPhoto: person.value.has_photo === 1,
      reissueFeeFen: this.#feeFor(person.value),
      today: chinaYmd(this.now().getTime()),
    });
  }

  #verifyFace({ body }: Input<'verifyFace'>, ctx: CallContext): Answer<'verifyFace'> {
    const person = this.#person(body.idNumber);
    if (!person.ok) return person;
    const photo = Buffer.from(body.photo.data, 'base64');
    const verdict: OperationAnswer<'verifyFace'> = !imageMatchesType(photo, body.photo.mediaType)
      ? { result: 'retry', reason: 'poorQuality' }
      : photo.length < MIN_FACE_PHOTO_BYTES
        ? { result: 'retry', reason: 'noFace' }
        : person.value.face_matches === 1
          ? { result: 'match', score: 0.93 }
          : { result: 'noMatch', score: 0.18 };
    this.#db
      .prepare(
        'INSERT INTO face_checks (person_key, result, kiosk_id, checked_at) VALUES (?, ?, ?, ?)',
      )
      .run(person.value.person_key, verdict.result, ctx.kioskId, this.#stamp());
    return ok(verdict);
  }

  #archivedPhoto({ body }: Input<'archivedPhoto'>): Answer<'archivedPhoto'> {
    const person = this.#person(body.idNumber);
    if (!person.ok) return person;
    if (person.value.has_photo !== 1) return refuse('NO_ARCHIVED_PHOTO');
    const png = archivePortraitPng(person.value.person_key);
    return ok({
      mediaType: 'image/png',
      ...ARCHIVE_PHOTO_SIZE,
      data: Buffer.from(png).toString('base64'),
    });
  }

  #reportLoss({ body }: Input<'reportLoss'>, ctx: CallContext): Answer<'reportLoss'> {
    const person = this.#person(body.idNumber);
    if (!person.ok) return person;
    const card = this.#db
      .prepare('SELECT status FROM cards WHERE card_no = ? AND person_key = ?')
      .get(body.cardNo, person.value.person_key) as { status: CardStatusCode } | undefined;
    if (!card) return refuse('NO_SUCH_CARD');
    if (card.status === CARD_STATUS.reportedLost) return ok({ alreadyReported: true });
    if (card.status !== CARD_STATUS.normal && card.status !== CARD_STATUS.temporarilyLost)
      return refuse('CARD_NOT_ACTIVE');
    this.#db
      .prepare('UPDATE cards SET status = ? WHERE card_no = ?')
      .run(CARD_STATUS.reportedLost, body.cardNo);
    this.#db
      .prepare('INSERT INTO loss_reports (card_no, kiosk_id, reported_at) VALUES (?, ?, ?)')
      .run(body.cardNo, ctx.kioskId, this.#stamp());
    return ok({ alreadyReported: false });
  }

  #openApplication(
    { body }: Input<'openApplication'>,
    ctx: CallContext,
  ): Answer<'openApplication'> {
    const person = this.#person(body.idNumber);
    if (!person.ok) return person;
    const key = person.value.person_key;
    const open = this.#db
      .prepare(
        `SELECT * FROM applications WHERE person_key = ? AND status = 'open' ORDER BY seq DESC`,
      )
      .get(key) as ApplicationRow | undefined;
    if (open)
      return ok({
        applicationNo: open.application_no,
        feeFen: open.fee_fen,
        newCardNo: open.new_card_no,
      });
    const statuses = (
      this.#db.prepare('SELECT status FROM cards WHERE person_key = ?').all(key) as {
        status: CardStatusCode;
      }[]
    ).map((c) => c.status);
    if (body.reason === REISSUE_REASON.lost && !statuses.includes(CARD_STATUS.reportedLost)) {
      const active = statuses.some(
        (s) => s === CARD_STATUS.normal || s === CARD_STATUS.temporarilyLost,
      );
      return refuse(active ? 'LOSS_NOT_REPORTED' : 'NO_CARD_HELD');
    }
    if (body.reason === REISSUE_REASON.damaged && !statuses.includes(CARD_STATUS.normal))
      return refuse('NO_CARD_HELD');
    const feeFen = this.#feeFor(person.value);
    const inserted = this.#db
      .prepare(
        `INSERT INTO applications (application_no, person_key, reason, fee_fen, new_card_no, status, kiosk_id, opened_at)
         VALUES (?, ?, ?, ?, '', 'open', ?, ?)`,
      )
      .run(
        `pending-${ctx.kioskId}-${ctx.key}`,
        key,
        body.reason,
        feeFen,
        ctx.kioskId,
        this.#stamp(),
      );
    const seq = Number(inserted.lastInsertRowid);
    const applicationNo = `A${chinaYmd(this.now().getTime()).slice(0, 4)}${String(seq).padStart(8, '0')}`;
    const newCardNo = `B${String(seq).padStart(8, '0')}`;
    this.#db
      .prepare('UPDATE applications SET application_no = ?, new_card_no = ? WHERE seq = ?')
      .run(applicationNo, newCardNo, seq);
    return ok({ applicationNo, feeFen, newCardNo });
  }

  #applicationStatusOf(applicationNo: string): Answer<'applicationStatus'> {
    const app = this.#application(applicationNo);
    if (!app) return refuse('NO_SUCH_APPLICATION');
    return ok(this.#statusOf(app));
  }

  #personalisationPlan({
    params,
    body,
  }: Input<'personalisationPlan'>): Answer<'personalisationPlan'> {
    const app = this.#application(params.applicationNo!);
    if (!app) return refuse('NO_SUCH_APPLICATION');
    const status = this.#statusOf(app).status;
    if (status !== 'ready' && status !== 'awaitingPayment') return refuse('APPLICATION_CLOSED');
    if (
      !isValidIdNumber(body.holder.idNumber) ||
      personKey(this.#salt, body.holder.idNumber) !== app.person_key
    ) {
      return refuse('HOLDER_MISMATCH');
    }
    if (status === 'awaitingPayment') return refuse('PAYMENT_REQUIRED');
    // The name field (GBK) and, for a character outside GBK, the name extension (GB 18030):
    // drivers/chip-encoder/holder-name.ts. Refused only when the name fits neither.
    const holderName = encodeHolderName(body.holder.name);
    if (!holderName.ok) return refuse('NAME_NOT_ENCODABLE');

    // The HSM's part: the external-authentication cryptogram for this chip and challenge.
    const cryptogram = simulatedCryptogram(fromHex(body.identification), fromHex(body.challenge));
    // EF06 and EF05 records (PROTOCOLS.md §1): P2 = (SFI << 3) | 4 addresses a record by number.
    const ef06 = (record: number, tag: number, value: Uint8Array) =>
      recordApdus(record, (6 << 3) | 4, tag, value);
    const ef05 = (record: number, tag: number, value: Uint8Array) =>
      recordApdus(record, (5 << 3) | 4, tag, value);
    const { name, extension } = holderName.value;
    const writes = [
      ef06(1, 0x08, new TextEncoder().encode(body.holder.idNumber)),
      ef06(2, 0x09, name),
      // Record 3 only for a name with a character outside GBK: any other card stays as before.
      ...(extension ? [ef06(3, 0x4e, extension)] : []),
      ef05(5, 0x05, fromHex(chinaYmd(this.now().getTime()))),
      ef05(7, 0x07, new TextEncoder().encode(app.new_card_no.padEnd(9, ' ').slice(0, 9))),
    ];
    return ok({
      steps: [
        {
          apdu: `00820000${hex(new Uint8Array([cryptogram.length]))}${hex(cryptogram)}`,
          expectSw: 0x9000,
        },
        ...writes.map((w) => ({ apdu: w.update, expectSw: 0x9000 })),
        ...writes.map((w) => ({ apdu: w.read, expectSw: 0x9000, expectData: w.tlv })),
      ],
    });
  }

  #reportCardResult(
    { params, body }: Input<'reportCardResult'>,
    ctx: CallContext,
  ): Answer<'reportCardResult'> {
    const app = this.#application(params.applicationNo!);
    if (!app) return refuse('NO_SUCH_APPLICATION');
    const identification = body.identification.toUpperCase();
    const made = this.#db
      .prepare('SELECT identification, status FROM cards WHERE card_no = ?')
      .get(app.new_card_no) as
      { identification: string | null; status: CardStatusCode } | undefined;
    const madeChip = made && made.status !== CARD_STATUS.cancelled ? made.identification : null;
    if (body.outcome === 'spoiled') {
      if (madeChip === identification) {
        this.#db
          .prepare('UPDATE cards SET status = ? WHERE card_no = ?')
          .run(CARD_STATUS.cancelled, app.new_card_no);
        this.#db.prepare(`UPDATE applications SET status = 'open' WHERE seq = ?`).run(app.seq);
      }
    } else {
      if (app.status === 'cancelled') return refuse('APPLICATION_CLOSED');
      if (madeChip !== null && madeChip !== identification) return refuse('ALREADY_ISSUED');
      if (madeChip === null) {
        // The new card is the person's card from now on; the card it replaces is cancelled.
        const replaced =
          app.reason === REISSUE_REASON.lost ? CARD_STATUS.reportedLost : CARD_STATUS.normal;
        this.#db
          .prepare('UPDATE cards SET status = ? WHERE person_key = ? AND status = ?')
          .run(CARD_STATUS.cancelled, app.person_key, replaced);
        this.#db
          .prepare(
            `INSERT INTO cards (card_no, person_key, status, identification, seq) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (card_no) DO UPDATE SET status = excluded.status, identification = excluded.identification, seq = excluded.seq`,
          )
          .run(
            app.new_card_no,
            app.person_key,
            CARD_STATUS.normal,
            identification,
            this.#nextCardSeq(),
          );
      }
      this.#db
        .prepare('UPDATE applications SET status = ? WHERE seq = ?')
        .run(body.outcome, app.seq);
    }
    this.#db
      .prepare(
        'INSERT INTO chip_results (application_no, identification, outcome, card_no, kiosk_id, reported_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        app.application_no,
        identification,
        body.outcome,
        body.cardNo ?? null,
        ctx.kioskId,
        this.#stamp(),
      );
    return ok({
      recorded: true as const,
      applicationStatus: this.#statusOf(this.#application(app.application_no)!).status,
    });
  }

  #pay({ body }: Input<'pay'>, ctx: CallContext): Answer<'pay'> {
    const existing = this.#payment(body.orderNo);
    // An order reversed before its payment request arrived is never charged.
    if (existing?.idempotency_key === null) return ok(paymentView(existing));
    if (existing) return refuse('DUPLICATE_ORDER');
    const app = this.#application(body.applicationNo);
    if (!app) return refuse('NO_SUCH_APPLICATION');
    const status = this.#statusOf(app);
    if (status.status !== 'ready' && status.status !== 'awaitingPayment')
      return refuse('APPLICATION_CLOSED');
    const due = status.feeFen - status.paidFen;
    if (due <= 0)
      return refuse(
        'NO_FEE_DUE',
        status.feeFen === 0 ? 'the application costs nothing' : 'the fee is already paid',
      );
    if (body.amountFen !== due) return refuse('AMOUNT_MISMATCH', `the amount due is ${due} fen`);
    const paying = this.#db
      .prepare(`SELECT order_no FROM payments WHERE application_no = ? AND state = 'paying'`)
      .all(app.application_no) as { order_no: string }[];
    if (paying.some((p) => this.#refreshPayment(this.#payment(p.order_no)!).state === 'paying'))
      return refuse('PAYMENT_IN_PROGRESS');

    // The payment code goes to the (simulated) provider and is never stored.
    const behaviour = simulatedPaymentBehaviour(body.paymentCode);
    const now = this.now().getTime();
    const row: PaymentRow = {
      order_no: body.orderNo,
      application_no: app.application_no,
      amount_fen: body.amountFen,
      behaviour,
      state:
        behaviour === 'paid'
          ? 'paid'
          : behaviour === 'confirmLater' || behaviour === 'never'
            ? 'paying'
            : 'declined',
      decline_reason:
        behaviour === 'insufficientFunds'
          ? 'insufficientFunds'
          : behaviour === 'invalidCode'
            ? 'invalidCode'
            : null,
      created_ms: now,
      paid_at: behaviour === 'paid' ? chinaDateTime(now) : null,
      reversed_at: null,
      refunded_fen: 0,
      idempotency_key: ctx.key ?? null,
    };
    this.#db
      .prepare(
        `INSERT INTO payments (order_no, application_no, amount_fen, behaviour, state, decline_reason, created_ms, paid_at, reversed_at, refunded_fen, kiosk_id, idempotency_key)
         VALUES (@order_no, @application_no, @amount_fen, @behaviour, @state, @decline_reason, @created_ms, @paid_at, @reversed_at, @refunded_fen, @kiosk_id, @idempotency_key)`,
      )
      .run({ ...row, kiosk_id: ctx.kioskId });
    return ok(paymentView(row));
  }

  #queryPayment(orderNo: string): Answer<'queryPayment'> {
    const row = this.#payment(orderNo);
    if (!row) return refuse('NO_SUCH_ORDER');
    return ok(paymentView(this.#refreshPayment(row)));
  }

  #reversePayment(orderNo: string): Answer<'reversePayment'> {
    const found = this.#payment(orderNo);
    const at = chinaDateTime(this.now().getTime());
    if (!found) {
      // Reserve the order number as reversed: a payment request that arrives late is not charged.
      const tombstone: PaymentRow = {
        order_no: orderNo,
        application_no: null,
        amount_fen: 0,
        behaviour: 'none',
        state: 'reversed',
        decline_reason: null,
        created_ms: this.now().getTime(),
        paid_at: null,
        reversed_at: at,
        refunded_fen: 0,
        idempotency_key: null,
      };
      this.#db
        .prepare(
          `INSERT INTO payments (order_no, application_no, amount_fen, behaviour, state, decline_reason, created_ms, paid_at, reversed_at, refunded_fen, kiosk_id, idempotency_key)
           VALUES (@order_no, NULL, 0, 'none', 'reversed', NULL, @created_ms, NULL, @reversed_at, 0, '', NULL)`,
        )
        .run({ order_no: orderNo, created_ms: tombstone.created_ms, reversed_at: at });
      return ok(paymentView(tombstone));
    }
    const row = this.#refreshPayment(found);
    if (row.state === 'reversed') return ok(paymentView(row));
    const refunded = row.state === 'paid' ? row.amount_fen : 0;
    this.#db
      .prepare(
        `UPDATE payments SET state = 'reversed', reversed_at = ?, refunded_fen = ? WHERE order_no = ?`,
      )
      .run(at, refunded, orderNo);
    return ok(paymentView(this.#payment(orderNo)!));
  }

  #staffRevocations(): Answer<'staffRevocations'> {
    const revoked = this.#db
      .prepare(
        'SELECT serial, revoked_at AS revokedAt, reason FROM revocations ORDER BY revoked_at, serial',
      )
      .all() as {
      serial: string;
      revokedAt: string;
      reason: 'lost' | 'leftService' | 'compromised';
    }[];
    const latest = revoked.at(-1)?.revokedAt ?? chinaDateTime(0);
    return ok({ version: Math.max(1, revoked.length), issuedAt: latest, revoked });
  }

  // --- records -------------------------------------------------------------------------------

  #person(idNumber: string): Result<PersonRow, ApiError> {
    if (!isValidIdNumber(idNumber)) return refuse('INVALID_ID');
    const key = personKey(this.#salt, idNumber);
    const found = this.#db.prepare('SELECT * FROM persons WHERE person_key = ?').get(key) as
      PersonRow | undefined;
    if (found) return ok(found);
    if (!this.#knowsEveryone) return refuse('PERSON_NOT_FOUND');
    // Every fictional resident with a valid ID number holds one normal card and has a photo on file.
    const person: PersonRow = {
      person_key: key,
      district: idNumber.slice(0, 6),
      has_photo: 1,
      face_matches: 1,
    };
    this.#db
      .prepare(
        'INSERT INTO persons (person_key, district, has_photo, face_matches) VALUES (@person_key, @district, @has_photo, @face_matches)',
      )
      .run(person);
    let digits = BigInt(`0x${key.slice(0, 15)}`) % 100_000_000n;
    const taken = this.#db.prepare('SELECT 1 FROM cards WHERE card_no = ?');
    while (taken.get(`A${String(digits).padStart(8, '0')}`)) digits = (digits + 1n) % 100_000_000n;
    this.#db
      .prepare(
        'INSERT INTO cards (card_no, person_key, status, identification, seq) VALUES (?, ?, ?, NULL, ?)',
      )
      .run(`A${String(digits).padStart(8, '0')}`, key, CARD_STATUS.normal, this.#nextCardSeq());
    return ok(person);
  }

  #feeFor(person: PersonRow): number {
    return this.#feeFen ?? DISTRICT_FEES_FEN[person.district] ?? 0;
  }

  #application(applicationNo: string): ApplicationRow | undefined {
    return this.#db
      .prepare('SELECT * FROM applications WHERE application_no = ?')
      .get(applicationNo) as ApplicationRow | undefined;
  }

  #statusOf(app: ApplicationRow): OperationAnswer<'applicationStatus'> {
    const orders = this.#db
      .prepare('SELECT * FROM payments WHERE application_no = ?')
      .all(app.application_no) as PaymentRow[];
    const paidFen = orders
      .map((p) => this.#refreshPayment(p))
      .reduce((sum, p) => sum + (p.state === 'paid' ? p.amount_fen : 0), 0);
    const spoiled = this.#db
      .prepare(
        `SELECT COUNT(*) AS n FROM chip_results WHERE application_no = ? AND outcome = 'spoiled'`,
      )
      .get(app.application_no) as { n: number };
    const status =
      app.status !== 'open' ? app.status : paidFen >= app.fee_fen ? 'ready' : 'awaitingPayment';
    return {
      applicationNo: app.application_no,
      reason: app.reason,
      status,
      feeFen: app.fee_fen,
      paidFen,
      newCardNo: app.new_card_no,
      spoiledChips: spoiled.n,
    };
  }

  #payment(orderNo: string): PaymentRow | undefined {
    return this.#db.prepare('SELECT * FROM payments WHERE order_no = ?').get(orderNo) as
      PaymentRow | undefined;
  }

  /** Moves a `paying` payment on by the centre's clock: confirmed after a while, or expired. */
  #refreshPayment(row: PaymentRow): PaymentRow {
    if (row.state !== 'paying') return row;
    const now = this.now().getTime();
    if (row.behaviour === 'confirmLater' && now >= row.created_ms + this.#userPayingMs) {
      const paidAt = chinaDateTime(row.created_ms + this.#userPayingMs);
      this.#db
        .prepare(`UPDATE payments SET state = 'paid', paid_at = ? WHERE order_no = ?`)
        .run(paidAt, row.order_no);
      return { ...row, state: 'paid', paid_at: paidAt };
    }
    if (now >= row.created_ms + PAYING_EXPIRY_MS) {
      this.#db
        .prepare(
          `UPDATE payments SET state = 'declined', decline_reason = 'expired' WHERE order_no = ?`,
        )
        .run(row.order_no);
      return { ...row, state: 'declined', decline_reason: 'expired' };
    }
    return row;
  }

  #nextCardSeq(): number {
    return (
      this.#db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM cards').get() as { n: number }
    ).n;
  }

  #stamp(): string {
    return chinaDateTime(this.now().getTime());
  }

  #fingerprint(id: OperationId, input: { params: Record<string, string>; body: unknown }): string {
    return createHmac('sha256', this.#salt)
      .update(`${id}\n${stableJson(input.params)}\n${stableJson(input.body)}`)
      .digest('hex');
  }

  /** The first answer to (kiosk, key), or the answer `run` gives now, remembered with the request's fingerprint. */
  #once<T>(
    id: OperationId,
    kioskId: string,
    key: string,
    fingerprint: string,
    run: () => Result<T, ApiError>,
  ): Result<T, ApiError> {
    const seen = this.#db
      .prepare(
        'SELECT operation, fingerprint, answer FROM idempotency WHERE kiosk_id = ? AND key = ?',
      )
      .get(kioskId, key) as { operation: string; fingerprint: string; answer: string } | undefined;
    if (seen) {
      if (seen.operation !== id || seen.fingerprint !== fingerprint)
        return refuse('IDEMPOTENCY_KEY_REUSED');
      return JSON.parse(seen.answer) as Result<T, ApiError>;
    }
    const answer = run();
    this.#db
      .prepare(
        'INSERT INTO idempotency (kiosk_id, key, operation, fingerprint, answer, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(kioskId, key, id, fingerprint, JSON.stringify(answer), this.#stamp());
    return answer;
  }
}

function direct<T>(answer: Result<T, ApiError>): Result<T, CardCentreFailure> {
  return answer.ok
    ? answer
    : err({ kind: 'rejected', code: answer.error.code, message: answer.error.message });
}

function paymentView(row: PaymentRow): OperationAnswer<'pay'> {
  return {
    orderNo: row.order_no,
    applicationNo: row.application_no,
    amountFen: row.amount_fen,
    state: row.state,
    ...(row.decline_reason
      ? {
          declineReason: row.decline_reason as NonNullable<OperationAnswer<'pay'>['declineReason']>,
        }
      : {}),
    ...(row.paid_at ? { paidAt: row.paid_at } : {}),
    ...(row.reversed_at ? { reversedAt: row.reversed_at } : {}),
    refundedFen: row.refunded_fen,
  };
}

function recordApdus(record: number, p2: number, tag: number, value: Uint8Array) {
  const tlv = new Uint8Array([tag, value.length, ...value]);
  const update = `00DC${hex(new Uint8Array([record, p2, tlv.length]))}${hex(tlv)}`;
  const read = `00B2${hex(new Uint8Array([record, p2, tlv.length]))}`;
  return { update, read, tlv: hex(tlv) };
}

/** `2025-03-01T09:30:00+08:00` */
export function chinaDateTime(epochMs: number): string {
  return new Date(epochMs + CHINA_OFFSET_MS).toISOString().replace(/\.\d{3}Z$/, '+08:00');
}

/** `20250301`, the date in China. */
export function chinaYmd(epochMs: number): string {
  return new Date(epochMs + CHINA_OFFSET_MS).toISOString().slice(0, 10).replaceAll('-', '');
}

function stableJson(value: unknown): string {
  if (value === undefined) return '';
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
            a < b ? -1 : a > b ? 1 : 0,
          ),
        )
      : v,
  );
}
