/**
 * The one message protocol between the host (the truth) and the UI (a view).
 *
 * The UI sends user events and, when the kiosk runs on simulated devices, simulator actions;
 * the host pushes view snapshots. Both directions are schema-checked on receipt: the host never
 * trusts the renderer, and the UI never renders a message it does not understand.
 *
 * This file is imported by the host and by the UI bundle, so it depends on zod only.
 */
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;

/** The WebSocket sub-protocol naming this protocol; the per-start secret travels as a second one. */
export const BRIDGE_SUBPROTOCOL = 'mashang.bridge.v1';
export const TOKEN_SUBPROTOCOL_PREFIX = 'token.';
export const BRIDGE_PATH = '/bridge';

export const languages = ['zh-CN', 'en'] as const;
export const Language = z.enum(languages);
export type Language = z.infer<typeof Language>;

/** One screen per flow state the resident can see. */
export const screenIds = [
  'attract',
  'identify',
  'verifying',
  'lookup',
  'confirm',
  'payment',
  'producing',
  'collect',
  'receipt',
  'takeIdCard',
  'failed',
  'outOfService',
  // Staff and technician modes (flows/kiosk/modes.ts): the card is checked, then its PIN.
  'modeCheck',
  'modePin',
  'modeRefused',
  'staffHome',
  'staffLoad',
  'staffRejectBin',
  'staffCount',
  'staffConsumables',
  'staffTodo',
  'technicianHome',
  'technicianTests',
  'technicianApdu',
] as const;
export const ScreenId = z.enum(screenIds);
export type ScreenId = z.infer<typeof ScreenId>;

/** Why a session could not go on; each has its own message and advice on screen. */
export const failureReasons = [
  'idUnreadable',
  'idNotGenuine',
  'idExpired',
  'faceMismatch',
  'noCardOnFile',
  'noArchivedPhoto',
  'nameNotPrintable',
  'cardCentreUnreachable',
  'deviceNotReady',
  'recordsUnavailable',
  'paymentFailed',
  'paymentUnresolved',
  'productionFailed',
  'cardNotCollected',
  'feeChanged',
  'timeout',
] as const;
export const FailureReason = z.enum(failureReasons);
export type FailureReason = z.infer<typeof FailureReason>;

/** The production steps shown while the card is being made ("chip first, print last"). */
export const productionStages = [
  'reportingLoss',
  'feeding',
  'writingChip',
  'printing',
  'ejecting',
] as const;
export const ProductionStage = z.enum(productionStages);
export type ProductionStage = z.infer<typeof ProductionStage>;

// ---- Staff and technician modes ------------------------------------------------------------

export const staffRoles = ['staff', 'technician'] as const;
export const StaffRole = z.enum(staffRoles);
export type StaffRole = z.infer<typeof StaffRole>;

/** Why a staff or technician card was not let in; each has its own message on screen. */
export const modeRefusals = [
  'notStaffCard',
  'forged',
  'expired',
  'notYetValid',
  'revoked',
  'revocationUnavailable',
  'blocked',
  'cardUnreadable',
] as const;
export const ModeRefusal = z.enum(modeRefusals);
export type ModeRefusal = z.infer<typeof ModeRefusal>;

/** The technician's self-tests, each with a pass/fail and what to do on fail. */
export const selfTestIds = [
  'idReader',
  'pcsc',
  'cardPrinter',
  'testCard',
  'cleaning',
  'receiptPrinter',
  'scanner',
  'cardCentre',
] as const;
export const SelfTestId = z.enum(selfTestIds);
export type SelfTestId = z.infer<typeof SelfTestId>;

/** The kiosk's devices as the technician sees them (config `devices[].kind`). */
export const deviceKinds = [
  'id-reader',
  'card-printer',
  'chip-encoder',
  'receipt-printer',
  'qr-scanner',
  'staff-card-reader',
] as const;
export const DeviceKindId = z.enum(deviceKinds);
export type DeviceKindId = z.infer<typeof DeviceKindId>;

/** Faults the simulator panel can put on a simulated device (what a person or wear does to it). */
export const simDeviceFaults = {
  'card-printer': ['coverOpen', 'jam', 'feederEmpty', 'ribbonOut', 'rejectBoxFull', 'cleaningDue', 'disconnected'],
  'receipt-printer': ['paperOut', 'coverOpen', 'disconnected'],
  /**
   * One-shot: the next blank that reaches the contact station has a mute chip (a spoiled blank),
   * so the kiosk must reject it and make the card on a new blank.
   */
  'chip-encoder': ['spoiledBlank'],
} as const;
export type SimFaultDevice = keyof typeof simDeviceFaults;
export type SimDeviceFault = {
  [D in SimFaultDevice]: { device: D; fault: (typeof simDeviceFaults)[D][number] };
}[SimFaultDevice];

/** The simulated staff cards (drivers/staff-card/sim-staff-card.ts) the simulator panel inserts. */
export const simStaffCardKinds = ['staff', 'technician', 'forged', 'revoked', 'expired', 'blocked'] as const;
export const SimStaffCardKind = z.enum(simStaffCardKinds);
export type SimStaffCardKind = z.infer<typeof SimStaffCardKind>;

/** Everything a staff or technician operation can answer, as a message code with its values. */
export const modeResultCodes = [
  'loaded',
  'batchAlreadyLoaded',
  'countMismatch',
  'serialsInvalid',
  'overCapacity',
  'boxLabelRead',
  'boxLabelUnreadable',
  'binEmptied',
  'binDifference',
  'countMatches',
  'countDiffers',
  'countCorrected',
  'countCorrectedNotInService',
  'countCorrectedAgain',
  'paperReplaced',
  'ribbonRemoved',
  'ribbonDisposed',
  'ribbonFitted',
  'reportPrinted',
  'reportSaved',
  'reportFailed',
  'eventsExported',
  'discrepancyResolved',
  'backInService',
  'discrepancyAgain',
  'noticeCleared',
  'alreadyHandled',
  'recordsUnavailable',
  'failed',
] as const;
export const ModeResultCode = z.enum(modeResultCodes);
export type ModeResultCode = z.infer<typeof ModeResultCode>;

const Params = z.record(z.string(), z.union([z.string(), z.number()]));

/**
 * Why a clerk may call a stock discrepancy handled: picked from these on the touchscreen (no
 * free typing at a kiosk), and written to the ledger as the resolution's note.
 */
export const resolveReasons = [
  'countedCorrected',
  'cardsFound',
  'printerChecked',
  'passedToSupervisor',
] as const;
export const ResolveReason = z.enum(resolveReasons);
export type ResolveReason = z.infer<typeof ResolveReason>;

/**
 * Why a clerk's count of the hopper differs from the ledger: picked from these on the
 * touchscreen, and written to the ledger as the correction's reason.
 */
export const countReasons = ['miscountedAtLoad', 'cardsLost', 'passedToSupervisor'] as const;
export const CountReason = z.enum(countReasons);
export type CountReason = z.infer<typeof CountReason>;

/**
 * One thing for staff to handle: an unresolved stock discrepancy (it keeps residents away) or an
 * open staff notice. Codes and numbers only — the screen says them in the clerk's language, and
 * nothing personal (no name, no ID number) is ever in it.
 */
export const TodoItem = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('discrepancy'),
    /** The discrepancy's ledger entry. */
    seq: z.number().int(),
    at: z.string(),
    /** The ledger's reason code (kiosk/store/ledger.ts DiscrepancyReason). */
    reason: z.string(),
  }),
  z.object({
    type: z.literal('notice'),
    id: z.number().int(),
    at: z.string(),
    /** kiosk/store/staff-notices.ts StaffNoticeKind. */
    kind: z.string(),
    /** The numbers a clerk matches a resident's receipt with, when the notice has them. */
    applicationNo: z.string().nullable(),
    transactionNo: z.string().nullable(),
    orderNo: z.string().nullable(),
  }),
]);
export type TodoItem = z.infer<typeof TodoItem>;

export const ModeView = z.object({
  /** Who is at the kiosk, from the card's district-signed certificate (known before the PIN). */
  role: StaffRole.nullable(),
  staffId: z.string().nullable(),
  /** An operation (or the card check) is running: the screen shows it and takes no new one. */
  busy: z.boolean(),
  /** The PIN step: tries the card has left, and whether the last PIN was wrong. Never the PIN. */
  pin: z.object({ triesLeft: z.number().int().min(0).nullable(), wrong: z.boolean() }).nullable(),
  refusal: ModeRefusal.nullable(),
  /** The answer of the last operation on this screen. */
  result: z.object({ ok: z.boolean(), code: ModeResultCode, params: Params }).nullable(),
  /** Staff: the stock as the ledger has it, and the consumables. */
  stock: z
    .object({
      inHopper: z.number().int(),
      capacity: z.number().int(),
      /** Cards that should be in the reject bin: rejected + retained since it was last emptied. */
      binExpected: z.number().int(),
      binSince: z.string().nullable(),
      rejectedSince: z.number().int().min(0),
      retainedSince: z.number().int().min(0),
      /** The last emptying's difference (counted − expected), shown until the next one. */
      lastBinDifference: z.number().int().nullable(),
      discrepancies: z.number().int().min(0),
      outOfService: z.boolean(),
      ribbonFaces: z.number().int().min(0),
      ribbonSince: z.string().nullable(),
      paper: z.enum(['ok', 'nearEnd', 'out', 'unknown']),
      paperSince: z.string().nullable(),
    })
    .nullable(),
  /** Staff loading a box: what the scanner read from the box label (the form starts from it). */
  load: z
    .object({
      draft: z
        .object({
          batch: z.string(),
          serialFirst: z.string(),
          serialLast: z.string(),
          count: z.number().int().nullable(),
        })
        .nullable(),
      /** Increases with every label scanned, so the form takes a new one. */
      scans: z.number().int().min(0),
    })
    .nullable(),
  /**
   * Staff: what waits for a person — every unresolved discrepancy first (they keep residents
   * away), then the open notices, oldest first; the first few items and how many there are.
   */
  todo: z.object({ count: z.number().int().min(0), items: z.array(TodoItem) }).nullable(),
  /**
   * Staff counting the hopper: the count that differs from the ledger, while the page asks why
   * (null on the plain page).
   */
  count: z
    .object({
      counted: z.number().int().min(0),
      ledger: z.number().int(),
      discrepancy: z.number().int(),
    })
    .nullable(),
  /** Replacing the monochrome ribbon: the step that waits for its confirmation. */
  ribbonStep: z.enum(['remove', 'dispose', 'fit']).nullable(),
  /** Technician: every device, live. */
  devices: z
    .array(
      z.object({
        kind: DeviceKindId,
        transport: z.string(),
        state: z.enum(['ready', 'warning', 'busy', 'fault', 'disconnected']),
        detail: z.string().nullable(),
        identity: z.record(z.string(), z.string()).nullable(),
        errors: z.array(z.object({ at: z.string(), what: z.string() })),
      }),
    )
    .nullable(),
  tests: z
    .array(
      z.object({
        id: SelfTestId,
        state: z.enum(['notRun', 'running', 'pass', 'fail']),
        /** `selfTest.<id>.<code>` in the catalogue, with its values. */
        code: z.string().nullable(),
        params: Params,
        at: z.string().nullable(),
      }),
    )
    .nullable(),
  apdu: z
    .object({
      readers: z.array(z.object({ name: z.string(), role: z.string().nullable(), card: z.boolean() })),
      exchanges: z.array(
        z.object({ reader: z.string(), command: z.string(), response: z.string(), ok: z.boolean() }),
      ),
    })
    .nullable(),
});
export type ModeView = z.infer<typeof ModeView>;

export const ViewModel = z.object({
  screen: ScreenId,
  lang: Language,
  /** "第 2 步 / 共 5 步"; null on screens outside the numbered journey (attract, failed…). */
  step: z.object({ index: z.number().int().min(1), total: z.number().int().min(1) }).nullable(),
  /**
   * Inactivity: at `warnAt` the UI shows "are you still there?" with a countdown to `deadlineAt`
   * (both epoch ms, host clock). Null where the screen does not time out on the resident.
   */
  idle: z.object({ warnAt: z.number(), deadlineAt: z.number() }).nullable(),
  /**
   * On the collect screen: from `warnAt` the screen counts down to `retainAt`, when a card still
   * in the slot is taken back inside (host epoch ms). Absent or null elsewhere.
   */
  collect: z.object({ warnAt: z.number(), retainAt: z.number() }).nullable().optional(),
  /** Only what the resident must check on the confirm screen; the ID number is always masked. */
  resident: z
    .object({
      name: z.string(),
      maskedId: z.string(),
      cardStatus: z.enum(['normal', 'reportedLost', 'temporarilyLost']),
    })
    .nullable(),
  /** The fee the card centre asks for, in fen (0 = free). */
  fee: z.object({ amountFen: z.number().int().min(0) }).nullable(),
  production: z
    .object({
      stage: ProductionStage,
      stagesDone: z.number().int().min(0),
      attempt: z.number().int().min(1),
    })
    .nullable(),
  /** The live photo step: which try this is (the UI takes the photo with the kiosk's camera). */
  verifying: z
    .object({
      attempt: z.number().int().min(1),
      maxAttempts: z.number().int().min(1),
      checking: z.boolean(),
    })
    .nullable(),
  /** The fee step: show the payment code; charging; declined (try again or cancel); settling. */
  payment: z
    .object({
      phase: z.enum(['awaitingCode', 'charging', 'declined', 'settling']),
      amountFen: z.number().int().min(0),
    })
    .nullable(),
  /**
   * On the failure screen: money the resident should know about — refunded, or a refund still
   * pending with the card centre (staff told). Null when nothing was paid.
   */
  failure: z
    .object({
      reason: FailureReason,
      refund: z.enum(['refunded', 'pending']).nullable().default(null),
      /** The refund is being asked right now: the screen waits for its answer (no "back" yet). */
      waiting: z.boolean().optional(),
    })
    .nullable(),
  receipt: z.object({ transactionNo: z.string(), printed: z.boolean() }).nullable(),
  kiosk: z.object({ id: z.string(), siteName: z.string() }),
  /** Staff settings the UI follows: `voice` false mutes voice guidance (config `ui.voice`). */
  settings: z.object({
    voice: z.boolean(),
    /**
     * How often "take your ID card" is said again while the card stays on the reader (config
     * `timeouts.idCardRemovalSeconds`): a resident walking away without it hears it again.
     */
    idCardReminderMs: z.number().int().positive().optional(),
  }),
  /** Present only when the kiosk runs on simulated devices: drives the simulator panel. */
  simulation: z
    .object({
      idCardOnReader: z.boolean(),
      cardAtExit: z.boolean(),
      /** Which simulated staff card is in the staff card reader (null: none). */
      staffCard: SimStaffCardKind.nullable().optional(),
      /** Faults set from the panel, as `device:fault`. */
      faults: z.array(z.string()).optional(),
    })
    .nullable(),
  /** A staff or technician mode; null while the kiosk serves residents. */
  mode: ModeView.nullable().optional(),
});
export type ViewModel = z.infer<typeof ViewModel>;

/** A camera photo as a data URL: 640 × 480 JPEG is ~50–150 KB; anything near this is not ours. */
export const MAX_PHOTO_CHARS = 400_000;

/** What a resident can do from a screen. The host ignores an event the current state does not take. */
export const UserEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('START') }),
  z.object({ type: z.literal('CONFIRM') }),
  z.object({ type: z.literal('CANCEL') }),
  z.object({ type: z.literal('STILL_HERE') }),
  z.object({ type: z.literal('SET_LANG'), lang: Language }),
  z.object({ type: z.literal('RETRY') }),
  // ---- staff and technician modes (the host ignores them outside a mode) ----
  /** The PIN typed on the on-screen keypad; it goes to the card and nowhere else. */
  z.object({ type: z.literal('MODE_PIN'), pin: z.string().regex(/^\d{4,12}$/) }),
  z.object({ type: z.literal('MODE_EXIT') }),
  z.object({
    type: z.literal('MODE_GO'),
    to: z.enum(['home', 'load', 'rejectBin', 'count', 'consumables', 'todo', 'tests', 'apdu']),
  }),
  z.object({
    type: z.literal('STOCK_LOAD'),
    batch: z.string().regex(/^[A-Za-z0-9-]{1,32}$/),
    serialFirst: z.string().regex(/^[A-Za-z0-9-]{1,32}$/),
    serialLast: z.string().regex(/^[A-Za-z0-9-]{1,32}$/),
    count: z.number().int().min(1).max(10_000),
  }),
  z.object({ type: z.literal('REJECT_BIN_COUNTED'), counted: z.number().int().min(0).max(10_000) }),
  /** The blanks counted in the hopper. */
  z.object({ type: z.literal('HOPPER_COUNTED'), counted: z.number().int().min(0).max(10_000) }),
  /** Why the count differs, picked: the ledger is corrected to the count. */
  z.object({ type: z.literal('HOPPER_CORRECT'), reason: CountReason }),
  z.object({ type: z.literal('PAPER_REPLACED') }),
  /** A stock discrepancy handled, with the reason the clerk picked. */
  z.object({
    type: z.literal('STOCK_RESOLVE'),
    discrepancy: z.number().int().min(1),
    reason: ResolveReason,
  }),
  /** A staff notice dealt with. */
  z.object({ type: z.literal('NOTICE_CLEAR'), notice: z.number().int().min(1) }),
  z.object({ type: z.literal('RIBBON_STEP'), step: z.enum(['removed', 'disposed', 'fitted']) }),
  z.object({
    type: z.literal('REPORT'),
    report: z.enum(['daily', 'readiness']),
    output: z.enum(['print', 'pdf']),
  }),
  z.object({ type: z.literal('SELF_TEST'), test: SelfTestId }),
  z.object({
    type: z.literal('APDU'),
    reader: z.string().max(200),
    /** One APDU in hex, or several separated by ";" (sent in one session). */
    command: z.string().max(4000).regex(/^(?:[0-9A-Fa-f]{2}\s?){4,261}(?:;\s*(?:[0-9A-Fa-f]{2}\s?){4,261}){0,15}$/),
  }),
  z.object({ type: z.literal('EXPORT_EVENTS') }),
  /** The live photo, a JPEG data URL from the kiosk's camera (at most ~300 KB). */
  z.object({
    type: z.literal('PHOTO'),
    photo: z
      .string()
      .max(MAX_PHOTO_CHARS)
      .regex(/^data:image\/(jpeg|png);base64,[A-Za-z0-9+/=]+$/),
  }),
]);
export type UserEvent = z.infer<typeof UserEvent>;

/** A fictional resident the simulator panel (or a test) puts on the simulated ID reader. */
export const SimPerson = z.object({
  name: z.string().min(1).max(15),
  idNumber: z.string().regex(/^\d{17}[\dX]$/),
});
export type SimPerson = z.infer<typeof SimPerson>;

export const SimAction = z.discriminatedUnion('action', [
  z.object({ action: z.literal('placeIdCard'), person: SimPerson.optional() }),
  z.object({ action: z.literal('removeIdCard') }),
  z.object({ action: z.literal('takeCard') }),
  /** Shows a payment code to the simulated scanner (the embedded centre's simulated wallet codes). */
  z.object({
    action: z.literal('scanPaymentCode'),
    code: z.enum(['paid', 'paidAfterConfirming', 'neverConfirmed', 'insufficientFunds']).default('paid'),
  }),
  /** A staff or technician card into the staff card reader, or out of it. */
  z.object({ action: z.literal('placeStaffCard'), kind: SimStaffCardKind }),
  z.object({ action: z.literal('removeStaffCard') }),
  /** Shows a box of blank cards' label to the scanner (a new batch each time). */
  z.object({ action: z.literal('scanBoxLabel') }),
  /** What a person (or wear) does to a device: cover opened, card jammed, paper run out… */
  z
    .object({
      action: z.literal('deviceFault'),
      device: z.enum(['card-printer', 'receipt-printer', 'chip-encoder']),
      fault: z.string().max(40),
    })
    .refine((a) => (simDeviceFaults[a.device] as readonly string[]).includes(a.fault), {
      message: 'a fault of that device',
      path: ['fault'],
    }),
  z.object({ action: z.literal('clearFaults') }),
]);
export type SimAction = z.infer<typeof SimAction>;

export const ClientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('event'), event: UserEvent }),
  z.object({ type: z.literal('sim'), sim: SimAction }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

export const ServerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('view'), version: z.literal(PROTOCOL_VERSION), view: ViewModel }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type ServerMessage = z.infer<typeof ServerMessage>;
