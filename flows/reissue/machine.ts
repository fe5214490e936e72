/**
 * The resident's lost-card reissue (遗失补卡), as a statechart. Pure logic: every device and
 * card-centre call is an actor the host provides (`machine.provide`), every wait a named delay.
 *
 * Journey (shared/DESIGN.md): attract → identify → lookup → confirm → produce → collect →
 * receipt → take the ID card → attract. Chip first, print last; a card whose chip failed is
 * rejected and the next blank tried, a bounded number of times. Nobody's ID card is ever left
 * on the reader for the next session: the flow waits for its removal before attract.
 */
import { assign, fromPromise, setup } from 'xstate';
import type { IdCardRecord } from '../../drivers/id-reader/id-card-record.ts';
import type {
  FailureReason,
  Language,
  LookupOutcome,
  ProductionStage,
  ReadIdOutcome,
  RegisterOutput,
  ReissueContext,
  ReissueEvent,
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
  maxAttempts: number;
}

const PRODUCTION_ORDER: readonly ProductionStage[] = [
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
    card: null,
    applicationNo: null,
    transactionNo: null,
    stage: null,
    stagesDone: 0,
    attempt: 1,
    maxAttempts,
    failure: null,
    activeSince: now,
  };
}

const idFailureReason = (outcome: Extract<ReadIdOutcome, { ok: false }>): FailureReason =>
  outcome.error.kind === 'notGenuine' ? 'idNotGenuine' : 'idUnreadable';

export const reissueMachine = setup({
  types: {
    context: {} as ReissueContext,
    events: {} as ReissueEvent,
    input: {} as ReissueInput,
  },
  actors: {
    readIdCard: fromPromise<ReadIdOutcome>(notProvided('readIdCard')),
    lookup: fromPromise<LookupOutcome, { idNumber: string }>(notProvided('lookup')),
    preflight: fromPromise<StepOutcome, { blanksNeeded: number }>(notProvided('preflight')),
    register: fromPromise<
      RegisterOutput,
      { idNumber: string; cardNo: string; alreadyReported: boolean }
    >(notProvided('register')),
    feedBlank: fromPromise<StepOutcome>(notProvided('feedBlank')),
    writeChip: fromPromise<StepOutcome, { applicationNo: string; resident: IdCardRecord }>(
      notProvided('writeChip'),
    ),
    printFace: fromPromise<StepOutcome, { resident: IdCardRecord; cardNo: string }>(
      notProvided('printFace'),
    ),
    ejectCard: fromPromise<StepOutcome, { applicationNo: string }>(notProvided('ejectCard')),
    rejectCard: fromPromise<StepOutcome, { applicationNo: string | null }>(
      notProvided('rejectCard'),
    ),
    waitCardTaken: fromPromise<void>(notProvided('waitCardTaken')),
    retainCard: fromPromise<StepOutcome, { applicationNo: string | null }>(
      notProvided('retainCard'),
    ),
    printReceipt: fromPromise<
      StepOutcome,
      { resident: IdCardRecord; transactionNo: string; cardNo: string; feeFen: number; lang: Language }
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
        src: 'readIdCard',
        onDone: [
          {
            guard: ({ event }) => event.output.ok,
            target: 'lookup',
            actions: assign({
              resident: ({ event }) => (event.output.ok ? event.output.value : null),
            }),
          },
          {
            target: 'failed',
            actions: assign({
              failure: ({ event }) =>
                event.output.ok ? null : idFailureReason(event.output),
            }),
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

    lookup: {
      invoke: {
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
        src: 'preflight',
        input: ({ context }) => ({ blanksNeeded: context.maxAttempts }),
        onDone: [
          { guard: ({ event }) => event.output.ok, target: 'confirm' },
          { target: 'failed', actions: { type: 'fail', params: 'deviceNotReady' } },
        ],
        onError: { target: 'failed', actions: { type: 'fail', params: 'deviceNotReady' } },
      },
    },

    confirm: {
      entry: 'touch',
      after: { idle: 'takeIdCard' },
      on: {
        CONFIRM: 'producing',
        CANCEL: 'takeIdCard',
        STILL_HERE: { target: 'confirm', reenter: true },
      },
    },

    producing: {
      initial: 'reportingLoss',
      states: {
        reportingLoss: {
          entry: { type: 'enterStage', params: 'reportingLoss' },
          invoke: {
            src: 'register',
            input: ({ context }) => ({
              idNumber: context.resident!.idNumber,
              cardNo: context.card!.cardNo,
              alreadyReported: context.card!.status === 'reportedLost',
            }),
            onDone: {
              target: 'feeding',
              actions: assign({
                applicationNo: ({ event }) => event.output.applicationNo,
                transactionNo: ({ event }) => event.output.transactionNo,
              }),
            },
            onError: {
              target: '#reissue.failed',
              actions: { type: 'fail', params: 'cardCentreUnreachable' },
            },
          },
        },
        feeding: {
          entry: { type: 'enterStage', params: 'feeding' },
          invoke: {
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
            src: 'writeChip',
            input: ({ context }) => ({
              applicationNo: context.applicationNo!,
              resident: context.resident!,
            }),
            onDone: [
              { guard: ({ event }) => event.output.ok, target: 'printing' },
              { target: 'rejecting' },
            ],
            onError: 'rejecting',
          },
        },
        printing: {
          entry: { type: 'enterStage', params: 'printing' },
          invoke: {
            src: 'printFace',
            input: ({ context }) => ({ resident: context.resident!, cardNo: context.card!.cardNo }),
            onDone: [
              { guard: ({ event }) => event.output.ok, target: 'ejecting' },
              { target: 'rejecting' },
            ],
            onError: 'rejecting',
          },
        },
        ejecting: {
          entry: { type: 'enterStage', params: 'ejecting' },
          invoke: {
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
            src: 'rejectCard',
            input: ({ context }) => ({ applicationNo: context.applicationNo }),
            onDone: [
              {
                guard: 'attemptsLeft',
                target: 'feeding',
                actions: assign({ attempt: ({ context }) => context.attempt + 1 }),
              },
              { target: '#reissue.failed', actions: { type: 'fail', params: 'productionFailed' } },
            ],
            onError: { target: '#reissue.failed', actions: { type: 'fail', params: 'productionFailed' } },
          },
        },
      },
    },

    collect: {
      entry: 'touch',
      invoke: { src: 'waitCardTaken', onDone: 'receipt' },
      after: { cardCollect: 'retaining' },
    },

    /** Not taken in time: the card goes into the bin (recorded, staff told), never left out. */
    retaining: {
      invoke: {
        src: 'retainCard',
        input: ({ context }) => ({ applicationNo: context.applicationNo }),
        onDone: 'takeIdCard',
        onError: 'takeIdCard',
      },
    },

    receipt: {
      initial: 'printing',
      states: {
        printing: {
          invoke: {
            src: 'printReceipt',
            input: ({ context }) => ({
              resident: context.resident!,
              transactionNo: context.transactionNo!,
              cardNo: context.card!.cardNo,
              feeFen: context.card!.feeFen,
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
      invoke: { src: 'waitIdCardRemoved', onDone: 'attract', onError: 'attract' },
    },
  },
});

export type ReissueMachine = typeof reissueMachine;
