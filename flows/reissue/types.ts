/**
 * What the complete reissue journey knows and receives (issue 7). The flow is pure: every answer
 * from the world arrives as the output of an actor the host provides, in these shapes.
 */
import type { IdCardRecord } from '../../drivers/id-reader/id-card-record.ts';
import type { IdReadFailure } from '../../drivers/id-reader/id-card-reader.ts';

export type Language = 'zh-CN' | 'en';

export type FailureReason =
  | 'idUnreadable'
  | 'idNotGenuine'
  | 'idExpired'
  | 'faceMismatch'
  | 'noCardOnFile'
  | 'noArchivedPhoto'
  | 'nameNotPrintable'
  | 'cardCentreUnreachable'
  | 'deviceNotReady'
  | 'recordsUnavailable'
  | 'paymentFailed'
  | 'paymentUnresolved'
  | 'productionFailed'
  /** The new card was left in the slot and taken back into the machine: the counter hands it over. */
  | 'cardNotCollected'
  /** The application's fee is more than the fee the resident confirmed: nothing charged, sent to the counter. */
  | 'feeChanged'
  | 'timeout';

export type ProductionStage = 'reportingLoss' | 'feeding' | 'writingChip' | 'printing' | 'ejecting';

export type ReadIdOutcome = { ok: true; value: IdCardRecord } | { ok: false; error: IdReadFailure };

export type FaceOutcome = 'match' | 'noMatch' | 'retry' | 'unreachable';

export type ResidentCardStatus = 'normal' | 'reportedLost' | 'temporarilyLost';

export type LookupOutcome =
  | {
      kind: 'found';
      cardNo: string;
      cardStatus: ResidentCardStatus;
      feeFen: number;
      hasArchivedPhoto: boolean;
      /** The card centre's date (YYYYMMDD): an ID's expiry is judged by it. */
      centreToday: string;
    }
  | { kind: 'noCardOnFile' }
  | { kind: 'unreachable' };

export type PreflightOutcome =
  | { ok: true }
  | { ok: false; reason: 'deviceNotReady' | 'nameNotPrintable' | 'noArchivedPhoto' | 'recordsUnavailable' };

export type StepOutcome =
  | { ok: true }
  | { ok: false; reason: 'deviceNotReady' | 'cardCentreUnreachable' | 'recordsUnavailable' | 'failed' };

/** What retaining a card not taken did: `taken` — it was gone from the slot after all (taken at the last moment). */
export type RetainOutcome = { ok: true; taken: boolean } | { ok: false; reason: 'deviceNotReady' | 'recordsUnavailable' };

export interface RegisterOutput {
  applicationNo: string;
  /** The kiosk's transaction number; also the payment's order number. */
  transactionNo: string;
  /** The fee the card centre set for this application, in fen. */
  feeFen: number;
}

/** A payment attempt's answer: unknown is settled by query, then reversal (never guessed). */
export type PayOutcome = 'paid' | 'declined' | 'unknown';

/** After settling an unknown payment: paid, or reversed (no money taken), or still unknown. */
export type SettleOutcome = 'paid' | 'reversed' | 'unknown';

export type RefundOutcome = 'refunded' | 'unknown';

export type PaymentPhase = 'awaitingCode' | 'charging' | 'declined' | 'settling';

export interface ReissueContext {
  lang: Language;
  defaultLang: Language;
  /** The resident's ID card as read; memory only, wiped on the way back to attract. */
  resident: IdCardRecord | null;
  faceAttempts: number;
  card: { cardNo: string; status: ResidentCardStatus; feeFen: number; hasArchivedPhoto: boolean } | null;
  applicationNo: string | null;
  transactionNo: string | null;
  feeFen: number;
  /** Payment attempts (each a new order number: a declined order is final, its number spent). */
  payAttempts: number;
  /** Money state: `paid` until a card is issued or a refund is acknowledged. */
  payment: 'none' | 'paid' | 'refunded' | 'refundUnknown';
  stage: ProductionStage | null;
  stagesDone: number;
  attempt: number;
  maxAttempts: number;
  failure: FailureReason | null;
  /** When the current screen was entered or the resident last said "still here" (epoch ms). */
  activeSince: number;
}

export type ReissueEvent =
  | { type: 'START' }
  | { type: 'CONFIRM' }
  | { type: 'CANCEL' }
  | { type: 'RETRY' }
  | { type: 'STILL_HERE' }
  | { type: 'SET_LANG'; lang: Language }
  /** A live photo from the kiosk's camera (JPEG data URL), taken by the UI. */
  | { type: 'PHOTO'; photo: string };
