/**
 * What the reissue flow knows and receives. The flow is pure: every answer from the world
 * arrives as the output of an actor the host provides, in these shapes.
 */
import type { IdCardRecord } from '../../drivers/id-reader/id-card-record.ts';
import type { IdReadFailure } from '../../drivers/id-reader/id-card-reader.ts';

export type Language = 'zh-CN' | 'en';

export type FailureReason =
  | 'idUnreadable'
  | 'idNotGenuine'
  | 'idExpired'
  | 'noCardOnFile'
  | 'cardCentreUnreachable'
  | 'deviceNotReady'
  | 'productionFailed'
  | 'timeout';

export type ProductionStage = 'reportingLoss' | 'feeding' | 'writingChip' | 'printing' | 'ejecting';

export type ReadIdOutcome = { ok: true; value: IdCardRecord } | { ok: false; error: IdReadFailure };

export type ResidentCardStatus = 'normal' | 'reportedLost' | 'temporarilyLost';

export type LookupOutcome =
  | { kind: 'found'; cardNo: string; cardStatus: ResidentCardStatus; feeFen: number; centreToday: string }
  | { kind: 'noCardOnFile' }
  | { kind: 'unreachable' };

export type StepOutcome =
  | { ok: true }
  /** `recordsUnavailable`: the step's record could not be written, so the step was not done. */
  | { ok: false; reason: 'deviceNotReady' | 'cardCentreUnreachable' | 'recordsUnavailable' | 'failed' };

export interface RegisterOutput {
  applicationNo: string;
  transactionNo: string;
}

export interface ReissueContext {
  lang: Language;
  defaultLang: Language;
  /** The resident's ID card as read; memory only, wiped on the way back to attract. */
  resident: IdCardRecord | null;
  card: { cardNo: string; status: ResidentCardStatus; feeFen: number } | null;
  applicationNo: string | null;
  transactionNo: string | null;
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
  | { type: 'STILL_HERE' }
  | { type: 'SET_LANG'; lang: Language };
