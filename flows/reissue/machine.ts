/**
 * The resident's lost-card reissue (遗失补卡), every branch of it, as a statechart (issue 7).
 * Pure logic: every device and card-centre call is an actor the host provides
 * (`machine.provide`), every wait a named delay.
 *
 * identify → verify it is them → look up → pre-flight → confirm → report loss (+ application)
 * → fee (payment code; unknown → settle by query, then reversal) → produce (chip first, print
 * last; a spoiled blank is rejected and the next one tried, a bounded number of times) → collect
 * → receipt → take the ID card → attract.
 *
 * Money rule: once paid, the journey ends either with a card in the resident's hand or with a
 * refund requested from the card centre (acknowledged, or left to the outbox and flagged).
 * Timeouts: before production a timeout cancels cleanly; during production nothing waits on the
 * resident; after it a card not taken is retained. Nobody's ID card is ever left on the reader
 * for the next session: the flow waits for its removal before attract.
 */
import { assign, fromPromise, setup } from 'xstate';
import type { IdCardRecord } from '../../drivers/id-reader/id-card-record.ts';
import type {
  FaceOutcome,
  FailureReason,
  Language,
  LookupOutcome,
  PayOutcome,
  PreflightOutcome,
  ProductionStage,
  ReadIdOutcome,
  RefundOutcome,
  RegisterOutput,
  ReissueContext,
  ReissueEvent,
  SettleOutcome,
  RetainOutcome,
  StepOutcome,
} from './types.ts';

/** The default for actors the host must provide: a flow run without them fails loudly. */
function notProvided(name: string) {
  return async (): Promise<never> => {
    throw new Error(`actor "${name}" was not provided by the host`);
  };
}

export interface ReissueInput {
  lang: Language;
  /** Blanks the production may use for one resident (first try + retries). */
  maxAttempts: number;
}

/** Live photos a resident may try before being sent to the counter. */
export const MAX_FACE_ATTEMPTS = 3;

export const PRODUCTION_ORDER: readonly ProductionStage[] = [
  'reportingLoss',
  'feeding',
  'writingChip',
  'printing',
  'ejecting',
];

function fresh(lang: Language, maxAttempts: number, now: number): ReissueContext {
  return {
    lang,
    defaultLang: lang,
    resident: null,
    faceAttempts: 0,
    card: null,
    applicationNo: null,
    transactionNo: null,
    feeFen: 0,
    payAttempts: 0,
    payment: 'none',
    stage: null,
    stagesDone: 0,
    attempt: 1,
    maxAttempts,
    failure: null,
    activeSince: now,
  };
}

/** The reader's typed failures, as the resident is told: move the card, not genuine, or a fault. */
const idFailureReason = (outcome: Extract<ReadIdOutcome, { ok: false }>): FailureReason => {
  switch (outcome.error.kind) {
    case 'notGenuine':
      return 'idNotGenuine';
    case 'readerFault':
      return 'deviceNotReady';
    default:
      return 'idUnreadable';
  }
};

/** The kiosk's order number for this payment attempt: the transaction number and the attempt. */
export const orderNo = (context: ReissueContext): string => `${context.transactionNo}-${context.payAttempts}`;

const stepFailure = (outcome: StepOutcome): FailureReason =>
  outcome.ok ? 'productionFailed' : outcome.reason === 'failed' ? 'productionFailed' : outcome.reason;

export const reissueMachine = setup({
  types: {
    context: {} as ReissueContext,
    events: {} as ReissueEvent,
    input: {} as ReissueInput,
  },
  actors: {
    readIdCard: fromPromise<ReadIdOutcome>(notProvided('readIdCard')),
    verifyFace: fromPromise<FaceOutcome, { idNumber: string; photo: string }>(notProvided('verifyFace')),
    lookup: fromPromise<LookupOutcome, { idNumber: string }>(notProvided('lookup')),
    preflight: fromPromise<PreflightOutcome, { name: string; hasArchivedPhoto: boolean; blanksNeeded: number }>(
      notProvided('preflight'),
    ),
    register: fromPromise<RegisterOutput, { idNumber: string; cardNo: string; alreadyReported: boolean }>(
      notProvided('register'),
    ),
    awaitPaymentCode: fromPromise<string>(notProvided('awaitPaymentCode')),
    pay: fromPromise<PayOutcome, { orderNo: string; amountFen: number; code: string }>(notProvided('pay')),
    settlePayment: fromPromise<SettleOutcome, { orderNo: string; amountFen: number }>(notProvided('settlePayment')),
    refund: fromPromise<RefundOutcome, { orderNo: string; amountFen: number }>(notProvided('refund')),
    feedBlank: fromPromise<StepOutcome>(notProvided('feedBlank')),
    writeChip: fromPromise<StepOutcome, { applicationNo: string; resident: IdCardRecord }>(notProvided('writeChip')),
    printFace: fromPromise<StepOutcome, { resident: IdCardRecord; cardNo: string; applicationNo: string }>(
      notProvided('printFace'),
    ),
    ejectCard: fromPromise<StepOutcome, { applicationNo: string }>(notProvided('ejectCard')),
    rejectCard: fromPromise<StepOutcome, { applicationNo: string | null }>(notProvided('rejectCard')),
    waitCardTaken: fromPromise<void, { applicationNo: string }>(notProvided('waitCardTaken')),
    retainCard: fromPromise<RetainOutcome, { applicationNo: string | null }>(notProvided('retainCard')),
    printReceipt: fromPromise<
      StepOutcome,
      {
        resident: IdCardRecord;
        transactionNo: string;
        cardNo: string;
        feeFen: number;
        lossReported: boolean;
        lang: Language;
      }
    >(notProvided('printReceipt')),
    waitIdCardRemoved: fromPromise<void>(notProvided('waitIdCardRemoved')),
  },
  delays: {
    /** Inactivity on a screen that waits for the resident (config timeouts.idleSeconds). */
    idle: 60_000,
    /** A new card left in the slot this long is retained (config timeouts.cardCollectSeconds). */
    cardCollect: 60_000,
    /** How long the receipt screen stays after printing. */
    receiptShown: 5_000,
  },
  actions: {
    touch: assign({ activeSince: () => Date.now() }),
    fail: assign({ failure: (_, reason: FailureReason) => reason }),
    enterStage: assign({
      stage: (_, stage: ProductionStage) => stage,
      stagesDone: (_, stage: ProductionStage) => PRODUCTION_ORDER.indexOf(stage),
    }),
    /** Back to attract: everything of the resident is dropped from the flow's memory. */
    forgetResident: assign(({ context }) => fresh(context.defaultLang, context.maxAttempts, Date.now())),
  },
  guards: {
    attemptsLeft: ({ context }) => context.attempt < context.maxAttempts,
    paid: ({ context }) => context.payment === 'paid',
    faceAttemptsLeft: ({ context }) => context.faceAttempts < MAX_FACE_ATTEMPTS,
  },
}).createMachine({
  id: 'reissue',
  context: ({ input }) => fresh(input.lang, input.maxAttempts, Date.now()),
  initial: 'attract',
  on: {
    SET_LANG: { actions: [assign({ lang: ({ event }) => event.lang }), 'touch'] },
  },
  states: {
    attract: {
      entry: 'forgetResident',
      on: { START: 'identify' },
    },

    identify: {
      entry: 'touch',
      invoke: {
        id: 'readIdCard',
        src: 'readIdCard',
        onDone: [
          {
            guard: ({ event }) => event.output.ok,
            target: 'verifying',
            actions: assign({ resident: ({ event }) => (event.output.ok ? event.output.value : null) }),
          },
          {
            target: 'failed',
            actions: assign({ failure: ({ event }) => (event.output.ok ? null : idFailureReason(event.output)) }),
          },
        ],
        onError: { target: 'failed', actions: { type: 'fail', params: 'deviceNotReady' } },
      },
      after: { idle: 'attract' },
      on: {
        CANCEL: 'attract',
        STILL_HERE: { target: 'identify', reenter: true },
      },
    },

    /** Holding someone's ID card is not enough: a live photo must match the centre's archive. */
    verifying: {
      initial: 'capturing',
      states: {
        capturing: {
          entry: 'touch',
          after: { idle: '#reissue.takeIdCard' },
          on: {
            PHOTO: 'checking',
            CANCEL: '#reissue.takeIdCard',
            STILL_HERE: { target: 'capturing', reenter: true },
          },
        },
        checking: {
          entry: assign({ faceAttempts: ({ context }) => context.faceAttempts + 1 }),
          invoke: {
            id: 'verifyFace',
            src: 'verifyFace',
            // The photo travels in the event into the actor; it is never kept in the context.
            input: ({ context, event }) => ({
              idNumber: context.resident!.idNumber,
              photo: event.type === 'PHOTO' ? event.photo : '',
            }),
            onDone: [
              { guard: ({ event }) => event.output === 'match', target: '#reissue.lookup' },
              {
                guard: ({ event }) => event.output === 'unreachable',
                target: '#reissue.failed',
                actions: { type: 'fail', params: 'cardCentreUnreachable' },
              },
              {
                guard: ({ event, context }) => event.output === 'retry' && context.faceAttempts < MAX_FACE_ATTEMPTS,
                target: 'capturing',
              },
              { target: '#reissue.failed', actions: { type: 'fail', params: 'faceMismatch' } },
            ],
            onError: { target: '#reissue.failed', actions: { type: 'fail', params: 'cardCentreUnreachable' } },
          },
        },
      },
    },

    lookup: {
      invoke: {
        id: 'lookup',
        src: 'lookup',
        input: ({ context }) => ({ idNumber: context.resident!.idNumber }),
        onDone: [
          {
            guard: ({ event, context }) =>
              event.output.kind === 'found' &&
              context.resident!.validTo !== null &&
              context.resident!.validTo < event.output.centreToday,
            target: 'failed',
            actions: { type: 'fail', params: 'idExpired' },
          },
          {
            guard: ({ event }) => event.output.kind === 'found',
            target: 'preflight',
            actions: assign({
              card: ({ event }) =>
                event.output.kind === 'found'
                  ? {
                      cardNo: event.output.cardNo,
                      status: event.output.cardStatus,
                      feeFen: event.output.feeFen,
                      hasArchivedPhoto: event.output.hasArchivedPhoto,
                    }
                  : null,
            }),
          },
          {
            guard: ({ event }) => event.output.kind === 'noCardOnFile',
            target: 'failed',
            actions: { type: 'fail', params: 'noCardOnFile' },
          },
          { target: 'failed', actions: { type: 'fail', params: 'cardCentreUnreachable' } },
        ],
        onError: { target: 'failed', actions: { type: 'fail', params: 'cardCentreUnreachable' } },
      },
    },

    /** Before anything irreversible: can the kiosk finish? If not, take nothing from the resident. */
    preflight: {
      invoke: {
        id: 'preflight',
        src: 'preflight',
        input: ({ context }) => ({
          name: context.resident!.name,
          hasArchivedPhoto: context.card!.hasArchivedPhoto,
          blanksNeeded: context.maxAttempts,
        }),
        onDone: [
          { guard: ({ event }) => event.output.ok, target: 'confirm' },
          {
            target: 'failed',
            actions: assign({ failure: ({ event }) => (event.output.ok ? null : event.output.reason) }),
          },
        ],
        onError: { target: 'failed', actions: { type: 'fail', params: 'deviceNotReady' } },
      },
    },

    confirm: {
      entry: 'touch',
      after: { idle: 'takeIdCard' },
      on: {
        CONFIRM: 'registering',
        CANCEL: 'takeIdCard',
        STILL_HERE: { target: 'confirm', reenter: true },
      },
    },

    /** Report the loss (idempotent; skipped when already reported) and open the application. */
    registering: {
      entry: [{ type: 'enterStage', params: 'reportingLoss' }],
      invoke: {
        id: 'register',
        src: 'register',
        input: ({ context }) => ({
          idNumber: context.resident!.idNumber,
          cardNo: context.card!.cardNo,
          alreadyReported: context.card!.status === 'reportedLost',
        }),
        onDone: [
          {
            // Never ask for more than the resident confirmed (the fee on the confirm screen came
            // from the look-up; the application's may differ if the district's fee just changed).
            guard: ({ context, event }) => event.output.feeFen > context.card!.feeFen,
            target: 'failed',
            actions: [
              assign({
                applicationNo: ({ event }) => event.output.applicationNo,
                transactionNo: ({ event }) => event.output.transactionNo,
              }),
              { type: 'fail', params: 'feeChanged' },
            ],
          },
          {
            guard: ({ event }) => event.output.feeFen > 0,
            target: 'paying',
            actions: assign({
              applicationNo: ({ event }) => event.output.applicationNo,
              transactionNo: ({ event }) => event.output.transactionNo,
              feeFen: ({ event }) => event.output.feeFen,
            }),
          },
          {
            target: 'producing',
            actions: assign({
              applicationNo: ({ event }) => event.output.applicationNo,
              transactionNo: ({ event }) => event.output.transactionNo,
              feeFen: 0,
            }),
          },
        ],
        onError: { target: 'failed', actions: { type: 'fail', params: 'cardCentreUnreachable' } },
      },
    },

    paying: {
      initial: 'awaitingCode',
      states: {
        /** "Show your payment code to the scanner." Cancel is still offered: nothing is paid yet. */
        awaitingCode: {
          entry: 'touch',
          invoke: {
            id: 'awaitPaymentCode',
            src: 'awaitPaymentCode',
            onDone: 'charging',
            onError: { target: '#reissue.failed', actions: { type: 'fail', params: 'deviceNotReady' } },
          },
          after: { idle: '#reissue.takeIdCard' },
          on: {
            CANCEL: '#reissue.takeIdCard',
            STILL_HERE: { target: 'awaitingCode', reenter: true },
          },
        },
        charging: {
          entry: assign({ payAttempts: ({ context }) => context.payAttempts + 1 }),
          invoke: {
            id: 'pay',
            src: 'pay',
            input: ({ context, event }) => ({
              orderNo: orderNo(context),
              amountFen: context.feeFen,
              code: 'output' in event && typeof event.output === 'string' ? event.output : '',
            }),
            onDone: [
              {
                guard: ({ event }) => event.output === 'paid',
                target: '#reissue.producing',
                actions: assign({ payment: 'paid' }),
              },
              { guard: ({ event }) => event.output === 'declined', target: 'declined' },
              { target: 'settling' },
            ],
            // A call that failed in flight may still have charged: settle it, never assume.
            onError: 'settling',
          },
        },
        declined: {
          entry: 'touch',
          after: { idle: '#reissue.takeIdCard' },
          on: {
            RETRY: 'awaitingCode',
            CANCEL: '#reissue.takeIdCard',
            STILL_HERE: { target: 'declined', reenter: true },
          },
        },
        /** Unknown outcome: query by the same order number; reverse if it cannot be confirmed. */
        settling: {
          invoke: {
            id: 'settlePayment',
            src: 'settlePayment',
            input: ({ context }) => ({ orderNo: orderNo(context), amountFen: context.feeFen }),
            onDone: [
              {
                guard: ({ event }) => event.output === 'paid',
                target: '#reissue.producing',
                actions: assign({ payment: 'paid' }),
              },
              {
                guard: ({ event }) => event.output === 'reversed',
                target: '#reissue.failed',
                actions: { type: 'fail', params: 'paymentFailed' },
              },
              { target: '#reissue.failed', actions: { type: 'fail', params: 'paymentUnresolved' } },
            ],
            onError: { target: '#reissue.failed', actions: { type: 'fail', params: 'paymentUnresolved' } },
          },
        },
      },
    },

    producing: {
      initial: 'feeding',
      states: {
        feeding: {
          entry: { type: 'enterStage', params: 'feeding' },
          invoke: {
            id: 'feedBlank',
            src: 'feedBlank',
            onDone: [
              { guard: ({ event }) => event.output.ok, target: 'writingChip' },
              // The feed failed: the printer may hold a card of unknown state — reject it.
              { target: 'rejecting' },
            ],
            onError: 'rejecting',
          },
        },
        writingChip: {
          entry: { type: 'enterStage', params: 'writingChip' },
          invoke: {
            id: 'writeChip',
            src: 'writeChip',
            input: ({ context }) => ({ applicationNo: context.applicationNo!, resident: context.resident! }),
            onDone: [{ guard: ({ event }) => event.output.ok, target: 'printing' }, { target: 'rejecting' }],
            onError: 'rejecting',
          },
        },
        printing: {
          entry: { type: 'enterStage', params: 'printing' },
          invoke: {
            id: 'printFace',
            src: 'printFace',
            input: ({ context }) => ({
              resident: context.resident!,
              cardNo: context.card!.cardNo,
              applicationNo: context.applicationNo!,
            }),
            onDone: [{ guard: ({ event }) => event.output.ok, target: 'ejecting' }, { target: 'rejecting' }],
            onError: 'rejecting',
          },
        },
        ejecting: {
          entry: { type: 'enterStage', params: 'ejecting' },
          invoke: {
            id: 'ejectCard',
            src: 'ejectCard',
            input: ({ context }) => ({ applicationNo: context.applicationNo! }),
            onDone: [
              {
                guard: ({ event }) => event.output.ok,
                target: '#reissue.collect',
                actions: assign({ stagesDone: PRODUCTION_ORDER.length }),
              },
              { target: 'rejecting' },
            ],
            onError: 'rejecting',
          },
        },
        /** A card of unknown or spoiled state goes to the reject bin, never to the resident. */
        rejecting: {
          invoke: {
            id: 'rejectCard',
            src: 'rejectCard',
            input: ({ context }) => ({ applicationNo: context.applicationNo }),
            onDone: [
              {
                guard: ({ event, context }) => event.output.ok && context.attempt < context.maxAttempts,
                target: 'feeding',
                actions: assign({ attempt: ({ context }) => context.attempt + 1 }),
              },
              {
                guard: 'paid',
                target: '#reissue.refunding',
                actions: assign({ failure: ({ event }) => stepFailure(event.output) }),
              },
              { target: '#reissue.failed', actions: assign({ failure: ({ event }) => stepFailure(event.output) }) },
            ],
            onError: [
              { guard: 'paid', target: '#reissue.refunding', actions: { type: 'fail', params: 'productionFailed' } },
              { target: '#reissue.failed', actions: { type: 'fail', params: 'productionFailed' } },
            ],
          },
        },
      },
    },

    /** Paid but no card: the fee goes back before the resident is let go. */
    refunding: {
      invoke: {
        id: 'refund',
        src: 'refund',
        input: ({ context }) => ({ orderNo: orderNo(context), amountFen: context.feeFen }),
        onDone: [
          { guard: ({ event }) => event.output === 'refunded', target: 'failed', actions: assign({ payment: 'refunded' }) },
          { target: 'failed', actions: assign({ payment: 'refundUnknown' }) },
        ],
        onError: { target: 'failed', actions: assign({ payment: 'refundUnknown' }) },
      },
    },

    collect: {
      entry: 'touch',
      invoke: {
        id: 'waitCardTaken',
        src: 'waitCardTaken',
        input: ({ context }) => ({ applicationNo: context.applicationNo! }),
        onDone: 'receipt',
        // Cannot tell whether it was taken (the printer stopped answering): never leave a card
        // in the slot unwatched — retaining looks at the slot and takes it in if it is there.
        onError: 'retaining',
      },
      after: { cardCollect: 'retaining' },
    },

    /**
     * Not taken in time: the card goes into the bin (recorded, staff told), never left out. The
     * resident, if they come back, is told where it is and shown the number to claim it with.
     */
    retaining: {
      invoke: {
        id: 'retainCard',
        src: 'retainCard',
        input: ({ context }) => ({ applicationNo: context.applicationNo }),
        onDone: [
          // Taken at the last moment after all: the resident has it; go on as if seen taken.
          { guard: ({ event }) => event.output.ok && event.output.taken, target: 'receipt' },
          { target: 'failed', actions: { type: 'fail', params: 'cardNotCollected' } },
        ],
        onError: { target: 'failed', actions: { type: 'fail', params: 'cardNotCollected' } },
      },
    },

    receipt: {
      initial: 'printing',
      states: {
        printing: {
          invoke: {
            id: 'printReceipt',
            src: 'printReceipt',
            input: ({ context }) => ({
              resident: context.resident!,
              transactionNo: context.transactionNo!,
              cardNo: context.card!.cardNo,
              feeFen: context.feeFen,
              lossReported: true,
              lang: context.lang,
            }),
            // A receipt printer fault does not hold the resident: the card is in their hand.
            onDone: 'shown',
            onError: 'shown',
          },
        },
        shown: { after: { receiptShown: '#reissue.takeIdCard' } },
      },
    },

    failed: {
      entry: 'touch',
      after: { idle: 'takeIdCard' },
      on: {
        CANCEL: 'takeIdCard',
        STILL_HERE: { target: 'failed', reenter: true },
      },
    },

    /** Waits, however long, for the ID card to leave the reader: no one else's session may read it. */
    takeIdCard: {
      invoke: { id: 'waitIdCardRemoved', src: 'waitIdCardRemoved', onDone: 'attract', onError: 'attract' },
    },
  },
});

export type ReissueMachine = typeof reissueMachine;
