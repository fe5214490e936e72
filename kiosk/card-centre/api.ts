/**
 * The card-centre API, defined once: every request and answer as a zod schema, every operation
 * with its method, path, idempotency and the refusals it may answer. The HTTP client validates
 * answers with these schemas, the embedded card centre validates requests with them, and the
 * OpenAPI document for a province's integrator (`openapi.yaml`) is generated from them
 * (`openapi.ts`), so the three cannot drift apart; a test fails when the committed document is stale.
 *
 * Conventions of the wire (also stated in the document):
 * - JSON bodies, UTF-8. Money is in fen (分), an integer. Dates are `YYYYMMDD` in China time.
 * - Personal data (ID numbers, names) never travels in a URL, which proxies and servers log:
 *   look-ups that need an ID number are `POST` with the number in the body.
 * - Every operation that changes the centre's records carries an `Idempotency-Key` header; a
 *   repeat with the same key returns the first answer (the same status and body), however many
 *   times and however long after. The same key with a different request is refused.
 */
import { z } from 'zod';
import { CARD_STATUS_CODES, REISSUE_REASON } from './codes.ts';

// ---------------------------------------------------------------------------------------------
// Building blocks

const IdNumber = z
  .string()
  .regex(/^\d{17}[\dX]$/, '18 characters: 17 digits and a digit or X')
  .describe('居民身份证号码 (GB 11643): 17 digits and a check character (digit or X)');
const CardNo = z
  .string()
  .regex(/^[A-Z0-9]{9}$/, '9 capital letters or digits')
  .describe('社会保障卡卡号, 9 characters');
const CardStatus = z
  .enum(CARD_STATUS_CODES)
  .describe(
    '卡状态: 0 sealed, 1 normal, 2 reported lost, 3 application locked, 4 temporarily lost, 9 cancelled',
  );
const ApplicationNo = z
  .string()
  .regex(/^[A-Za-z0-9-]{1,32}$/, '1–32 letters, digits or "-"')
  .describe("the centre's application number");
const OrderNo = z
  .string()
  .regex(/^[A-Za-z0-9_-]{6,40}$/, '6–40 letters, digits, "_" or "-"')
  .describe(
    "the kiosk's order number for one payment: chosen by the kiosk, unique, reused for every query and the reversal",
  );
const Fen = z
  .number()
  .int()
  .min(0)
  .max(10_000_000)
  .describe('an amount in fen (分), 100 fen = 1 yuan');
const Ymd = z
  .string()
  .regex(/^\d{8}$/, 'YYYYMMDD')
  .describe('a date, YYYYMMDD, China time');
const DateTime = z.iso.datetime({ offset: true }).describe('RFC 3339 date-time with offset');
const HexBytes = z.string().regex(/^([0-9A-Fa-f]{2})+$/, 'hexadecimal bytes');
const Identification = z
  .string()
  .regex(/^([0-9A-Fa-f]{2}){8,32}$/, '8–32 bytes as hexadecimal')
  .describe('识别码 (EF05 tag 01) read from the chip: region (3-byte BCD) + D156000005 + 8 bytes');
const ImageData = z.base64().max(1_500_000).describe('the image file, base64 (at most ~1.1 MB)');

// ---------------------------------------------------------------------------------------------
// Requests and answers

export const LookupRequest = z.object({ idNumber: IdNumber });

export const Card = z.object({ cardNo: CardNo, status: CardStatus });
export const PersonCards = z.object({
  cards: z.array(Card).describe('every card the person has held, newest first'),
  hasArchivedPhoto: z.boolean().describe('the centre holds a photo it can put on the card face'),
  reissueFeeFen: Fen.describe(
    'what a reissue costs this person now, in fen, as the centre decides (often 0)',
  ),
  today: Ymd.describe(
    "the centre's date: the kiosk judges ID-card expiry by it, not by its own clock",
  ),
});

export const Photo = z.object({
  mediaType: z.enum(['image/jpeg', 'image/png']),
  data: ImageData,
});
export const FaceCheckRequest = z.object({
  idNumber: IdNumber,
  photo: Photo.describe("a live photo from the kiosk's camera"),
});
export const FaceVerdict = z.object({
  result: z
    .enum(['match', 'noMatch', 'retry'])
    .describe(
      'match: the person is who the ID card says; noMatch: send them to the counter; retry: take another photo',
    ),
  reason: z
    .enum(['noFace', 'poorQuality', 'archiveUnavailable'])
    .optional()
    .describe('why the centre asks for another photo (with retry)'),
  score: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe("the comparison's similarity, for the technician's log"),
});

export const LossRequest = z.object({ idNumber: IdNumber, cardNo: CardNo });
export const LossAnswer = z.object({
  alreadyReported: z
    .boolean()
    .describe('the card was reported lost before this request (nothing changed)'),
});

export const ApplicationRequest = z.object({
  idNumber: IdNumber,
  reason: z
    .enum([REISSUE_REASON.lost, REISSUE_REASON.damaged])
    .describe('补换卡原因: 11 lost, 12 damaged'),
});
export const Application = z.object({
  applicationNo: ApplicationNo,
  feeFen: Fen.describe('the fee for this application, decided by the centre (often 0)'),
  newCardNo: CardNo.describe('the number the new card will carry'),
});

export const ApplicationStatus = z.object({
  applicationNo: ApplicationNo,
  reason: z.enum([REISSUE_REASON.lost, REISSUE_REASON.damaged]),
  status: z
    .enum(['awaitingPayment', 'ready', 'issued', 'retained', 'cancelled'])
    .describe(
      'awaitingPayment: a fee is due; ready: a card may be personalised; issued: a card was made and handed out; ' +
        'retained: made but kept by the kiosk for staff; cancelled',
    ),
  feeFen: Fen,
  paidFen: Fen,
  newCardNo: CardNo,
  spoiledChips: z.number().int().min(0).describe('blanks reported spoiled for this application'),
});

export const PhotoRequest = z.object({ idNumber: IdNumber });
export const ArchivedPhoto = z.object({
  mediaType: z.enum(['image/jpeg', 'image/png']),
  width: z.number().int().min(1).max(4096),
  height: z.number().int().min(1).max(4096),
  data: ImageData,
});

export const PersonalisationRequest = z.object({
  identification: Identification,
  challenge: HexBytes.describe('GET CHALLENGE answer from the chip (8 bytes)'),
  atr: HexBytes.optional().describe(
    "the chip's answer to reset, for the HSM's choice of algorithm",
  ),
  holder: z
    .object({ idNumber: IdNumber, name: z.string().min(1).max(30) })
    .describe(
      'the cardholder as on the ID card; the HSM writes it to EF06 and checks it against the application',
    ),
});
export const PersonalisationStep = z.object({
  apdu: HexBytes.describe('a command APDU to send to the chip as it is'),
  expectSw: z
    .number()
    .int()
    .min(0)
    .max(0xffff)
    .describe('the status word the chip must answer (e.g. 36864 = 9000)'),
  expectData: HexBytes.optional().describe(
    "when present, the answer's data must equal it: the read-back comparison",
  ),
});
export const PersonalisationPlan = z.object({
  steps: z
    .array(PersonalisationStep)
    .min(1)
    .describe(
      'every APDU of the personalisation in order, authentication, writes and read-back, for one round trip',
    ),
});

export const CardResultRequest = z.object({
  identification: Identification,
  outcome: z
    .enum(['issued', 'spoiled', 'retained'])
    .describe(
      'issued: handed to the resident; spoiled: in the reject bin, cancel this chip; retained: made, not taken, kept for staff',
    ),
  cardNo: CardNo.optional().describe(
    'the card number written to the chip (with issued or retained)',
  ),
});
export const CardResultAnswer = z.object({
  recorded: z.literal(true),
  applicationStatus: ApplicationStatus.shape.status,
});

export const PaymentRequest = z.object({
  orderNo: OrderNo,
  applicationNo: ApplicationNo,
  amountFen: Fen.describe("must equal the application's fee"),
  paymentCode: z
    .string()
    .regex(/^\d{16,24}$/, '16–24 digits')
    .describe(
      'the payment code (付款码) the resident showed to the scanner; valid about a minute, never logged',
    ),
});
export const Payment = z.object({
  orderNo: OrderNo,
  applicationNo: ApplicationNo.nullable().describe(
    'null for an order the centre only knows from its reversal',
  ),
  amountFen: Fen,
  state: z
    .enum(['paying', 'paid', 'declined', 'reversed'])
    .describe(
      'paying: the resident is still confirming on their phone (query again with the order number); paid; ' +
        'declined: nothing was charged; reversed: cancelled, and refunded in full if it had been paid',
    ),
  declineReason: z
    .enum(['insufficientFunds', 'invalidCode', 'limitExceeded', 'expired'])
    .optional()
    .describe(
      'with declined: why; expired = the resident never confirmed and the provider closed the order',
    ),
  paidAt: DateTime.optional(),
  reversedAt: DateTime.optional(),
  refundedFen: Fen.describe('what the reversal gave back (0 when nothing had been charged)'),
});
export const ReverseRequest = z.object({
  reason: z
    .enum(['unknownOutcome', 'cancelled', 'productionFailed'])
    .describe(
      'unknownOutcome: the kiosk could not confirm the payment; cancelled: the resident left; productionFailed: no card could be made',
    ),
});

export const CentreTime = z.object({
  now: DateTime.describe("the centre's clock"),
  today: Ymd,
  timeZone: z.literal('Asia/Shanghai'),
});

export const RevocationList = z.object({
  version: z.number().int().min(1).describe('increases with every change'),
  issuedAt: DateTime,
  revoked: z.array(
    z.object({
      serial: HexBytes.describe("the staff card certificate's serial number"),
      revokedAt: DateTime,
      reason: z.enum(['lost', 'leftService', 'compromised']),
    }),
  ),
});

// ---------------------------------------------------------------------------------------------
// Refusals

/** Every refusal the centre may answer, with its HTTP status. 5xx and 503 are worth a retry. */
export const API_ERRORS = {
  INVALID_REQUEST: {
    status: 400,
    description: 'the request does not match its schema; `field` names the first wrong field',
  },
  MISSING_IDEMPOTENCY_KEY: {
    status: 400,
    description: 'a mutating call came without an `Idempotency-Key` header',
  },
  UNAUTHENTICATED: {
    status: 401,
    description: 'unknown kiosk, a missing or wrong signature, or a nonce seen before',
  },
  CLOCK_SKEW: {
    status: 401,
    description:
      "the signature's timestamp is too far from the centre's clock; `serverTime` has the centre's time: sign again with it",
  },
  PAYMENT_REQUIRED: { status: 402, description: "the application's fee is not paid yet" },
  NO_SUCH_OPERATION: { status: 404, description: 'no operation at this method and path' },
  PERSON_NOT_FOUND: { status: 404, description: 'the centre has no record of this person' },
  NO_SUCH_CARD: { status: 404, description: 'this person holds no card with this number' },
  NO_SUCH_APPLICATION: { status: 404, description: 'no application with this number' },
  NO_SUCH_ORDER: {
    status: 404,
    description: 'the centre never received a payment with this order number',
  },
  NO_ARCHIVED_PHOTO: { status: 404, description: 'the centre holds no photo of this person' },
  IDEMPOTENCY_KEY_REUSED: {
    status: 409,
    description: 'this idempotency key was used before for a different request',
  },
  DUPLICATE_ORDER: {
    status: 409,
    description: 'this order number was used before under another idempotency key',
  },
  CARD_NOT_ACTIVE: {
    status: 409,
    description: 'the card is sealed or cancelled: it cannot be reported lost',
  },
  LOSS_NOT_REPORTED: {
    status: 409,
    description: 'a reissue for a lost card needs the loss reported first',
  },
  NO_CARD_HELD: { status: 409, description: 'the person holds no card that could be reissued' },
  APPLICATION_CLOSED: {
    status: 409,
    description: 'the application is cancelled or its card already made',
  },
  ALREADY_ISSUED: {
    status: 409,
    description: 'another chip was already issued for this application',
  },
  PAYMENT_IN_PROGRESS: {
    status: 409,
    description:
      'another order for this application is still `paying`: settle it (query, then reverse) before paying again',
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    description: 'the request body is larger than the centre accepts',
  },
  INVALID_ID: { status: 422, description: 'the ID number fails its check digit or its date' },
  HOLDER_MISMATCH: { status: 422, description: "the holder is not the application's person" },
  NAME_NOT_ENCODABLE: {
    status: 422,
    description:
      'the name does not fit the chip: longer than its name field (30 bytes of GBK) or, when it has a character outside GBK, than its name extension (20 bytes of GB 18030), or a character no field can hold: the card is made at the counter',
  },
  AMOUNT_MISMATCH: { status: 422, description: "the amount is not the application's fee" },
  NO_FEE_DUE: {
    status: 422,
    description: 'the application costs nothing: there is nothing to pay',
  },
  INTERNAL: { status: 500, description: 'the centre failed; nothing was committed' },
  UNAVAILABLE: {
    status: 503,
    description: 'the centre is busy or in maintenance; nothing was committed, try again',
  },
} as const satisfies Record<string, { status: number; description: string }>;
export type ApiErrorCode = keyof typeof API_ERRORS;
export const API_ERROR_CODES = Object.keys(API_ERRORS) as [ApiErrorCode, ...ApiErrorCode[]];

export const ApiError = z.object({
  code: z
    .string()
    .min(1)
    .describe('one of the documented codes; a client treats an unknown code as a refusal'),
  message: z.string().describe("for the technician's log; never shown to the resident as it is"),
  field: z
    .string()
    .optional()
    .describe('with INVALID_REQUEST: the path of the first wrong field, e.g. `holder.name`'),
  serverTime: DateTime.optional().describe("with CLOCK_SKEW: the centre's clock"),
});
export type ApiError = z.infer<typeof ApiError>;

/** Refusals any operation may answer (authentication, schema, capacity). */
export const COMMON_ERRORS: readonly ApiErrorCode[] = [
  'INVALID_REQUEST',
  'UNAUTHENTICATED',
  'CLOCK_SKEW',
  'PAYLOAD_TOO_LARGE',
  'INTERNAL',
  'UNAVAILABLE',
];

// ---------------------------------------------------------------------------------------------
// Operations

export interface OperationSpec<
  Req extends z.ZodType | null = z.ZodType | null,
  Ans extends z.ZodType = z.ZodType,
> {
  method: 'GET' | 'POST';
  /** OpenAPI path template; `{name}` segments are path parameters. */
  path: string;
  params: Record<string, z.ZodString>;
  request: Req;
  answer: Ans;
  /** Carries an `Idempotency-Key`; the centre returns the first answer to a repeat. */
  keyed: boolean;
  /**
   * Safe to send again after a timeout or a dropped connection — the client retries only these.
   * Every operation of this API is: reads change nothing, keyed mutations are deduplicated by
   * their key, and the personalisation plan is a computation without a record.
   */
  repeatable: boolean;
  errors: readonly ApiErrorCode[];
  tag: 'persons' | 'losses' | 'applications' | 'personalisation' | 'payments' | 'centre';
  summary: string;
  description: string;
}

const operation = <Req extends z.ZodType | null, Ans extends z.ZodType>(
  spec: OperationSpec<Req, Ans>,
) => spec;

export const OPERATIONS = {
  lookupPerson: operation({
    method: 'POST',
    path: '/v1/persons/lookup',
    params: {},
    request: LookupRequest,
    answer: PersonCards,
    keyed: false,
    repeatable: true,
    errors: ['INVALID_ID', 'PERSON_NOT_FOUND'],
    tag: 'persons',
    summary: "Look up a person's cards",
    description:
      "The person's cards and each card's status, whether a photo is archived, the reissue fee and the centre's date. Changes nothing.",
  }),
  verifyFace: operation({
    method: 'POST',
    path: '/v1/persons/face-check',
    params: {},
    request: FaceCheckRequest,
    answer: FaceVerdict,
    keyed: true,
    repeatable: true,
    errors: ['INVALID_ID', 'PERSON_NOT_FOUND'],
    tag: 'persons',
    summary: 'Verify identity with a live photo',
    description:
      "Compares a live photo from the kiosk's camera with the centre's archive or the public-security photo. " +
      'Keyed, because the centre counts attempts.',
  }),
  archivedPhoto: operation({
    method: 'POST',
    path: '/v1/persons/photo',
    params: {},
    request: PhotoRequest,
    answer: ArchivedPhoto,
    keyed: false,
    repeatable: true,
    errors: ['INVALID_ID', 'PERSON_NOT_FOUND', 'NO_ARCHIVED_PHOTO'],
    tag: 'persons',
    summary: 'The archived photo for the card face',
    description: 'The photo the centre will have printed on the card. Changes nothing.',
  }),
  reportLoss: operation({
    method: 'POST',
    path: '/v1/losses',
    params: {},
    request: LossRequest,
    answer: LossAnswer,
    keyed: true,
    repeatable: true,
    errors: [
      'INVALID_ID',
      'PERSON_NOT_FOUND',
      'NO_SUCH_CARD',
      'CARD_NOT_ACTIVE',
      'IDEMPOTENCY_KEY_REUSED',
    ],
    tag: 'losses',
    summary: 'Report a card lost (挂失)',
    description:
      'Sets the card to status 2 (reported lost). A card already reported lost answers `alreadyReported: true` and changes nothing.',
  }),
  openApplication: operation({
    method: 'POST',
    path: '/v1/applications',
    params: {},
    request: ApplicationRequest,
    answer: Application,
    keyed: true,
    repeatable: true,
    errors: [
      'INVALID_ID',
      'PERSON_NOT_FOUND',
      'LOSS_NOT_REPORTED',
      'NO_CARD_HELD',
      'IDEMPOTENCY_KEY_REUSED',
    ],
    tag: 'applications',
    summary: 'Open a reissue application',
    description:
      'Opens an application (reason 11 lost, which needs the loss reported first; 12 damaged) and decides its fee. ' +
      'A person with an application still open (not made, not cancelled) gets that application back, with anything already paid on it.',
  }),
  applicationStatus: operation({
    method: 'GET',
    path: '/v1/applications/{applicationNo}',
    params: { applicationNo: ApplicationNo },
    request: null,
    answer: ApplicationStatus,
    keyed: false,
    repeatable: true,
    errors: ['NO_SUCH_APPLICATION'],
    tag: 'applications',
    summary: "An application's state",
    description:
      'What the centre knows of an application: its fee and what was paid, whether a card was made. For recovery after a crash.',
  }),
  personalisationPlan: operation({
    method: 'POST',
    path: '/v1/applications/{applicationNo}/personalisation',
    params: { applicationNo: ApplicationNo },
    request: PersonalisationRequest,
    answer: PersonalisationPlan,
    keyed: false,
    repeatable: true,
    errors: [
      'NO_SUCH_APPLICATION',
      'HOLDER_MISMATCH',
      'PAYMENT_REQUIRED',
      'APPLICATION_CLOSED',
      'NAME_NOT_ENCODABLE',
    ],
    tag: 'personalisation',
    summary: "The HSM's personalisation for one chip, in one round trip",
    description:
      "The kiosk sends the chip's 识别码, ATR and challenge; the centre's HSM answers every APDU to relay, in order: " +
      'external authentication with its cryptogram, the writes of EF06 and EF05, and the read-back of each record with the bytes expected. ' +
      'A name with a character outside GBK also gets EF06 record 3, the name extension (tag 4E, the whole name in GB 18030). ' +
      'The kiosk relays them without a card reset in between and stops at the first answer that differs. One round trip per blank ' +
      '(rural links have ~300 ms of latency). Records nothing: the outcome is reported with the result operation, so a repeat is harmless.',
  }),
  reportCardResult: operation({
    method: 'POST',
    path: '/v1/applications/{applicationNo}/results',
    params: { applicationNo: ApplicationNo },
    request: CardResultRequest,
    answer: CardResultAnswer,
    keyed: true,
    repeatable: true,
    errors: ['NO_SUCH_APPLICATION', 'ALREADY_ISSUED', 'IDEMPOTENCY_KEY_REUSED'],
    tag: 'personalisation',
    summary: 'Report a card made or spoiled (回盘)',
    description:
      "issued: the new card is the person's card from now on (status 1) and the lost one is cancelled; spoiled: the chip is cancelled; " +
      'retained: the card was made but kept in the kiosk for staff.',
  }),
  pay: operation({
    method: 'POST',
    path: '/v1/payments',
    params: {},
    request: PaymentRequest,
    answer: Payment,
    keyed: true,
    repeatable: true,
    errors: [
      'NO_SUCH_APPLICATION',
      'AMOUNT_MISMATCH',
      'NO_FEE_DUE',
      'APPLICATION_CLOSED',
      'PAYMENT_IN_PROGRESS',
      'DUPLICATE_ORDER',
      'IDEMPOTENCY_KEY_REUSED',
    ],
    tag: 'payments',
    summary: "Pay the application's fee with a payment code",
    description:
      'Charges the payment code. The answer may be final (paid, declined) or `paying` while the resident confirms on their phone. ' +
      'A `paying` answer, a timeout or a dropped connection leaves the outcome unknown: settle it by querying with the same order ' +
      'number, and reverse the order if it cannot be confirmed. An order already reversed is never charged.',
  }),
  queryPayment: operation({
    method: 'GET',
    path: '/v1/payments/{orderNo}',
    params: { orderNo: OrderNo },
    request: null,
    answer: Payment,
    keyed: false,
    repeatable: true,
    errors: ['NO_SUCH_ORDER'],
    tag: 'payments',
    summary: "A payment's current state, by the kiosk's order number",
    description:
      'NO_SUCH_ORDER means the payment request never reached the centre: nothing was charged.',
  }),
  reversePayment: operation({
    method: 'POST',
    path: '/v1/payments/{orderNo}/reverse',
    params: { orderNo: OrderNo },
    request: ReverseRequest,
    answer: Payment,
    keyed: true,
    repeatable: true,
    errors: ['IDEMPOTENCY_KEY_REUSED'],
    tag: 'payments',
    summary: 'Reverse (cancel or refund) a payment',
    description:
      'Ends the order as `reversed`: a payment still `paying` is cancelled, a paid one is refunded in full, a declined one stays ' +
      'uncharged. An order number the centre has not seen yet is reserved as reversed, so a payment request that arrives late is never charged.',
  }),
  centreTime: operation({
    method: 'GET',
    path: '/v1/time',
    params: {},
    request: null,
    answer: CentreTime,
    keyed: false,
    repeatable: true,
    errors: [],
    tag: 'centre',
    summary: "The centre's clock",
    description:
      "The kiosk's clock may be wrong after a power failure. This operation is signed but its timestamp is not checked against " +
      "the centre's clock, so a kiosk can always learn the time.",
  }),
  staffRevocations: operation({
    method: 'GET',
    path: '/v1/staff-revocations',
    params: {},
    request: null,
    answer: RevocationList,
    keyed: false,
    repeatable: true,
    errors: [],
    tag: 'centre',
    summary: 'The staff-card revocation list',
    description:
      'Serial numbers of staff and technician card certificates no longer valid; the kiosk refuses those cards.',
  }),
};

export type OperationId = keyof typeof OPERATIONS;
export const OPERATION_IDS = Object.keys(OPERATIONS) as OperationId[];
type Spec<K extends OperationId> = (typeof OPERATIONS)[K];
export type OperationRequest<K extends OperationId> = Spec<K>['request'] extends z.ZodType
  ? z.infer<Spec<K>['request']>
  : undefined;
export type OperationAnswer<K extends OperationId> = z.infer<Spec<K>['answer']>;
export type OperationParams<K extends OperationId> = { [P in keyof Spec<K>['params']]: string };

/** Named schemas, in the order the OpenAPI document lists them. */
export const COMPONENTS = {
  LookupRequest,
  PersonCards,
  Card,
  Photo,
  FaceCheckRequest,
  FaceVerdict,
  PhotoRequest,
  ArchivedPhoto,
  LossRequest,
  LossAnswer,
  ApplicationRequest,
  Application,
  ApplicationStatus,
  PersonalisationRequest,
  PersonalisationPlan,
  PersonalisationStep,
  CardResultRequest,
  CardResultAnswer,
  PaymentRequest,
  Payment,
  ReverseRequest,
  CentreTime,
  RevocationList,
  ApiError,
} as const;

/** `cards[0].status` from a zod issue path. */
export function fieldPath(segments: readonly PropertyKey[]): string {
  if (segments.length === 0) return '(body)';
  return segments
    .map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? String(s) : `.${String(s)}`))
    .join('');
}

/** The path of one operation with its parameters filled in (each URL-encoded). */
export function operationPath(id: OperationId, params: Record<string, string>): string {
  return OPERATIONS[id].path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`missing path parameter ${name} for ${id}`);
    return encodeURIComponent(value);
  });
}

/** Matches a request's method and path to an operation; null when none. */
export function matchOperation(
  method: string,
  pathname: string,
): { id: OperationId; params: Record<string, string> } | null {
  for (const id of OPERATION_IDS) {
    const spec = OPERATIONS[id];
    if (spec.method !== method) continue;
    const names: string[] = [];
    const pattern = new RegExp(
      `^${spec.path.replace(/\{(\w+)\}/g, (_, name: string) => {
        names.push(name);
        return '([^/]+)';
      })}$`,
    );
    const match = pattern.exec(pathname);
    if (!match) continue;
    try {
      return {
        id,
        params: Object.fromEntries(
          names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]),
        ),
      };
    } catch {
      return null;
    }
  }
  return null;
}
