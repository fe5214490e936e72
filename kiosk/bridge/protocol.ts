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
    .object({ reason: FailureReason, refund: z.enum(['refunded', 'pending']).nullable().default(null) })
    .nullable(),
  receipt: z.object({ transactionNo: z.string(), printed: z.boolean() }).nullable(),
  kiosk: z.object({ id: z.string(), siteName: z.string() }),
  /** Staff settings the UI follows: `voice` false mutes voice guidance (config `ui.voice`). */
  settings: z.object({ voice: z.boolean() }),
  /** Present only when the kiosk runs on simulated devices: drives the simulator panel. */
  simulation: z
    .object({
      idCardOnReader: z.boolean(),
      cardAtExit: z.boolean(),
    })
    .nullable(),
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
