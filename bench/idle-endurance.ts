/**
 * Idle endurance (issue 12): the kiosk on attract for a configurable time with its device polling
 * running (the ID reader's health check, the printers' status polls, the records' service check,
 * the outbox retrying what the card centre does not take yet), while the world around it changes:
 *   - every --unplug-every seconds its serial devices are unplugged and plugged back 3 s later
 *     (the ID reader's line, the card printer's, the receipt printer's);
 *   - every --pcscd-every seconds pcscd is restarted under a PC/SC chip encoder running in the same
 *     process on the real stack (pcscd + vpcd, test/pcsc/pcscd-fixture.ts) — the host's own chip
 *     encoder is the simulated one in this configuration.
 * Printed at the start, at each tenth of the run and at the end: descriptors, handles, timers,
 * listeners, memory after a full collection, CPU use of the process while idle; how often the
 * kiosk came back to "ready" after a replug and the PC/SC reader after a restart; and at the end,
 * one resident journey to show it still serves. Never passes or fails.
 *
 *   npx tsx bench/idle-endurance.ts [--minutes 2 | --hours 8] [--unplug-every 20] [--pcscd-every 30]
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startBenchKiosk, type BenchKiosk } from './lib/bench-kiosk.ts';
import { census, describeCounts, installListenerCensus, type Census } from './lib/census.ts';
import { journey } from './lib/journeys.ts';
import { footer, header, headline, loadAverage, mib, table } from './lib/report.ts';
import { Resident } from './lib/resident.ts';

installListenerCensus();
const { values } = parseArgs({
  options: {
    minutes: { type: 'string' },
    hours: { type: 'string' },
    'unplug-every': { type: 'string', default: '20' },
    'pcscd-every': { type: 'string', default: '30' },
  },
});
const DURATION_MS =
  values.hours !== undefined
    ? Number(values.hours) * 3_600_000
    : Number(values.minutes ?? 2) * 60_000;
const UNPLUG_EVERY_MS = Number(values['unplug-every']) * 1000;
const PCSCD_EVERY_MS = Number(values['pcscd-every']) * 1000;
const UNPLUGGED_MS = 3_000;

header(
  `Idle endurance: ${(DURATION_MS / 60_000).toFixed(1)} min on attract, serial devices unplugged every ${UNPLUG_EVERY_MS / 1000} s, pcscd restarted every ${PCSCD_EVERY_MS / 1000} s`,
);

/** The PC/SC side: a chip encoder over the real pcscd (restartable), or why it is skipped. */
interface PcscRig {
  /** The reader manager's view: no_service while pcscd is away, no_card/ready once it is back. */
  state(): string;
  /** Times the manager lost the PC/SC service. */
  lost(): number;
  restart(): Promise<void>;
  close(): Promise<void>;
}
async function pcscRig(): Promise<PcscRig | string> {
  // The fixture fixes this process's PC/SC socket when imported: before any PC/SC context.
  const fixture = await import('../test/pcsc/pcscd-fixture.ts');
  const problems = fixture
    .pcscStackProblems()
    .filter((p) => !p.startsWith('pcsc-tools') && !p.startsWith('a C compiler'));
  if (problems.length > 0) return `missing ${problems.join(', ')} (${fixture.PCSC_INSTALL_HINT})`;
  const { createPcscChipEncoder } = await import('../drivers/chip-encoder/pcsc-chip-encoder.ts');
  const pcscd = await fixture.Pcscd.start();
  const encoder = createPcscChipEncoder({
    readerPattern: `^${fixture.VPCD_READERS[0]}$`,
    allowVirtualReaders: true,
  });
  let lost = 0;
  let previous = '';
  encoder.manager.onStatus((_, status) => {
    if (status.state === 'no_service' && previous !== 'no_service') lost++;
    previous = status.state;
  });
  return {
    state: () => encoder.manager.status('chip-encoder').state,
    lost: () => lost,
    restart: () => pcscd.restart(),
    close: async () => {
      await encoder.close();
      await pcscd.dispose();
    },
  };
}

const waitUntil = async (test: () => boolean, timeoutMs: number): Promise<boolean> => {
  const until = performance.now() + timeoutMs;
  while (!test()) {
    if (performance.now() > until) return false;
    await sleep(20);
  }
  return true;
};

const kiosk: BenchKiosk = await startBenchKiosk();
const resident = await Resident.connect(kiosk.host.origin, kiosk.host.token);
// One journey first: what a served resident leaves (caches, pools) is part of the idle state.
await journey(kiosk, resident, 0);
const rig = await pcscRig().catch(
  (error: unknown) => `could not start pcscd: ${(error as Error).message}`,
);
const SERVED = ['no_card', 'ready', 'card_error'];
if (typeof rig === 'string') console.log(`PC/SC part skipped: ${rig}`);
else {
  // The start census comes once the reader manager has found pcscd and its reader.
  await waitUntil(() => SERVED.includes(rig.state()), 15_000);
  console.log(`PC/SC chip encoder on pcscd + vpcd: reader ${rig.state()}`);
}
await sleep(1_000);

const simulation = kiosk.host.devices.simulation!;
let unplugs = 0;
let recovered = 0;
const recoveryMs: number[] = [];
let restarts = 0;
let pcscRecovered = 0;

async function unplugCycle(): Promise<void> {
  unplugs++;
  simulation.idReader.line.unplug();
  simulation.cardPrinter.unplug();
  simulation.receiptPrinter.fault = 'disconnected';
  await sleep(UNPLUGGED_MS);
  const start = performance.now();
  simulation.idReader.line.replug();
  simulation.cardPrinter.replug();
  simulation.receiptPrinter.fault = null;
  if (await waitUntil(() => kiosk.host.health().status === 'ready', 30_000)) {
    recovered++;
    recoveryMs.push(performance.now() - start);
  }
}

async function pcscdCycle(): Promise<void> {
  if (typeof rig === 'string') return;
  restarts++;
  await rig.restart();
  if (await waitUntil(() => SERVED.includes(rig.state()), 15_000)) pcscRecovered++;
}

interface Sample extends Census {
  atS: number;
  cpuPercent: number;
}
const samples: Sample[] = [];
const started = performance.now();
let lastCpu = process.cpuUsage();
let lastAt = started;
const sample = async () => {
  const now = performance.now();
  const cpu = process.cpuUsage(lastCpu);
  const c = await census();
  samples.push({
    ...c,
    atS: (now - started) / 1000,
    cpuPercent: ((cpu.user + cpu.system) / 1000 / (now - lastAt)) * 100,
  });
  lastCpu = process.cpuUsage();
  lastAt = performance.now();
  const s = samples.at(-1)!;
  console.log(
    `${s.atS.toFixed(0).padStart(6)} s  RSS ${mib(s.rss)}  heap ${mib(s.heapUsed)}  fds ${s.fds}  handles ${s.handles}  timers ${s.timers}  listeners ${s.listeners.listeners}  CPU ${samples.length > 1 ? `${s.cpuPercent.toFixed(2)} %` : '—'} since last  health ${kiosk.host.health().status}  (load ${loadAverage()})`,
  );
};

await sample();
const tenth = DURATION_MS / 10;
let nextSample = tenth;
let nextUnplug = UNPLUG_EVERY_MS;
let nextPcscd = PCSCD_EVERY_MS;
while (performance.now() - started < DURATION_MS) {
  const elapsed = performance.now() - started;
  if (elapsed >= nextUnplug) {
    nextUnplug += UNPLUG_EVERY_MS;
    await unplugCycle();
  } else if (elapsed >= nextPcscd) {
    nextPcscd += PCSCD_EVERY_MS;
    await pcscdCycle();
  } else if (elapsed >= nextSample) {
    nextSample += tenth;
    await sample();
  } else {
    await sleep(Math.max(10, Math.min(nextUnplug, nextPcscd, nextSample) - elapsed));
  }
}
// Settle after the last replug, then the final count.
await waitUntil(() => kiosk.host.health().status === 'ready', 30_000);
await sleep(1_000);
await sample();

const first = samples[0]!;
const last = samples.at(-1)!;
const idleCpu = samples.slice(1).map((s) => s.cpuPercent);
console.log(
  table(
    ['', 'start', 'end', 'change'],
    [
      ['RSS', mib(first.rss), mib(last.rss), mib(last.rss - first.rss, 2)],
      [
        'V8 heap used',
        mib(first.heapUsed),
        mib(last.heapUsed),
        mib(last.heapUsed - first.heapUsed, 2),
      ],
      ['open file descriptors', String(first.fds), String(last.fds), String(last.fds - first.fds)],
      [
        'active handles',
        String(first.handles),
        String(last.handles),
        String(last.handles - first.handles),
      ],
      [
        'pending timers',
        String(first.timers),
        String(last.timers),
        String(last.timers - first.timers),
      ],
      [
        'event listeners',
        String(first.listeners.listeners),
        String(last.listeners.listeners),
        String(last.listeners.listeners - first.listeners.listeners),
      ],
    ],
  ),
);
console.log(
  `CPU of the process while idle: mean ${(idleCpu.reduce((a, b) => a + b, 0) / Math.max(1, idleCpu.length)).toFixed(2)} % of one core, max ${Math.max(...idleCpu).toFixed(2)} % (per tenth of the run, incl. unplug cycles)`,
);
console.log(
  `serial unplug/replug cycles: ${unplugs}, back to ready after ${recovered} (median ${recoveryMs.length ? recoveryMs.sort((a, b) => a - b)[Math.floor(recoveryMs.length / 2)]!.toFixed(0) : 'n/a'} ms after the replug)`,
);
console.log(
  typeof rig === 'string'
    ? `pcscd restarts: skipped (${rig})`
    : `pcscd restarts: ${restarts}; the reader manager saw the service go ${rig.lost()} times and had its reader back after ${pcscRecovered}; reader now: ${rig.state()}`,
);
console.log(
  `at the end: handles ${describeCounts(last.resources)}; timers ${last.timerCallbacks.map(([k, n]) => `${k} ${n}`).join(', ')}`,
);

// Still serving after all that.
const after = await journey(kiosk, resident, 1).then(
  () => 'a resident journey after the idle run: completed',
  (error: unknown) => `a resident journey after the idle run FAILED: ${(error as Error).message}`,
);
console.log(after);
headline('idle-endurance', [
  {
    figure: `idle ${(DURATION_MS / 60_000).toFixed(1)} min: CPU of the process, mean / max`,
    value: `${(idleCpu.reduce((a, b) => a + b, 0) / Math.max(1, idleCpu.length)).toFixed(2)} % / ${Math.max(...idleCpu).toFixed(2)} %`,
  },
  {
    figure: 'idle: descriptors / handles / timers / listeners, start → end',
    value: `${first.fds}→${last.fds} / ${first.handles}→${last.handles} / ${first.timers}→${last.timers} / ${first.listeners.listeners}→${last.listeners.listeners}`,
    target: 'no growth',
  },
  {
    figure: 'idle: V8 heap / RSS change',
    value: `${mib(last.heapUsed - first.heapUsed, 2)} / ${mib(last.rss - first.rss, 2)}`,
  },
  {
    figure: 'idle: serial unplug cycles back to ready; pcscd restarts recovered',
    value: `${recovered}/${unplugs}; ${typeof rig === 'string' ? 'skipped' : `${pcscRecovered}/${restarts}`}`,
  },
]);
await resident.close();
if (typeof rig !== 'string') await rig.close();
await kiosk.stop();
footer();
