/**
 * Cold start (issue 12): from spawning the host process as the Electron shell does
 * (`node kiosk/cli/mashang.mjs host --config FILE`) to ready — the `MASHANG_READY` line, then
 * `GET /` (the UI) and `GET /healthz` answering, and /healthz saying `ready` (every device found
 * and answering). A fresh temporary data directory each time, port 0, the embedded card centre.
 *
 * Beside it, in the same run: a bare `node -e ""` (Node's own start, the floor) and Node with the
 * tsx loader importing nothing (what running TypeScript sources costs before any of ours loads).
 * Never passes or fails.
 *
 *   npx tsx bench/cold-start.ts [--runs 7]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { benchConfig, CLI, REPO_ROOT } from './lib/bench-kiosk.ts';
import { footer, header, headline, median, ms, table } from './lib/report.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const RUNS = Number(values.runs);
const TARGET_MS = 3_000;

interface Start {
  readyLine: number;
  served: number;
  healthy: number;
}

async function get(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.text() };
}

async function coldStart(env: NodeJS.ProcessEnv = process.env): Promise<Start> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mashang-cold-'));
  const { file } = benchConfig(dir);
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, 'host', '--config', file], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (d) => (output += d));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no MASHANG_READY in 60 s:\n${output}`)),
        60_000,
      );
      child.stdout!.on('data', (d) => {
        output += d;
        const line = /MASHANG_READY (\{.*\})/.exec(output);
        if (line) {
          clearTimeout(timer);
          resolve((JSON.parse(line[1]!) as { url: string }).url.replace(/\/$/, ''));
        }
      });
      child.once('exit', (code) => reject(new Error(`host exited with ${code}:\n${output}`)));
    });
    const readyLine = performance.now() - started;
    const [ui, health] = await Promise.all([get(`${url}/`), get(`${url}/healthz`)]);
    if (ui.status !== 200 || !ui.body.includes('<html'))
      throw new Error(`GET / answered ${ui.status}`);
    if (health.status !== 200 && health.status !== 503)
      throw new Error(`GET /healthz answered ${health.status}`);
    const served = performance.now() - started;
    let status = (JSON.parse(health.body) as { status: string }).status;
    while (status !== 'ready') {
      if (performance.now() - started > 60_000)
        throw new Error(`/healthz never said ready (${status})`);
      await new Promise((resolve) => setTimeout(resolve, 10));
      status = (JSON.parse((await get(`${url}/healthz`)).body) as { status: string }).status;
    }
    return { readyLine, served, healthy: performance.now() - started };
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

async function timeProcess(args: string[]): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return performance.now() - started;
}

header('Cold start: process start → ready');
// One start first, not counted: the operating system's file cache, as on a kiosk that has booted before.
await coldStart();
const starts: Start[] = [];
const bare: number[] = [];
const tsx: number[] = [];
for (let i = 0; i < RUNS; i++) {
  starts.push(await coldStart());
  bare.push(await timeProcess(['-e', '']));
  tsx.push(await timeProcess(['--import', 'tsx', '-e', '']));
}
// tsx keeps its transforms in the temporary folder; a kiosk whose /tmp is emptied at boot starts without them.
const uncached: Start[] = [];
for (let i = 0; i < Math.min(3, RUNS); i++)
  uncached.push(await coldStart({ ...process.env, TSX_DISABLE_CACHE: '1' }));
const m = (f: (s: Start) => number) => median(starts.map(f));
console.log(`${RUNS} cold starts of \`mashang host\` (after one uncounted), medians:`);
console.log(
  table(
    ['process start →', 'median', 'min', 'max'],
    [
      [
        'MASHANG_READY printed',
        ms(
          m((s) => s.readyLine),
          0,
        ),
        ms(Math.min(...starts.map((s) => s.readyLine)), 0),
        ms(Math.max(...starts.map((s) => s.readyLine)), 0),
      ],
      [
        'GET / and GET /healthz answered',
        ms(
          m((s) => s.served),
          0,
        ),
        ms(Math.min(...starts.map((s) => s.served)), 0),
        ms(Math.max(...starts.map((s) => s.served)), 0),
      ],
      [
        `/healthz "ready": devices found (target ≤ ${TARGET_MS} ms)`,
        ms(
          m((s) => s.healthy),
          0,
        ),
        ms(Math.min(...starts.map((s) => s.healthy)), 0),
        ms(Math.max(...starts.map((s) => s.healthy)), 0),
      ],
      [
        "  the same without tsx's transform cache (TSX_DISABLE_CACHE=1)",
        ms(median(uncached.map((s) => s.healthy)), 0),
        ms(Math.min(...uncached.map((s) => s.healthy)), 0),
        ms(Math.max(...uncached.map((s) => s.healthy)), 0),
      ],
      [
        'for comparison: node -e "" (start and exit)',
        ms(median(bare), 0),
        ms(Math.min(...bare), 0),
        ms(Math.max(...bare), 0),
      ],
      [
        'for comparison: node --import tsx -e ""',
        ms(median(tsx), 0),
        ms(Math.min(...tsx), 0),
        ms(Math.max(...tsx), 0),
      ],
    ],
  ),
);
console.log(`ready / bare node: ${(m((s) => s.healthy) / median(bare)).toFixed(1)}×`);
headline('cold-start', [
  {
    figure: 'cold start, process start → MASHANG_READY + / + /healthz ready, median',
    value: ms(
      m((s) => s.healthy),
      0,
    ),
    target: `≤ ${TARGET_MS} ms`,
  },
  {
    figure: "  without tsx's transform cache, median",
    value: ms(median(uncached.map((s) => s.healthy)), 0),
    target: `≤ ${TARGET_MS} ms`,
  },
]);
footer();
