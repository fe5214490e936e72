/**
 * The kiosk's staff and technician modes, as a statechart beside the resident's reissue flow.
 * Pure logic: the card check, the PIN check and every stock or device operation is an actor the
 * host provides (`machine.provide`), every wait a named delay, every audit entry an action the
 * host implements.
 *
 *   closed ──card in──▶ checking ──▶ pin ──PIN──▶ verifying ──▶ staff | technician
 *      ▲                   │          │ wrong: tries left ┘          │
 *      │                   └──────────┴──▶ refused                   │
 *      └──── card out, timeout, "exit" ───────────────────────────────┘
 *
 * The host composes it with the resident flow: it tells, with each card insertion, whether the
 * resident flow is at rest (attract, or out of service); a card inserted while a resident is being
 * served is refused and written down, and the resident's screen does not change. A mode needs a
 * new insertion: after "exit" or a timeout the card must be taken out and put back.
 *
 * The card proves itself before the PIN is asked (district-signed certificate, revocation list,
 * challenge signed by the card): a forged, expired or revoked card never sees a PIN. The PIN is
 * checked by the card; it travels in the PIN event into the authenticate actor and is never kept.
 * The role comes from the verified certificate: a staff card opens the staff pages, a technician
 * card the technician's, and neither reaches the other's operations.
 */
import { assign, fromPromise, setup } from 'xstate';
import type {
  ApduExchange,
  AuthenticateOutcome,
  BoxScanOutcome,
  IdentifyOutcome,
  Language,
  ModeAuditEntry,
  ModeContext,
  ModeEvent,
  ModeOperation,
  ModeResultCode,
  OperationResult,
  SelfTestId,
  SelfTestResult,
} from './types.ts';

/** The default for actors the host must provide: a flow run without them fails loudly. */
function notProvided(name: string) {
  return async (): Promise<never> => {
    throw new Error(`actor "${name}" was not provided by the host`);
  };
}

export interface ModesInput {
  lang: Language;
}

/** APDU exchanges the console keeps on screen. */
export const APDU_HISTORY = 6;

/** The entry the audit log gets, with who did it: the staff id once the card proved itself. */
export type ModeAudit = ModeAuditEntry & { actor: string };

function fresh(lang: Language, now: number): ModeContext {
  return {
    lang,
    defaultLang: lang,
    identity: null,
    triesLeft: null,
    wrongPin: false,
    refusal: null,
    activeSince: now,
    result: null,
    boxLabel: null,
    boxScans: 0,
    ribbonStep: 'remove',
    hopperCount: null,
    selfTests: {},
    runningTest: null,
    exchanges: [],
    busy: false,
  };
}

/** `staff:S0042`, `technician:T-007`: how the audit log names a verified person. */
export const actorOf = (context: ModeContext): string =>
  context.identity ? `${context.identity.role}:${context.identity.staffId}` : 'system';

/** What the card claimed, for a refusal's audit entry (the claim may be forged: never the actor). */
const claimed = (context: ModeContext) => ({
  claimedStaffId: context.identity?.staffId ?? null,
  serial: context.identity?.serial ?? null,
});

type Ev<T extends ModeEvent['type']> = Extract<ModeEvent, { type: T }>;

/** The events of a person at the kiosk: each one restarts the mode's inactivity timeout. */
const ACTIVITY = [
  'STILL_HERE',
  'SET_LANG',
  'MODE_GO',
  'STOCK_LOAD',
  'REJECT_BIN_COUNTED',
  'HOPPER_COUNTED',
  'HOPPER_CORRECT',
  'PAPER_REPLACED',
  'RIBBON_STEP',
  'STOCK_RESOLVE',
  'NOTICE_CLEAR',
  'REPORT',
  'SELF_TEST',
  'APDU',
  'EXPORT_EVENTS',
  // A box label shown to the scanner is someone at the kiosk too.
  'xstate.done.actor.boxScan',
] as const;

const watchdog = {
  initial: 'watching',
  states: {
    watching: { after: { modeIdle: 'expired' } },
    /** Timed out; an operation still running is let finish (a card half through the printer). */
    expired: {
      always: {
        guard: 'notBusy',
        target: '#modes.closed',
        actions: {
          type: 'audit',
          params: ({ context }: { context: ModeContext }) => ended(context, 'timeout'),
        },
      },
    },
  },
  on: Object.fromEntries(ACTIVITY.map((type) => [type, { target: '.watching', actions: 'touch' }])),
} as const;

function ended(context: ModeContext, why: 'exit' | 'cardRemoved' | 'timeout'): ModeAudit {
  return { actor: actorOf(context), action: 'mode.ended', detail: { why } };
}

const idleUntil = (output: OperationResult) => ({ result: output });

/** A mode opened: written down with the role its certificate names. */
const entered = (role: 'staff' | 'technician') =>
  [
    'touch',
    {
      type: 'audit',
      params: ({ context }: { context: ModeContext }) => ({
        actor: actorOf(context),
        action: 'mode.entered',
        detail: { role },
      }),
    },
  ] as const;

/** What ends a mode from any of its pages (each written down); the language changes anywhere. */
const leaving = {
  CARD_REMOVED: {
    target: 'closed',
    actions: {
      type: 'audit',
      params: ({ context }: { context: ModeContext }) => ended(context, 'cardRemoved'),
    },
  },
  MODE_EXIT: {
    target: 'closed',
    actions: {
      type: 'audit',
      params: ({ context }: { context: ModeContext }) => ended(context, 'exit'),
    },
  },
  SET_LANG: { actions: 'setLang' },
} as const;

/** MODE_GO to each of a role's pages named (a page opens with no answer shown). */
const goTo = (role: 'staff' | 'technician', pages: readonly string[]) =>
  pages.map(
    (page) =>
      ({
        guard: ({ event }: { event: ModeEvent }) => (event as Ev<'MODE_GO'>).to === page,
        target: `#modes.${role}.page.${page}`,
        actions: 'clearResult',
      }) as const,
  );

/** Where an answer with one of `codes` leads instead (checked before the others). */
interface AnswerRoute {
  codes: readonly ModeResultCode[];
  target: string;
  /** Also keep the count the clerk is asked why about (from the answer's values). */
  keepCount?: boolean;
}

/**
 * A page's operation under way, one at a time: the page shows busy and a second press is dropped
 * (nothing is handled twice). Its answer is shown on the page — from `home` when given and it
 * succeeded, from a route's target for its codes; else from `back` (the page's `idle`). An
 * operation that throws answers "failed".
 */
function operating(
  operation: (context: ModeContext, event: ModeEvent) => ModeOperation,
  home?: '#modes.staff.page.home' | '#modes.technician.page.home',
  options: { routes?: readonly AnswerRoute[]; back?: string } = {},
) {
  const back = options.back ?? 'idle';
  const shown = { target: back, actions: 'showResult' } as const;
  const routes = (options.routes ?? []).map((route) => ({
    guard: { type: 'answered', params: { codes: route.codes } } as const,
    target: route.target,
    actions: route.keepCount ? (['showResult', 'keepCount'] as const) : (['showResult'] as const),
  }));
  return {
    entry: 'busy',
    exit: 'idle',
    invoke: {
      src: 'operate',
      input: ({ context, event }: { context: ModeContext; event: ModeEvent }) => ({
        operation: operation(context, event),
        actor: actorOf(context),
      }),
      onDone: home
        ? [...routes, { guard: 'operationOk', target: home, actions: 'showResult' } as const, shown]
        : [...routes, shown],
      onError: { target: back, actions: 'showFailed' },
    },
  } as const;
}

export const modesMachine = setup({
  types: {
    context: {} as ModeContext,
    events: {} as ModeEvent,
    input: {} as ModesInput,
  },
  actors: {
    identifyCard: fromPromise<IdentifyOutcome>(notProvided('identifyCard')),
    authenticate: fromPromise<AuthenticateOutcome, { pin: string }>(notProvided('authenticate')),
    operate: fromPromise<OperationResult, { operation: ModeOperation; actor: string }>(
      notProvided('operate'),
    ),
    awaitBoxLabel: fromPromise<BoxScanOutcome>(notProvided('awaitBoxLabel')),
    selfTest: fromPromise<SelfTestResult, { test: SelfTestId; actor: string }>(
      notProvided('selfTest'),
    ),
    sendApdu: fromPromise<ApduExchange, { reader: string; command: string; actor: string }>(
      notProvided('sendApdu'),
    ),
  },
  delays: {
    /** Inactivity in a mode, on the PIN screen included (config staff.modeTimeoutSeconds). */
    modeIdle: 300_000,
    /** How long a refusal stays on screen when the card is left in. */
    refusedShown: 20_000,
  },
  actions: {
    /** Written to the audit log by the host (hash-chained); never a PIN. */
    audit: (_, _entry: ModeAudit) => {},
    touch: assign({ activeSince: () => Date.now() }),
    busy: assign({ busy: true }),
    idle: assign({ busy: false }),
    forget: assign(({ context }) => fresh(context.defaultLang, Date.now())),
    setLang: assign({ lang: ({ event }) => (event as Ev<'SET_LANG'>).lang }),
    clearResult: assign({ result: null }),
    /** An operation's answer, shown on its page. */
    showResult: assign({
      result: ({ event }) => (event as unknown as { output: OperationResult }).output,
    }),
    /** An operation that threw: "failed" (its error is the host's log, not the screen). */
    showFailed: assign({ result: { ok: false, code: 'failed', params: {} } as OperationResult }),
    /** A count of the hopper that differs from the ledger, from the count's answer. */
    keepCount: assign({
      hopperCount: ({ event }) => {
        const { params } = (event as unknown as { output: OperationResult }).output;
        return {
          counted: Number(params.counted),
          ledger: Number(params.ledger),
          discrepancy: Number(params.discrepancy),
        };
      },
    }),
    forgetCount: assign({ hopperCount: null }),
  },
  guards: {
    notBusy: ({ context }) => !context.busy,
    operationOk: ({ event }) => (event as unknown as { output: OperationResult }).output.ok,
    answered: ({ event }, params: { codes: readonly ModeResultCode[] }) =>
      params.codes.includes((event as unknown as { output: OperationResult }).output.code),
  },
}).createMachine({
  id: 'modes',
  context: ({ input }) => fresh(input.lang, Date.now()),
  initial: 'closed',
  states: {
    /** No mode: the resident flow has the screen. */
    closed: {
      entry: 'forget',
      on: {
        CARD_INSERTED: [
          {
            // Never while a resident is being served: their screen stays, the refusal is written down.
            guard: ({ event }) => !event.residentAtRest,
            actions: {
              type: 'audit',
              params: {
                actor: 'system',
                action: 'mode.refused',
                detail: { reason: 'residentSession' },
              },
            },
          },
          {
            target: 'checking',
            actions: assign({ lang: ({ context, event }) => event.lang ?? context.lang }),
          },
        ],
      },
    },

    /** The card proves itself (certificate, revocation list, signed challenge) and says its PIN tries. */
    checking: {
      entry: ['touch', 'busy'],
      exit: 'idle',
      invoke: {
        src: 'identifyCard',
        onDone: [
          {
            guard: ({ event }) => event.output.ok && event.output.triesLeft === 'blocked',
            target: 'refused',
            actions: assign({
              identity: ({ event }) => (event.output.ok ? event.output.identity : null),
              refusal: 'blocked',
            }),
          },
          {
            guard: ({ event }) => event.output.ok,
            target: 'pin',
            actions: assign({
              identity: ({ event }) => (event.output.ok ? event.output.identity : null),
              triesLeft: ({ event }) =>
                event.output.ok && event.output.triesLeft !== 'blocked'
                  ? event.output.triesLeft
                  : null,
            }),
          },
          {
            target: 'refused',
            actions: assign({
              refusal: ({ event }) => (event.output.ok ? null : event.output.refusal),
            }),
          },
        ],
        onError: { target: 'refused', actions: assign({ refusal: 'cardUnreadable' }) },
      },
      on: { CARD_REMOVED: 'closed', SET_LANG: { actions: 'setLang' } },
    },

    /** The on-screen keypad; the card counts the tries. */
    pin: {
      entry: 'touch',
      after: {
        modeIdle: {
          target: 'closed',
          actions: {
            type: 'audit',
            params: ({ context }) => ({
              actor: 'system',
              action: 'mode.pinTimeout',
              detail: claimed(context),
            }),
          },
        },
      },
      on: {
        MODE_PIN: 'verifying',
        MODE_EXIT: 'closed',
        CARD_REMOVED: 'closed',
        STILL_HERE: { target: 'pin', reenter: true },
        SET_LANG: { actions: ['setLang', 'touch'] },
      },
    },

    verifying: {
      entry: 'busy',
      exit: 'idle',
      invoke: {
        src: 'authenticate',
        // The PIN goes from the event to the card; it is not assigned anywhere.
        input: ({ event }) => ({ pin: event.type === 'MODE_PIN' ? event.pin : '' }),
        onDone: [
          {
            guard: ({ event }) => event.output.ok && event.output.identity.role === 'staff',
            target: 'staff',
            actions: assign({
              identity: ({ event }) => (event.output.ok ? event.output.identity : null),
            }),
          },
          {
            guard: ({ event }) => event.output.ok && event.output.identity.role === 'technician',
            target: 'technician',
            actions: assign({
              identity: ({ event }) => (event.output.ok ? event.output.identity : null),
            }),
          },
          {
            guard: ({ event }) => !event.output.ok && event.output.wrongPin,
            target: 'pin',
            actions: [
              assign({
                wrongPin: true,
                triesLeft: ({ event }) =>
                  !event.output.ok && event.output.wrongPin ? event.output.triesLeft : null,
              }),
              {
                type: 'audit',
                params: ({ context, event }) => ({
                  actor: 'system',
                  action: 'mode.wrongPin',
                  detail: {
                    ...claimed(context),
                    triesLeft:
                      !event.output.ok && event.output.wrongPin ? event.output.triesLeft : null,
                  },
                }),
              },
            ],
          },
          {
            target: 'refused',
            actions: assign({
              refusal: ({ event }) =>
                !event.output.ok && !event.output.wrongPin
                  ? event.output.refusal
                  : 'cardUnreadable',
            }),
          },
        ],
        onError: { target: 'refused', actions: assign({ refusal: 'cardUnreadable' }) },
      },
      on: { CARD_REMOVED: 'closed' },
    },

    /** The reason on screen until the card is taken out (or a while passes). */
    refused: {
      entry: {
        type: 'audit',
        params: ({ context }) => ({
          actor: 'system',
          action: 'mode.refused',
          detail: { reason: context.refusal, ...claimed(context) },
        }),
      },
      after: { refusedShown: 'closed' },
      on: { MODE_EXIT: 'closed', CARD_REMOVED: 'closed', SET_LANG: { actions: 'setLang' } },
    },

    // ---- staff: card stock and consumables ---------------------------------------------------
    staff: {
      type: 'parallel',
      entry: entered('staff'),
      on: leaving,
      states: {
        watchdog,
        page: {
          initial: 'home',
          states: {
            home: {
              initial: 'idle',
              states: {
                idle: {
                  on: {
                    MODE_GO: goTo('staff', ['load', 'rejectBin', 'count', 'consumables', 'todo']),
                    REPORT: { guard: ({ event }) => event.report === 'daily', target: 'working' },
                  },
                },
                working: operating((_, event) => ({
                  op: 'report',
                  report: 'daily',
                  output: (event as Ev<'REPORT'>).output,
                })),
              },
            },

            load: {
              initial: 'idle',
              on: {
                MODE_GO: goTo('staff', ['home']),
              },
              states: {
                idle: {
                  // The box label may be scanned at any time on this page: the form starts from it.
                  invoke: {
                    id: 'boxScan',
                    src: 'awaitBoxLabel',
                    onDone: {
                      target: 'idle',
                      reenter: true,
                      actions: assign({
                        boxLabel: ({ event, context }) =>
                          event.output.ok ? event.output.label : context.boxLabel,
                        boxScans: ({ context }) => context.boxScans + 1,
                        result: ({ event }) =>
                          event.output.ok
                            ? null
                            : { ok: false, code: 'boxLabelUnreadable' as const, params: {} },
                      }),
                    },
                  },
                  on: { STOCK_LOAD: 'working' },
                },
                working: {
                  entry: 'busy',
                  exit: 'idle',
                  invoke: {
                    src: 'operate',
                    input: ({ context, event }) => {
                      const load = event as Ev<'STOCK_LOAD'>;
                      return {
                        operation: {
                          op: 'loadBatch',
                          batch: load.batch,
                          serialFirst: load.serialFirst,
                          serialLast: load.serialLast,
                          count: load.count,
                        },
                        actor: actorOf(context),
                      };
                    },
                    onDone: [
                      {
                        guard: ({ event }) => event.output.ok,
                        target: '#modes.staff.page.home',
                        actions: assign(({ event }) => ({
                          ...idleUntil(event.output),
                          boxLabel: null,
                        })),
                      },
                      { target: 'idle', actions: assign(({ event }) => idleUntil(event.output)) },
                    ],
                    onError: {
                      target: 'idle',
                      actions: assign({ result: { ok: false, code: 'failed', params: {} } }),
                    },
                  },
                },
              },
            },

            rejectBin: {
              initial: 'idle',
              states: {
                idle: {
                  on: {
                    MODE_GO: goTo('staff', ['home']),
                    REJECT_BIN_COUNTED: 'working',
                  },
                },
                working: operating(
                  (_, event) => ({
                    op: 'emptyRejectBin',
                    counted: (event as Ev<'REJECT_BIN_COUNTED'>).counted,
                  }),
                  '#modes.staff.page.home',
                ),
              },
            },

            /**
             * The blanks in the hopper, taken out, counted and put back. A count the ledger agrees
             * with is recorded and the page goes home. One that differs is recorded too — and is a
             * discrepancy (residents kept away) — and the page asks why, with a few preset reasons:
             * the one picked corrects the ledger to the count and resolves it; "cancel" leaves it
             * open for the to-do page.
             */
            count: {
              initial: 'idle',
              exit: 'forgetCount',
              states: {
                idle: {
                  on: {
                    MODE_GO: goTo('staff', ['home']),
                    HOPPER_COUNTED: 'counting',
                  },
                },
                counting: operating(
                  (_, event) => ({
                    op: 'countHopper',
                    counted: (event as Ev<'HOPPER_COUNTED'>).counted,
                  }),
                  '#modes.staff.page.home',
                  { routes: [{ codes: ['countDiffers'], target: 'why', keepCount: true }] },
                ),
                why: {
                  on: {
                    // Cancel: the discrepancy stays open, on the to-do page.
                    MODE_GO: goTo('staff', ['home']),
                    HOPPER_CORRECT: 'correcting',
                  },
                },
                // Written (even when the printer still disagrees): home, with the answer. Not
                // written: the question again.
                correcting: operating(
                  (context, event) => ({
                    op: 'correctCount',
                    discrepancy: context.hopperCount?.discrepancy ?? 0,
                    reason: (event as Ev<'HOPPER_CORRECT'>).reason,
                  }),
                  '#modes.staff.page.home',
                  {
                    routes: [{ codes: ['countCorrectedAgain'], target: '#modes.staff.page.home' }],
                    back: 'why',
                  },
                ),
              },
            },

            consumables: {
              initial: 'idle',
              states: {
                idle: {
                  on: {
                    MODE_GO: goTo('staff', ['home']),
                    PAPER_REPLACED: 'working',
                    // The used ribbon holds a readable negative of every face printed with it: out,
                    // destroyed, new one in — each confirmed and audited, in this order only.
                    RIBBON_STEP: {
                      guard: ({ context, event }) =>
                        (event.step === 'removed' && context.ribbonStep === 'remove') ||
                        (event.step === 'disposed' && context.ribbonStep === 'dispose') ||
                        (event.step === 'fitted' && context.ribbonStep === 'fit'),
                      target: 'working',
                    },
                  },
                },
                working: {
                  entry: 'busy',
                  exit: 'idle',
                  invoke: {
                    src: 'operate',
                    input: ({ context, event }) => ({
                      operation:
                        event.type === 'RIBBON_STEP'
                          ? { op: 'ribbon', step: event.step }
                          : { op: 'replacePaper' },
                      actor: actorOf(context),
                    }),
                    onDone: {
                      target: 'idle',
                      actions: assign(({ context, event }) => ({
                        ...idleUntil(event.output),
                        ribbonStep: !event.output.ok
                          ? context.ribbonStep
                          : event.output.code === 'ribbonRemoved'
                            ? ('dispose' as const)
                            : event.output.code === 'ribbonDisposed'
                              ? ('fit' as const)
                              : event.output.code === 'ribbonFitted'
                                ? ('remove' as const)
                                : context.ribbonStep,
                      })),
                    },
                    onError: {
                      target: 'idle',
                      actions: assign({ result: { ok: false, code: 'failed', params: {} } }),
                    },
                  },
                },
              },
            },

            /**
             * What waits for a person: unresolved stock discrepancies (they keep residents away)
             * and staff notices. Each is handled on its own; the page stays, with the answer, so
             * the clerk goes on with the next. Only here: a technician's pages, and a card whose
             * PIN was not given, never take these events.
             */
            todo: {
              initial: 'idle',
              states: {
                idle: {
                  on: {
                    MODE_GO: goTo('staff', ['home']),
                    STOCK_RESOLVE: 'working',
                    NOTICE_CLEAR: 'working',
                  },
                },
                // A second press while one is written is dropped (nothing is handled twice).
                working: operating((_, event) =>
                  event.type === 'STOCK_RESOLVE'
                    ? {
                        op: 'resolveDiscrepancy',
                        discrepancy: event.discrepancy,
                        reason: event.reason,
                      }
                    : { op: 'clearNotice', notice: (event as Ev<'NOTICE_CLEAR'>).notice },
                ),
              },
            },
          },
        },
      },
    },

    // ---- technician: hardware diagnostics ----------------------------------------------------
    technician: {
      type: 'parallel',
      entry: entered('technician'),
      on: leaving,
      states: {
        watchdog,
        page: {
          initial: 'home',
          states: {
            home: {
              initial: 'idle',
              states: {
                idle: {
                  on: {
                    MODE_GO: goTo('technician', ['tests', 'apdu']),
                    REPORT: {
                      guard: ({ event }) => event.report === 'readiness',
                      target: 'working',
                    },
                    EXPORT_EVENTS: 'working',
                  },
                },
                working: operating((context, event) =>
                  event.type === 'REPORT'
                    ? {
                        op: 'report',
                        report: 'readiness',
                        output: event.output,
                        selfTests: context.selfTests,
                      }
                    : { op: 'exportEvents' },
                ),
              },
            },

            tests: {
              initial: 'idle',
              states: {
                idle: {
                  on: {
                    MODE_GO: goTo('technician', ['home']),
                    SELF_TEST: {
                      target: 'testing',
                      actions: assign({ runningTest: ({ event }) => event.test }),
                    },
                  },
                },
                testing: {
                  entry: 'busy',
                  exit: 'idle',
                  invoke: {
                    src: 'selfTest',
                    input: ({ context }) => ({
                      test: context.runningTest!,
                      actor: actorOf(context),
                    }),
                    onDone: {
                      target: 'idle',
                      actions: assign({
                        selfTests: ({ context, event }) => ({
                          ...context.selfTests,
                          [context.runningTest!]: event.output,
                        }),
                        runningTest: null,
                      }),
                    },
                    onError: {
                      target: 'idle',
                      actions: assign({
                        selfTests: ({ context }) => ({
                          ...context.selfTests,
                          [context.runningTest!]: {
                            pass: false,
                            code: 'error',
                            params: {},
                            at: new Date().toISOString(),
                          },
                        }),
                        runningTest: null,
                      }),
                    },
                  },
                },
              },
            },

            apdu: {
              initial: 'idle',
              states: {
                idle: {
                  on: {
                    MODE_GO: goTo('technician', ['home']),
                    APDU: 'sending',
                  },
                },
                sending: {
                  entry: 'busy',
                  exit: 'idle',
                  invoke: {
                    src: 'sendApdu',
                    input: ({ context, event }) => ({
                      reader: (event as Ev<'APDU'>).reader,
                      command: (event as Ev<'APDU'>).command,
                      actor: actorOf(context),
                    }),
                    onDone: {
                      target: 'idle',
                      actions: assign({
                        exchanges: ({ context, event }) =>
                          [...context.exchanges, event.output].slice(-APDU_HISTORY),
                      }),
                    },
                    onError: { target: 'idle' },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
});

export type ModesMachine = typeof modesMachine;
