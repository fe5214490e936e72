/**
 * The view the UI renders, computed from the reissue flow's snapshot. Only what a screen needs
 * leaves the host: the ID number is masked here, once, and nothing else of the ID card is sent.
 */
import type { SnapshotFrom } from 'xstate';
import { MAX_FACE_ATTEMPTS, type ReissueMachine } from '../../flows/reissue/machine.ts';
import type { PaymentPhase } from '../../flows/reissue/types.ts';
import type { ScreenId, ViewModel } from '../bridge/protocol.ts';
import { maskIdNumber } from '../log/mask.ts';

export interface ViewSettings {
  kioskId: string;
  siteName: string;
  idleMs: number;
  idleWarningMs: number;
  /** A new card left in the slot this long is retained (config timeouts.cardCollectSeconds). */
  cardCollectMs: number;
  /** Voice guidance on (config `ui.voice`). */
  voice: boolean;
  /** "Take your ID card" is said again this often while it stays on the reader. */
  idCardReminderMs?: number;
}

export type SimulationView = NonNullable<ViewModel['simulation']>;

/** Where each state stands in the numbered journey "第 n 步 / 共 5 步". */
const STEPS: Partial<Record<ScreenId, number>> = {
  identify: 1,
  verifying: 1,
  lookup: 2,
  confirm: 2,
  payment: 3,
  producing: 3,
  collect: 4,
  receipt: 5,
  takeIdCard: 5,
};
const TOTAL_STEPS = 5;

/** Screens on which the resident's inactivity ends the session (with a warning first). */
const IDLE_SCREENS = new Set<ScreenId>(['identify', 'verifying', 'confirm', 'payment', 'failed']);

export function screenOf(snapshot: SnapshotFrom<ReissueMachine>): ScreenId {
  const value = snapshot.value;
  const top = typeof value === 'string' ? value : Object.keys(value)[0]!;
  switch (top) {
    case 'preflight':
      return 'lookup';
    case 'registering':
    case 'refunding':
      return top === 'registering' ? 'producing' : 'failed';
    case 'paying':
      return 'payment';
    case 'retaining':
      return 'collect';
    default:
      return top as ScreenId;
  }
}

export function buildView(
  snapshot: SnapshotFrom<ReissueMachine>,
  settings: ViewSettings,
  simulation: SimulationView | null,
): ViewModel {
  const context = snapshot.context;
  const screen = screenOf(snapshot);
  const step = STEPS[screen];
  const showResident = screen === 'confirm' && context.resident !== null && context.card !== null;
  const paymentPhase = snapshot.matches('paying') ? (Object.values(snapshot.value)[0] as PaymentPhase) : null;
  const checkingFace = snapshot.matches({ verifying: 'checking' });
  // The resident's inactivity counts only where the screen waits for them.
  const waitsForResident =
    IDLE_SCREENS.has(screen) &&
    !checkingFace &&
    !snapshot.matches('refunding') &&
    (paymentPhase === null || paymentPhase === 'awaitingCode' || paymentPhase === 'declined');
  return {
    screen,
    lang: context.lang,
    step: step === undefined ? null : { index: step, total: TOTAL_STEPS },
    idle: waitsForResident
      ? {
          warnAt: context.activeSince + settings.idleMs - settings.idleWarningMs,
          deadlineAt: context.activeSince + settings.idleMs,
        }
      : null,
    // The card waits in the slot: the last part of that wait counts down on screen, so a resident
    // who turned away hears and sees that it will be kept inside, not lost.
    collect: snapshot.matches('collect')
      ? {
          warnAt: context.activeSince + settings.cardCollectMs - Math.min(settings.idleWarningMs, settings.cardCollectMs / 2),
          retainAt: context.activeSince + settings.cardCollectMs,
        }
      : null,
    resident: showResident
      ? {
          name: context.resident!.name,
          maskedId: maskIdNumber(context.resident!.idNumber),
          cardStatus: context.card!.status,
        }
      : null,
    fee: screen === 'confirm' && context.card ? { amountFen: context.card.feeFen } : null,
    production:
      screen === 'producing' && context.stage
        ? { stage: context.stage, stagesDone: context.stagesDone, attempt: context.attempt }
        : null,
    verifying:
      screen === 'verifying'
        ? { attempt: Math.min(context.faceAttempts + (checkingFace ? 0 : 1), MAX_FACE_ATTEMPTS), maxAttempts: MAX_FACE_ATTEMPTS, checking: checkingFace }
        : null,
    payment: paymentPhase ? { phase: paymentPhase, amountFen: context.feeFen } : null,
    failure:
      screen === 'failed' && context.failure
        ? {
            reason: context.failure,
            refund:
              context.payment === 'refunded'
                ? 'refunded'
                : context.payment === 'refundUnknown' || snapshot.matches('refunding')
                  ? 'pending'
                  : null,
            ...(snapshot.matches('refunding') ? { waiting: true } : {}),
          }
        : null,
    // The failure screen shows the number too: staff at the counter find the case by it.
    receipt:
      (screen === 'receipt' || screen === 'failed') && context.transactionNo
        ? { transactionNo: context.transactionNo, printed: snapshot.matches({ receipt: 'shown' }) }
        : null,
    kiosk: { id: settings.kioskId, siteName: settings.siteName },
    settings: {
      voice: settings.voice,
      ...(settings.idCardReminderMs ? { idCardReminderMs: settings.idCardReminderMs } : {}),
    },
    simulation,
  };
}
