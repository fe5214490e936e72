/**
 * What the kiosk needs from the province's social-security card management system (the system
 * of record). The HTTP client (`http-client.ts`) and the embedded card centre (`embedded.ts`) both
 * implement this; the OpenAPI document for integrators (`openapi.yaml`, generated from `api.ts`)
 * describes the same operations on the wire.
 *
 * Every operation that changes the world carries an idempotency key chosen by the kiosk, so a
 * retry after a timeout or a crash never reports a loss, opens an application, or charges, twice.
 * Every answer is checked against its schema: a wrong answer is a `malformed` failure naming the
 * field, never an exception.
 */
import type { z } from 'zod';
import type { Result } from '../../drivers/common/result.ts';
import type * as Api from './api.ts';
import { REISSUE_REASON } from './codes.ts';

export {
  CARD_STATUS,
  REISSUE_REASON,
  type CardStatusCode,
  type ReissueReasonCode,
} from './codes.ts';

export type CardCentreFailure =
  /** The centre could not be reached, or the connection dropped before an answer (after every retry). */
  | { kind: 'unreachable'; detail: string; attempts?: number }
  /** No answer within the operation's named timeout (after every retry): the outcome is unknown. */
  | { kind: 'timeout'; operation: string; afterMs: number; attempts: number }
  /** The centre refused, with one of its codes (`api.ts` API_ERRORS; an unknown code is still a refusal). */
  | { kind: 'rejected'; code: string; message: string }
  /** The centre answered something that is not its documented answer; `field` names the first wrong field. */
  | { kind: 'malformed'; operation: string; field: string; detail: string };

export type PersonCards = z.infer<typeof Api.PersonCards>;
export type Application = z.infer<typeof Api.Application>;
export type ApplicationStatus = z.infer<typeof Api.ApplicationStatus>;
/** One APDU to relay and the status word the HSM expects back. */
export type PersonalisationStep = z.infer<typeof Api.PersonalisationStep>;
export type PersonalisationPlan = z.infer<typeof Api.PersonalisationPlan>;
export type FaceVerdict = z.infer<typeof Api.FaceVerdict>;
export type Payment = z.infer<typeof Api.Payment>;
export type PaymentState = Payment['state'];
export type CentreTime = z.infer<typeof Api.CentreTime>;
export type RevocationList = z.infer<typeof Api.RevocationList>;

/** An image as bytes (the wire carries it as base64). */
export interface Image {
  mediaType: 'image/jpeg' | 'image/png';
  data: Uint8Array;
}
export interface ArchivedPhoto extends Image {
  width: number;
  height: number;
}

export type ReissueReason = (typeof REISSUE_REASON)[keyof typeof REISSUE_REASON];

export interface CardCentre {
  lookupPerson(
    idNumber: string,
    signal: AbortSignal,
  ): Promise<Result<PersonCards, CardCentreFailure>>;

  /** Compares a live camera photo with the centre's archive: match / noMatch / retry. */
  verifyFace(
    request: { key: string; idNumber: string; photo: Image },
    signal: AbortSignal,
  ): Promise<Result<FaceVerdict, CardCentreFailure>>;

  /** The photo for the card face; `rejected` NO_ARCHIVED_PHOTO when the centre has none. */
  archivedPhoto(
    idNumber: string,
    signal: AbortSignal,
  ): Promise<Result<ArchivedPhoto, CardCentreFailure>>;

  reportLoss(
    request: { key: string; idNumber: string; cardNo: string },
    signal: AbortSignal,
  ): Promise<Result<{ alreadyReported: boolean }, CardCentreFailure>>;

  openApplication(
    request: { key: string; idNumber: string; reason: ReissueReason },
    signal: AbortSignal,
  ): Promise<Result<Application, CardCentreFailure>>;

  /** What the centre knows of an application (fee, paid, card made): recovery asks this. */
  applicationStatus(
    applicationNo: string,
    signal: AbortSignal,
  ): Promise<Result<ApplicationStatus, CardCentreFailure>>;

  /**
   * One round trip: the chip's 识别码 and challenge in, every APDU of the personalisation out,
   * including the read-back comparison (rural links have ~300 ms of latency per trip).
   */
  personalisationPlan(
    request: {
      applicationNo: string;
      identification: string;
      challenge: string;
      /** The chip's ATR (hex), when the kiosk has it. */
      atr?: string;
      /** What the card centre needs to write the cardholder file; never stored by the kiosk. */
      holder: { idNumber: string; name: string };
    },
    signal: AbortSignal,
  ): Promise<Result<PersonalisationPlan, CardCentreFailure>>;

  /** 回盘: a card made (issued / retained, with its card number) or spoiled (so the centre cancels the chip). */
  reportCardIssued(
    request: {
      key: string;
      applicationNo: string;
      identification: string;
      outcome: 'issued' | 'spoiled' | 'retained';
      cardNo?: string;
    },
    signal: AbortSignal,
  ): Promise<Result<void, CardCentreFailure>>;

  /**
   * Charges the application's fee to a payment code. `paying` (the resident is confirming on
   * their phone), a timeout or an unreachable centre leave the outcome unknown: settle it with
   * `queryPayment` on the same order number, then `reversePayment` (see `settle-payment.ts`).
   * The order number is the idempotency key: a repeat never charges twice.
   */
  pay(
    request: { orderNo: string; applicationNo: string; amountFen: number; paymentCode: string },
    signal: AbortSignal,
  ): Promise<Result<Payment, CardCentreFailure>>;

  /** The payment's current state; `rejected` NO_SUCH_ORDER when the pay request never arrived. */
  queryPayment(orderNo: string, signal: AbortSignal): Promise<Result<Payment, CardCentreFailure>>;

  /** Cancels or refunds; an order the centre has not seen yet is reserved as reversed. */
  reversePayment(
    request: { orderNo: string; reason: 'unknownOutcome' | 'cancelled' | 'productionFailed' },
    signal: AbortSignal,
  ): Promise<Result<Payment, CardCentreFailure>>;

  /** The centre's clock (the kiosk's may be wrong after a power failure). */
  centreTime(signal: AbortSignal): Promise<Result<CentreTime, CardCentreFailure>>;

  /** Serial numbers of revoked staff-card certificates. */
  staffRevocations(signal: AbortSignal): Promise<Result<RevocationList, CardCentreFailure>>;
}
