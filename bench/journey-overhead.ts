/**
 * Software overhead of a whole reissue (issue 12): the complete resident journey on the real host
 * with simulated devices at zero device latency, many times, and what of each journey's time is
 * the kiosk's code — flows, drivers, journal, bridge, templates — by step.
 *
 * The resident acts at once on every screen, through the bridge as the UI does. The ID card lies
 * on the reader before START and is taken off while the receipt prints, so no reader poll falls
 * between a resident's action and the kiosk's look; the one wait the kiosk makes by design — the
 * ID card's removal is confirmed by a second look one reader poll (100 ms) later — is shown apart.
 * The card centre runs in its own process (`mashang card-centre`).
 *
 * Per journey: wall time; device and network time (the ID reader's 115 200-baud line, each
 * card-centre round trip's whole time); ours = wall − that − the designed wait; and CPU time of
 * this process (the kiosk + the in-process device simulators + the simulated resident). Then the
 * same journeys under V8's profiler: the CPU split by component. Never passes or fails.
 *
 *   npx tsx bench/journey-overhead.ts [--journeys 60] [--warmup 5] [--fee-every 0] [--profile 20]
 */
import { parseArgs } from 'node:util';
import { startBenchKiosk } from './lib/bench-kiosk.ts';
import { runJourneys, SEGMENT_LABELS, type JourneyFigures } from './lib/journeys.ts';
import { profileShares } from './lib/profile.ts';
import { footer, header, headline, median, ms, p95, table } from './lib/report.ts';
import { Resident } from './lib/resident.ts';

const { values } = parseArgs({
  options: {
    journeys: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '5' },
    'fee-every': { type: 'string', default: '0' },
    profile: { type: 'string', default: '20' },
  },
});
const JOURNEYS = Number(values.journeys);
const WARMUP = Number(values.warmup);
const FEE_EVERY = Number(values['fee-every']);
const PROFILED = Number(values.profile);
/** Issue 12's target, printed beside the figure (never judged here). */
const TARGET_MS = 150;

header('Software overhead of a whole reissue (zero device latency)');
const kiosk = await startBenchKiosk();
const resident = await Resident.connect(kiosk.host.origin, kiosk.host.token);
const fee = (n: number) => FEE_EVERY > 0 && n % FEE_EVERY === FEE_EVERY - 1;

await runJourneys(kiosk, resident, WARMUP, { fee, firstResident: 0 });
const runs = await runJourneys(kiosk, resident, JOURNEYS, { fee, firstResident: WARMUP });

const pick = (f: (j: JourneyFigures) => number) => runs.map(f);
const wall = pick((j) => j.total.wallMs);
const external = pick((j) => j.total.externalMs);
const ours = pick((j) => j.total.oursMs);
const cpu = pick((j) => j.total.cpuMs);
const trips = pick((j) => j.total.roundTrips);
console.log(
  `${JOURNEYS} journeys after ${WARMUP} warm-up${FEE_EVERY > 0 ? `, every ${FEE_EVERY}th with a fee` : ', no fee (district 330106)'}; simulated printers at moveMs 0`,
);
console.log(
  table(
    ['per journey', 'median', 'p95'],
    [
      ['wall time, START → back at attract', ms(median(wall)), ms(p95(wall))],
      [
        '  device + network (ID line at 115 200 Bd, card-centre round trips)',
        ms(median(external)),
        ms(p95(external)),
      ],
      [
        '  designed wait: ID-card removal confirmed one reader poll later',
        ms(runs[0]!.designedWaitMs),
        ms(runs[0]!.designedWaitMs),
      ],
      [
        `  ours = wall − the two above (target ≤ ${TARGET_MS} ms median)`,
        ms(median(ours)),
        ms(p95(ours)),
      ],
      [
        'CPU time of the process (kiosk + in-process simulators + resident)',
        ms(median(cpu)),
        ms(p95(cpu)),
      ],
      ["card-centre round trips on the resident's path", String(median(trips)), String(p95(trips))],
    ],
  ),
);
console.log(
  `ours / wall (median): ${(median(ours) / median(wall)).toFixed(3)}; CPU / ours: ${(median(cpu) / median(ours)).toFixed(2)}`,
);
console.log(
  `background round trips, off the resident's path: ${kiosk.accounts.cardReports} card reports by the outbox, ${kiosk.accounts.backgroundRoundTrips - kiosk.accounts.cardReports} others (the staff-card revocation list…), in all`,
);

// The split by step: each segment is the time from one screen (stage) being sent to the next.
const bySegment = new Map<string, JourneyFigures['segments']>();
for (const run of runs)
  for (const s of run.segments) bySegment.set(s.segment, [...(bySegment.get(s.segment) ?? []), s]);
console.log('\nby step (medians over the journeys that had the step):');
console.log(
  table(
    ['step', 'wall', 'device+net', 'ours', 'CPU', 'round trips', 'ours p95'],
    [...bySegment].map(([segment, list]) => [
      SEGMENT_LABELS[segment] ?? segment,
      ms(median(list.map((s) => s.wallMs))),
      ms(median(list.map((s) => s.externalMs))),
      ms(
        median(
          list.map((s) => s.oursMs - (segment === 'takeIdCard' ? runs[0]!.designedWaitMs : 0)),
        ),
      ),
      ms(median(list.map((s) => s.cpuMs))),
      String(median(list.map((s) => s.roundTrips))),
      ms(p95(list.map((s) => s.oursMs - (segment === 'takeIdCard' ? runs[0]!.designedWaitMs : 0)))),
    ]),
  ),
);
console.log(
  `(ours of the ID-card removal step excludes its designed ${runs[0]!.designedWaitMs} ms wait)`,
);

if (PROFILED > 0) {
  const { shares, totalMs } = await profileShares(async () => {
    await runJourneys(kiosk, resident, PROFILED, { fee, firstResident: WARMUP + JOURNEYS });
  });
  console.log(
    `\nCPU by component (V8 sampling profiler over ${PROFILED} more journeys, ${(totalMs / PROFILED).toFixed(0)} ms sampled a journey; shares only):`,
  );
  console.log(
    table(
      ['component', 'share'],
      shares.map(([name, share]) => [name, `${(share * 100).toFixed(1)} %`]),
    ),
  );
}

headline('journey-overhead', [
  {
    figure: 'software overhead per journey (ours), median / p95',
    value: `${ms(median(ours))} / ${ms(p95(ours))}`,
    target: `≤ ${TARGET_MS} ms median`,
  },
  { figure: 'CPU time per journey, median / p95', value: `${ms(median(cpu))} / ${ms(p95(cpu))}` },
  { figure: 'wall time per journey at zero device latency, median', value: ms(median(wall)) },
]);
await resident.close();
await kiosk.stop();
footer();
