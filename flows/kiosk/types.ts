/**
 * What the staff and technician modes know and receive (flows/kiosk/modes.ts). The flow is pure:
 * the card check, the PIN check and every stock or device operation is an actor the host
 * provides, answering in these shapes. Nothing here ever holds a PIN: it travels in the PIN event
 * into the authenticate actor and is gone when that call returns.
 */
import type { StaffRole } from '../../drivers/staff-card/staff-certificate.ts';

export type { StaffRole };
export type Language = 'zh-CN' | 'en';

/** Who the card says it is, from its certificate (signed by the district, checked before the PIN). */
export interface ModeIdentity {
  role: StaffRole;
  staffId: string;
  /** The certificate's serial (what the revocation list names). */
  serial: string;
}

/** Why a card is not let in (the card check or the PIN check said so). */
export type ModeRefusal =
  | 'notStaffCard'
  | 'forged'
  | 'expired'
  | 'notYetValid'
  | 'revoked'
  | 'revocationUnavailable'
  | 'blocked'
  | 'cardUnreadable';

export type IdentifyOutcome =
  | { ok: true; identity: ModeIdentity; triesLeft: number | 'blocked' }
  | { ok: false; refusal: ModeRefusal };

export type AuthenticateOutcome =
  | { ok: true; identity: ModeIdentity }
  | { ok: false; wrongPin: true; triesLeft: number }
  | { ok: false; wrongPin: false; refusal: ModeRefusal };

export type SelfTestId =
  | 'idReader'
  | 'pcsc'
  | 'cardPrinter'
  | 'testCard'
  | 'cleaning'
  | 'receiptPrinter'
  | 'scanner'
  | 'cardCentre';

export type ResultParams = Record<string, string | number>;

export interface SelfTestResult {
  pass: boolean;
  /** `selfTest.<id>.<code>` in the UI's catalogue: what was found, and on fail what to do. */
  code: string;
  params: ResultParams;
  /** ISO time the test finished. */
  at: string;
}

/**
 * Why a clerk may call a stock discrepancy handled, picked on the touchscreen (no free typing):
 * the resolution's note in the ledger.
 */
export type ResolveReason =
  'countedCorrected' | 'cardsFound' | 'printerChecked' | 'passedToSupervisor';

/**
 * Why the clerk's count of the hopper differs from the ledger, picked on the touchscreen (no free
 * typing): the correction's reason in the ledger.
 */
export type CountReason = 'miscountedAtLoad' | 'cardsLost' | 'passedToSupervisor';

/** A count of the hopper that differs from the ledger: what the clerk is asked why about. */
export interface HopperCount {
  counted: number;
  /** What the ledger said was in the hopper when the clerk counted. */
  ledger: number;
  /** The `countMismatch` discrepancy the count raised (the correction resolves it). */
  discrepancy: number;
}

/** What staff and technicians ask the kiosk to do; each is one host-provided operation. */
export type ModeOperation =
  | { op: 'loadBatch'; batch: string; serialFirst: string; serialLast: string; count: number }
  | { op: 'emptyRejectBin'; counted: number }
  | { op: 'countHopper'; counted: number }
  | { op: 'correctCount'; discrepancy: number; reason: CountReason }
  | { op: 'resolveDiscrepancy'; discrepancy: number; reason: ResolveReason }
  | { op: 'clearNotice'; notice: number }
  | { op: 'replacePaper' }
  | { op: 'ribbon'; step: 'removed' | 'disposed' | 'fitted' }
  | {
      op: 'report';
      report: 'daily' | 'readiness';
      output: 'print' | 'pdf';
      /** The readiness report states the self-tests run in this mode. */
      selfTests?: Partial<Record<SelfTestId, SelfTestResult>>;
    }
  | { op: 'exportEvents' };

export type ModeResultCode =
  | 'loaded'
  | 'batchAlreadyLoaded'
  | 'countMismatch'
  | 'serialsInvalid'
  | 'overCapacity'
  | 'boxLabelRead'
  | 'boxLabelUnreadable'
  | 'binEmptied'
  | 'binDifference'
  | 'countMatches'
  | 'countDiffers'
  | 'countCorrected'
  | 'countCorrectedNotInService'
  | 'countCorrectedAgain'
  | 'paperReplaced'
  | 'ribbonRemoved'
  | 'ribbonDisposed'
  | 'ribbonFitted'
  | 'reportPrinted'
  | 'reportSaved'
  | 'reportFailed'
  | 'eventsExported'
  | 'discrepancyResolved'
  | 'backInService'
  | 'discrepancyAgain'
  | 'noticeCleared'
  | 'alreadyHandled'
  | 'recordsUnavailable'
  | 'failed';

export interface OperationResult {
  ok: boolean;
  code: ModeResultCode;
  params: ResultParams;
}

/** A box label as the scanner read it (the form starts from it; staff check and may correct it). */
export interface BoxLabel {
  batch: string;
  serialFirst: string;
  serialLast: string;
  count: number | null;
}

export type BoxScanOutcome = { ok: true; label: BoxLabel } | { ok: false };

export interface ApduExchange {
  reader: string;
  /** As shown: a VERIFY's PIN digits are masked before they reach the context. */
  command: string;
  response: string;
  ok: boolean;
}

export type RibbonStep = 'remove' | 'dispose' | 'fit';

export type StaffPage = 'home' | 'load' | 'rejectBin' | 'count' | 'consumables' | 'todo';
export type TechnicianPage = 'home' | 'tests' | 'apdu';

export interface ModeContext {
  lang: Language;
  defaultLang: Language;
  /** From the card's certificate once it proved itself; the role is trusted only after the PIN. */
  identity: ModeIdentity | null;
  triesLeft: number | null;
  wrongPin: boolean;
  refusal: ModeRefusal | null;
  /** Last activity (epoch ms): the mode's inactivity timeout counts from it. */
  activeSince: number;
  result: OperationResult | null;
  boxLabel: BoxLabel | null;
  boxScans: number;
  ribbonStep: RibbonStep | null;
  /** The count of the hopper the clerk is asked why about (it differs from the ledger). */
  hopperCount: HopperCount | null;
  selfTests: Partial<Record<SelfTestId, SelfTestResult>>;
  runningTest: SelfTestId | null;
  exchanges: ApduExchange[];
  /** An operation or a check is running: the timeout waits for it to finish. */
  busy: boolean;
}

export type ModeEvent =
  /**
   * The staff card reader has a new card; `residentAtRest` is false while a resident is being
   * served. `lang`: what the screen shows now (the mode goes on in it).
   */
  | { type: 'CARD_INSERTED'; residentAtRest: boolean; lang?: Language }
  | { type: 'CARD_REMOVED' }
  | { type: 'MODE_PIN'; pin: string }
  | { type: 'MODE_EXIT' }
  | { type: 'STILL_HERE' }
  | { type: 'SET_LANG'; lang: Language }
  | { type: 'MODE_GO'; to: StaffPage | TechnicianPage }
  | { type: 'STOCK_LOAD'; batch: string; serialFirst: string; serialLast: string; count: number }
  | { type: 'REJECT_BIN_COUNTED'; counted: number }
  /** Staff: the blanks counted in the hopper. */
  | { type: 'HOPPER_COUNTED'; counted: number }
  /** Staff: why the count differs, picked; the ledger is corrected to the count. */
  | { type: 'HOPPER_CORRECT'; reason: CountReason }
  | { type: 'PAPER_REPLACED' }
  /** Staff: a stock discrepancy (its ledger entry) handled, for the reason picked. */
  | { type: 'STOCK_RESOLVE'; discrepancy: number; reason: ResolveReason }
  /** Staff: a staff notice dealt with. */
  | { type: 'NOTICE_CLEAR'; notice: number }
  | { type: 'RIBBON_STEP'; step: 'removed' | 'disposed' | 'fitted' }
  | { type: 'REPORT'; report: 'daily' | 'readiness'; output: 'print' | 'pdf' }
  | { type: 'SELF_TEST'; test: SelfTestId }
  | { type: 'APDU'; reader: string; command: string }
  | { type: 'EXPORT_EVENTS' };

/** What the mode writes to the audit log (the host provides the writer, with the staff id). */
export interface ModeAuditEntry {
  action: string;
  detail: Record<string, string | number | boolean | null>;
}
