/**
 * Endurance (issue 12): 1,000 consecutive simulated resident journeys in one host process (every
 * fifth with a fee paid by payment code), and what the process holds at the start, every 100
 * journeys and at the end: RSS and V8 heap after a full collection (their slope per 1,000 journeys
 * after the first 100, the warm-up), open file descriptors, active handles and timers, event
 * listeners, bridge clients, the journal database's size, and the records' state (sessions,
 * unsettled ones, the stock ledger's balance). Staff "visit" every 100 journeys (a ribbon, a paper
 * roll); the hopper is loaded for the whole run at start. Never passes or fails;
 * test/endurance runs the same in a shorter form and fails on counts that grow.
 *
 *   npx tsx bench/endurance.ts [--journeys 1000] [--every 100] [--fee-every 5]
 */
import { parseArgs } from 'node:util';
import { startBenchKiosk } from './lib/bench-kiosk.ts';
import { describeCounts, installListenerCensus } from './lib/census.ts';
import { endurance, slope, type Checkpoint } from './lib/endurance.ts';
import { footer, header, headline, loadAverage, mib, table } from './lib/report.ts';
import { Resident } from './lib/resident.ts';

installListenerCensus();
const { values } = parseArgs({
  options: {
    journeys: { type: 'string', default: '1000' },
    every: { type: 'string', default: '100' },
    'fee-every': { type: 'string', default: '5' },
  },
});
const JOURNEYS = Number(values.journeys);
const EVERY = Number(values.every);
const FEE_EVERY = Number(values['fee-every']);
const TARGET_MIB = 5;

header(`Endurance: ${JOURNEYS} consecutive journeys in one host process`);
const kiosk = await startBenchKiosk({ blanks: JOURNEYS + 50 });
const resident = await Resident.connect(kiosk.host.origin, kiosk.host.token);
const row = (c: Checkpoint) => [
  String(c.journeys),
  `${c.elapsedS.toFixed(0)} s`,
  mib(c.rss),
  mib(c.heapUsed),
  mib(c.external),
  String(c.fds),
  String(c.handles),
  String(c.timers),
  String(c.listeners.listeners),
  String(c.bridgeClients),
  `${(c.journal.db / 1024).toFixed(0)} KiB`,
  `${(c.journal.wal / 1024).toFixed(0)} KiB`,
  `${c.sessions}/${c.unsettled}`,
  c.ledger.balanced && c.ledger.discrepancies === 0 ? 'yes' : 'NO',
];
const HEAD = [
  'journeys',
  'elapsed',
  'RSS',
  'heap',
  'external',
  'fds',
  'handles',
  'timers',
  'listeners',
  'bridge',
  'journal db',
  'wal+shm',
  'sessions/unsettled',
  'ledger ok',
];
let printedHead = false;
const checkpoints = await endurance(kiosk, resident, {
  journeys: JOURNEYS,
  every: EVERY,
  feeEvery: FEE_EVERY,
  onCheckpoint: (c) => {
    // One line as each checkpoint comes, so a long run shows its progress.
    const lines = table(HEAD, [row(c)]).split('\n');
    console.log((printedHead ? lines.slice(2) : lines).join('\n') + `   (load ${loadAverage()})`);
    printedHead = true;
  },
});
await resident.close();

const first = checkpoints[0]!;
const last = checkpoints.at(-1)!;
const afterWarmUp = checkpoints.filter((c) => c.journeys >= Math.min(EVERY, JOURNEYS));
const perThousand = (f: (c: Checkpoint) => number) =>
  slope(afterWarmUp.map((c) => [c.journeys, f(c)])) * 1000;
const warm = afterWarmUp[0]!;
console.log(
  `\nafter warm-up (journey ${warm.journeys} → ${last.journeys}), slopes per 1,000 journeys (least squares over the checkpoints):`,
);
console.log(
  table(
    ['', 'per 1,000 journeys', `journey ${warm.journeys}`, `journey ${last.journeys}`],
    [
      [
        `V8 heap used (target ≤ ${TARGET_MIB} MiB)`,
        mib(
          perThousand((c) => c.heapUsed),
          2,
        ),
        mib(warm.heapUsed),
        mib(last.heapUsed),
      ],
      [
        'RSS',
        mib(
          perThousand((c) => c.rss),
          2,
        ),
        mib(warm.rss),
        mib(last.rss),
      ],
      [
        'external + array buffers',
        mib(
          perThousand((c) => c.external),
          2,
        ),
        mib(warm.external),
        mib(last.external),
      ],
      [
        'open file descriptors',
        perThousand((c) => c.fds).toFixed(1),
        String(warm.fds),
        String(last.fds),
      ],
      [
        'active handles',
        perThousand((c) => c.handles).toFixed(1),
        String(warm.handles),
        String(last.handles),
      ],
      ['timers', perThousand((c) => c.timers).toFixed(1), String(warm.timers), String(last.timers)],
      [
        'event listeners (live emitters)',
        perThousand((c) => c.listeners.listeners).toFixed(1),
        String(warm.listeners.listeners),
        String(last.listeners.listeners),
      ],
      [
        'journal database (file + WAL)',
        `${(perThousand((c) => c.journal.db + c.journal.wal) / 1024).toFixed(0)} KiB`,
        `${((warm.journal.db + warm.journal.wal) / 1024).toFixed(0)} KiB`,
        `${((last.journal.db + last.journal.wal) / 1024).toFixed(0)} KiB`,
      ],
    ],
  ),
);
console.log(
  `from the start (before any journey): RSS ${mib(first.rss)}, heap ${mib(first.heapUsed)}, ${first.fds} fds, ${first.handles} handles, ${first.listeners.listeners} listeners`,
);
console.log(
  `at the end: descriptors ${JSON.stringify(last.fdKinds)}; handles ${describeCounts(last.resources)}`,
);
console.log(
  `pending timers at the end, by callback: ${last.timerCallbacks.map(([k, n]) => `${k} ${n}`).join(', ')}`,
);
console.log(
  `V8 heap by space, per 1,000 journeys after warm-up: ${Object.keys(last.spaces)
    .map(
      (space) =>
        `${space.replace(/_space$/, '')} ${mib(
          perThousand((c) => c.spaces[space] ?? 0),
          2,
        )}`,
    )
    .join(', ')}`,
);
console.log(
  `listeners by holder at the end: ${last.listeners.top.map(([k, n]) => `${k} ${n}`).join(', ')}`,
);
console.log(
  `records at the end: ${last.sessions} sessions, ${last.unsettled} unsettled; ledger balanced ${last.ledger.balanced}, ${last.ledger.issued} issued, ${last.ledger.inHopper} in the hopper, ${last.ledger.inProcess} in process, ${last.ledger.discrepancies} discrepancies; outbox pending ${last.outboxPending}`,
);
console.log(
  `time: ${((last.elapsedS / JOURNEYS) * 1000).toFixed(0)} ms a journey on average (zero device latency), CPU ${((last.cpuS / last.elapsedS) * 100).toFixed(0)} % of one core over the run`,
);
headline('endurance', [
  {
    figure: `memory growth per 1,000 journeys after warm-up (V8 heap / RSS), ${JOURNEYS} journeys`,
    value: `${mib(
      perThousand((c) => c.heapUsed),
      2,
    )} / ${mib(
      perThousand((c) => c.rss),
      2,
    )}`,
    target: `≤ ${TARGET_MIB} MiB`,
  },
  {
    figure: `descriptors / handles / timers / listeners, journey ${warm.journeys} → ${last.journeys}`,
    value: `${warm.fds}→${last.fds} / ${warm.handles}→${last.handles} / ${warm.timers}→${last.timers} / ${warm.listeners.listeners}→${last.listeners.listeners}`,
    target: 'no growth',
  },
  {
    figure: 'journal database per 1,000 journeys; unsettled sessions; ledger',
    value: `${(perThousand((c) => c.journal.db + c.journal.wal) / 1024).toFixed(0)} KiB; ${last.unsettled}; ${last.ledger.balanced && last.ledger.discrepancies === 0 ? 'balanced' : 'NOT balanced'}`,
  },
]);
await kiosk.stop();
footer();
