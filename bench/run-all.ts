/**
 * `npm run bench`: every benchmark, one after the other, each in its own process (so one's JIT,
 * heap and sockets do not colour the next), each printing its own figures and ratios; then the
 * headline figures of issue 12 gathered into one table with the machine's description.
 * Never passes or fails on a figure; a benchmark that cannot run says why and the rest go on.
 *
 *   npm run bench                  # everything (~13 min on 2 cores)
 *   npm run bench -- --quick       # smaller counts (~4 min): a check that all run, not figures to quote
 *   npm run bench -- --only endurance,cold-start
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from './lib/bench-kiosk.ts';
import { loadAverage, machineLine, table, type Headline } from './lib/report.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const QUICK = values.quick;

/** Issue 12's benchmarks first (full and quick arguments), then the others' in the folder. */
const BENCHES: { name: string; file: string; args: string[]; quick: string[] }[] = [
  {
    name: 'journey-overhead',
    file: 'journey-overhead.ts',
    args: [],
    quick: ['--journeys', '20', '--profile', '10'],
  },
  {
    name: 'journey-realistic',
    file: 'journey-realistic.ts',
    args: ['--scale', '0.01', '--journeys', '20', '--full', '1'],
    quick: ['--journeys', '8', '--full', '0'],
  },
  {
    name: 'ui-latency',
    file: 'ui-latency.ts',
    args: [],
    quick: ['--short', '15', '--journeys', '3'],
  },
  { name: 'cold-start', file: 'cold-start.ts', args: [], quick: ['--runs', '3'] },
  {
    name: 'endurance',
    file: 'endurance.ts',
    args: ['--journeys', '1000', '--every', '100'],
    quick: ['--journeys', '200', '--every', '50'],
  },
  {
    name: 'idle-endurance',
    file: 'idle-endurance.ts',
    args: ['--minutes', '3', '--unplug-every', '20', '--pcscd-every', '30'],
    quick: ['--minutes', '1', '--unplug-every', '15', '--pcscd-every', '20'],
  },
  { name: 'serial-roundtrip', file: 'serial-roundtrip.ts', args: [], quick: ['500'] },
  {
    name: 'journal-commit',
    file: 'journal-commit.ts',
    args: [],
    quick: ['--commits', '100', '--sessions', '50'],
  },
  { name: 'card-centre-roundtrips', file: 'card-centre-roundtrips.ts', args: [], quick: [] },
  { name: 'templates-print', file: 'templates-print.ts', args: [], quick: ['10'] },
  { name: 'card-face-panels', file: 'card-face-panels.ts', args: [], quick: ['10'] },
  { name: 'receipt-escpos', file: 'receipt-escpos.ts', args: [], quick: [] },
  {
    name: 'pcsc-transmit',
    file: 'pcsc-transmit.ts',
    args: [],
    quick: ['--count', '500', '--rounds', '1', '--cards', '5'],
  },
];

const only = values.only ? new Set(values.only.split(',').map((s) => s.trim())) : null;
const selected = BENCHES.filter((b) => !only || only.has(b.name));
if (only)
  for (const name of only)
    if (!BENCHES.some((b) => b.name === name))
      throw new Error(
        `unknown benchmark "${name}"; known: ${BENCHES.map((b) => b.name).join(', ')}`,
      );

console.log(`Mashang benchmarks${QUICK ? ' (quick: small counts — check, do not quote)' : ''}`);
console.log(`machine: ${machineLine()}`);
console.log(
  `load average at start: ${loadAverage()} (other work on this machine moves every figure; each benchmark prints its own)`,
);

const headlines: { bench: string; figures: Headline[] }[] = [];
const outcomes: [string, string][] = [];
const startedAll = performance.now();

for (const bench of selected) {
  const started = performance.now();
  const args = QUICK ? bench.quick : bench.args;
  console.log(`\n##### ${bench.name} (npx tsx bench/${bench.file} ${args.join(' ')})`);
  const code = await new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(REPO_ROOT, 'bench', bench.file), ...args],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let pending = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('BENCH_SUMMARY '))
          headlines.push(JSON.parse(line.slice('BENCH_SUMMARY '.length)));
        else process.stdout.write(`${line}\n`);
      }
    });
    child.on('close', (exitCode, signal) => {
      if (pending) process.stdout.write(pending);
      resolve(exitCode ?? (signal ? 128 : 1));
    });
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  outcomes.push([
    bench.name,
    code === 0 ? `ran, ${seconds} s` : `exited with ${code} after ${seconds} s (see above)`,
  ]);
}

console.log('\n##### Issue 12: the headline figures');
console.log(`machine: ${machineLine()}; load average now ${loadAverage()}`);
const rows = headlines.flatMap(({ bench, figures }) =>
  figures.map((f) => [bench, f.figure, f.value, f.target ?? '']),
);
if (rows.length > 0)
  console.log(table(['benchmark', 'figure', 'value', 'target'], rows, [0, 1, 3]));
console.log(`\n${table(['benchmark', 'outcome'], outcomes, [0, 1])}`);
console.log(`all benchmarks: ${((performance.now() - startedAll) / 60_000).toFixed(1)} min`);
