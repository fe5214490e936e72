/**
 * What the kiosk needs from the province's social-security card management system (the system
 * of record). The HTTP client and the embedded card centre both implement this; the OpenAPI
 * document for integrators describes the same operations.
 *
 * Every operation that changes the world carries an idempotency key chosen by the kiosk, so a
 * retry after a timeout or a crash never reports a loss, or opens an application, twice.
 */
import type { Result } from '../../drivers/common/result.ts';

/** Card status codes (PROTOCOLS.md §1, confidence M). */
export const CARD_STATUS = {
  sealed: '0',
  normal: '1',
  reportedLost: '2',
  applicationLocked: '3',
  temporarilyLost: '4',
  cancelled: '9',
} as const;
export type CardStatusCode = (typeof CARD_STATUS)[keyof typeof CARD_STATUS];

/** Reissue reasons (PROTOCOLS.md §1, confidence M). */
export const REISSUE_REASON = { lost: '11', damaged: '12' } as const;

export type CardCentreFailure =
  | { kind: 'unreachable'; detail: string }
  | { kind: 'rejected'; code: string; message: string };

export interface PersonCards {
  cards: { cardNo: string; status: CardStatusCode }[];
  hasArchivedPhoto: boolean;
  /** What a reissue costs this person, in fen, as the card centre decides (often 0). */
  reissueFeeFen: number;
  /** The card centre's date (YYYYMMDD): expiry is judged by it, not by the kiosk's clock. */
  today: string;
}

export interface Application {
  applicationNo: string;
  /** Fee in fen, decided by the card centre (often 0). */
  feeFen: number;
  /** The card number the new card will carry. */
  newCardNo: string;
}

/** One APDU to relay and the status word the HSM expects back. */
export interface PersonalisationStep {
  apdu: string;
  expectSw: number;
  /** When set, the response data must equal this (hex): the read-back comparison. */
  expectData?: string;
}

export interface PersonalisationPlan {
  steps: PersonalisationStep[];
}

export interface CardCentre {
  lookupPerson(idNumber: string, signal: AbortSignal): Promise<Result<PersonCards, CardCentreFailure>>;
  reportLoss(
    request: { key: string; idNumber: string; cardNo: string },
    signal: AbortSignal,
  ): Promise<Result<{ alreadyReported: boolean }, CardCentreFailure>>;
  openApplication(
    request: { key: string; idNumber: string; reason: (typeof REISSUE_REASON)[keyof typeof REISSUE_REASON] },
    signal: AbortSignal,
  ): Promise<Result<Application, CardCentreFailure>>;
  /**
   * One round trip: the chip's 识别码 and challenge in, every APDU of the personalisation out,
   * including the read-back comparison (rural links have ~300 ms of latency per trip).
   */
  personalisationPlan(
    request: {
      applicationNo: string;
      identification: string;
      challenge: string;
      /** What the card centre needs to write the cardholder file; never stored by the kiosk. */
      holder: { idNumber: string; name: string };
    },
    signal: AbortSignal,
  ): Promise<Result<PersonalisationPlan, CardCentreFailure>>;
  reportCardIssued(
    request: { key: string; applicationNo: string; identification: string; outcome: 'issued' | 'spoiled' | 'retained' },
    signal: AbortSignal,
  ): Promise<Result<void, CardCentreFailure>>;
}
