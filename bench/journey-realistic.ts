/**
 * A realistic reissue (issue 12): the complete journey on the real host with the simulated devices
 * and card centre slowed to field latencies (the table below), and how much of the resident's time
 * is the hardware's and the network's rather than ours: efficiency = (device + network) / total.
 *
 * Run time-scaled (every latency × --scale, default 0.01) for many journeys in seconds, and at full
 * scale for --full journeys (default 1, ~36 s each) to check the scaled estimate. The kiosk's own
 * overhead does not scale with the latencies, so the full-scale estimate from a scaled run is
 *   device+network(full) / (device+network(full) + overhead measured).
 *
 * The resident takes a moment (uniform 0–500 ms, theirs, not counted) before placing the ID card
 * and before taking the new card, so the reader's and the printer's polls meet them at a random
 * phase, as in service; the card printer's card-taken poll is the service one (EVOLIS_TIMEOUTS, 100 ms). The ID
 * card leaves the reader while the receipt prints. Never passes or fails.
 *
 *   npx tsx bench/journey-realistic.ts [--scale 0.01] [--journeys 20] [--full 1]
 */
import { parseArgs } from 'node:util';
import {
  LATENCY_ROWS,
  REALISTIC,
  scaled,
  startBenchKiosk,
  type BenchKiosk,
  type Delta,
} from './lib/bench-kiosk.ts';
import { runJourneys, SEGMENT_LABELS, type JourneyFigures } from './lib/journeys.ts';
import { footer, header, headline, median, ms, p95, table, type Headline } from './lib/report.ts';
import { Resident, type ResidentAction } from './lib/resident.ts';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '0.01' },
    journeys: { type: 'string', default: '20' },
    full: { type: 'string', default: '1' },
  },
});
const SCALE = Number(values.scale);
const JOURNEYS = Number(values.journeys);
const FULL = Number(values.full);
const TARGET = 0.99;

/** A resident's moment before the two actions a device must notice by polling. */
const think = (action: ResidentAction) =>
  action === 'placeIdCard' || action === 'takeCard' ? Math.random() * 500 : 0;

header('Realistic journey: device and network latencies, efficiency');
console.log('latencies (full scale; the scaled run multiplies each by the scale):');
console.log(
  table(
    ['what', 'full scale', `× ${SCALE}`],
    LATENCY_ROWS.map(([key, what]) => [what, ms(REALISTIC[key], 0), ms(REALISTIC[key] * SCALE, 2)]),
  ),
);
console.log(
  "(the ID reader also spends its serial line's own time: ~118 ms per read at 115 200 baud, unscaled, counted as device time)",
);

interface Summary {
  total: number;
  external: number;
  overhead: number;
  nominal: number;
  roundTrips: number;
  apdus: number;
}

type Span = (j: JourneyFigures) => Delta;
const cycle: Span = (j) => j.total;
const wait: Span = (j) => j.resident ?? j.total;

function summarise(runs: JourneyFigures[], span: Span): Summary {
  const m = (f: (d: Delta) => number) => median(runs.map((j) => f(span(j))));
  return {
    total: m((d) => d.wallMs),
    external: m((d) => d.externalMs),
    overhead: m((d) => d.wallMs - d.externalMs),
    nominal: m((d) => d.nominalMs),
    roundTrips: m((d) => d.roundTrips),
    apdus: m((d) => d.apdus),
  };
}

/** The full-scale figures from a scaled run: the device and network waits grow, our overhead does not. */
function fullScale(s: Summary, scale: number) {
  const external = s.external - s.nominal + s.nominal / scale;
  return { external, total: external + s.overhead, efficiency: external / (external + s.overhead) };
}

async function run(
  scale: number,
  count: number,
  firstResident: number,
): Promise<{
  runs: JourneyFigures[];
  kiosk: BenchKiosk;
  background: number;
  operations: Map<string, number>;
}> {
  // moveMs 1: the simulated printer moves at once but polls for the card taken at its service rate (100 ms).
  const kiosk = await startBenchKiosk({ latencies: scaled(REALISTIC, scale), moveMs: 1 });
  const resident = await Resident.connect(kiosk.host.origin, kiosk.host.token);
  const runs = await runJourneys(kiosk, resident, count, {
    cardFirst: false,
    removeIdCardEarly: true,
    think,
    firstResident,
  });
  await resident.close();
  await kiosk.stop();
  return {
    runs,
    kiosk,
    background: kiosk.accounts.cardReports,
    operations: kiosk.accounts.byOperation,
  };
}

function overheadBySegment(runs: JourneyFigures[]): (string | number)[][] {
  const bySegment = new Map<string, number[]>();
  for (const r of runs)
    for (const s of r.segments)
      bySegment.set(s.segment, [...(bySegment.get(s.segment) ?? []), s.wallMs - s.externalMs]);
  return [...bySegment]
    .map(([segment, list]) => ({ segment, m: median(list), p: p95(list) }))
    .filter((x) => x.m >= 1)
    .map((x) => [SEGMENT_LABELS[x.segment] ?? x.segment, ms(x.m), ms(x.p)]);
}

// Warm up (JIT, the centre's first requests), then the scaled run.
await run(SCALE, 2, 0);
const scaledRun = await run(SCALE, JOURNEYS, 100);
const headlines: Headline[] = [];
const spans: [string, Span][] = [
  ["the resident's wait: START → receipt printed (ID card already off the reader)", wait],
  ["the kiosk's cycle: START → back at attract (+ the ID card's removal confirmed)", cycle],
];
for (const [title, span] of spans) {
  const s = summarise(scaledRun.runs, span);
  const full = fullScale(s, SCALE);
  console.log(`\n${title} — ${JOURNEYS} journeys at × ${SCALE}, medians:`);
  console.log(
    table(
      ['per journey', `measured at × ${SCALE}`, 'estimated at full scale'],
      [
        ["total time (the resident's moments excluded)", ms(s.total), ms(full.total, 0)],
        ['device + network time', ms(s.external), ms(full.external, 0)],
        ['ours (total − device − network)', ms(s.overhead), ms(s.overhead)],
        [
          `efficiency = device+network / total (target ≥ ${TARGET})`,
          (s.external / s.total).toFixed(3),
          full.efficiency.toFixed(4),
        ],
        [
          "card-centre round trips on the resident's path",
          String(s.roundTrips),
          String(s.roundTrips),
        ],
        ['APDUs to the chip', String(s.apdus), String(s.apdus)],
      ],
    ),
  );
  headlines.push({
    figure: `efficiency, ${span === wait ? "the resident's wait (START → receipt)" : "the kiosk's cycle (START → attract)"}, full scale est. from × ${SCALE}`,
    value: `${full.efficiency.toFixed(4)} (${ms(full.total, 0)} total, ${ms(s.overhead, 0)} ours)`,
    target: `≥ ${TARGET}`,
  });
}
headlines.push({
  figure: "card-centre round trips per journey (resident's path + the outbox's card report)",
  value: `${summarise(scaledRun.runs, cycle).roundTrips} + ${(scaledRun.background / JOURNEYS).toFixed(0)}`,
});
console.log(
  `plus ${(scaledRun.background / JOURNEYS).toFixed(1)} background round trip(s) a journey (the outbox reporting the card issued; off the resident's path). All calls of the run (warm-up excluded), by operation: ${[
    ...scaledRun.operations,
  ]
    .map(([op, n]) => `${op} ${n}`)
    .join(', ')}`,
);
const s = summarise(scaledRun.runs, cycle);
console.log(`where our ${ms(s.overhead)} of the cycle goes (median by step; p95 beside it):`);
console.log(table(['step', 'ours', 'ours p95'], overheadBySegment(scaledRun.runs)));

if (FULL > 0) {
  const fullRun = await run(1, FULL, 200);
  for (const [title, span] of spans) {
    const f = summarise(fullRun.runs, span);
    console.log(`\n${title} — ${FULL} journey(s) at full scale, medians:`);
    console.log(
      table(
        ['per journey', 'measured'],
        [
          ['total time', ms(f.total, 0)],
          ['device + network time', ms(f.external, 0)],
          ['ours', ms(f.overhead)],
          [`efficiency (target ≥ ${TARGET})`, (f.external / f.total).toFixed(4)],
          ["card-centre round trips on the resident's path", String(f.roundTrips)],
        ],
      ),
    );
    console.log(
      `measured at full scale / estimated from × ${SCALE}: ${(f.total / fullScale(summarise(scaledRun.runs, span), SCALE).total).toFixed(3)}`,
    );
    headlines.push({
      figure: `efficiency, ${span === wait ? "the resident's wait" : "the kiosk's cycle"}, measured at full scale (${FULL} journey${FULL > 1 ? 's' : ''})`,
      value: `${(f.external / f.total).toFixed(4)} (${ms(f.total, 0)} total)`,
      target: `≥ ${TARGET}`,
    });
  }
}
headline('journey-realistic', headlines);
footer();
