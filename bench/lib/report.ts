/**
 * What every benchmark of issue 12 prints with its figures: the machine (CPU, cores, memory, load
 * average, Node), and the quantiles, formatted the same way. Figures are printed, never judged:
 * a target is shown beside its figure as "target ≤ 150 ms", with no pass or fail.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import os from 'node:os';

export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  // Nearest rank: the smallest sample with at least q of the samples at or below it.
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export const median = (samples: readonly number[]) => quantile(samples, 0.5);
export const p95 = (samples: readonly number[]) => quantile(samples, 0.95);
export const mean = (samples: readonly number[]) =>
  samples.length === 0 ? Number.NaN : samples.reduce((a, b) => a + b, 0) / samples.length;
export const sum = (samples: readonly number[]) => samples.reduce((a, b) => a + b, 0);

export const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** One line describing the machine the figures come from; printed at the top of every benchmark. */
export function machineLine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
  const memGiB = (os.totalmem() / 2 ** 30).toFixed(1);
  return `${model}, ${cpus.length} cores, ${memGiB} GiB, ${os.type()} ${os.release()}, Node ${process.version}`;
}

export function header(title: string): void {
  console.log(`\n=== ${title} ===`);
  console.log(`machine: ${machineLine()}`);
  console.log(`load average (1/5/15 min) at start: ${loadAverage()}`);
}

export function footer(): void {
  console.log(`load average at end: ${loadAverage()}`);
}

export const ms = (x: number, digits = 1) =>
  Number.isFinite(x) ? `${x.toFixed(digits)} ms` : 'n/a';
export const mib = (bytes: number, digits = 1) => `${(bytes / 2 ** 20).toFixed(digits)} MiB`;

/** A fixed-width table: left-aligned columns by `left` (default: the first), the others right-aligned. */
export function table(
  head: string[],
  rows: (string | number)[][],
  left: readonly number[] = [0],
): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r, ri) =>
      [
        r
          .map((c, i) => (left.includes(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
          .join('  ')
          .trimEnd(),
        ...(ri === 0 ? [widths.map((w) => '-'.repeat(w)).join('  ')] : []),
      ].join('\n'),
    )
    .join('\n');
}

/** Open file descriptors of this process. */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** What the descriptors point at, counted by kind (socket, pipe, anon_inode, the files). */
export function fdKinds(): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // the descriptor readdir itself used, closed again
    }
    const kind =
      /^(socket|pipe|anon_inode):/.exec(target)?.[1] ??
      (target.startsWith('/dev/')
        ? target
        : target.endsWith('.db') || target.endsWith('-wal') || target.endsWith('-shm')
          ? 'sqlite'
          : 'file');
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return kinds;
}

/** process.getActiveResourcesInfo() counted by kind (Timeout, TCPSocketWrap, FSReqCallback, …). */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

export const countOf = (counts: Record<string, number>) =>
  Object.values(counts).reduce((a, b) => a + b, 0);

/** Resident set size in bytes, from /proc (cheaper than process.memoryUsage() for a hot loop). */
export function rssBytes(): number {
  const statm = readFileSync('/proc/self/statm', 'utf8').split(' ');
  return Number(statm[1]) * 4096;
}

export interface Headline {
  figure: string;
  value: string;
  target?: string;
}

/**
 * The benchmark's headline figures, for bench/run-all.ts to gather into one table at the end:
 * one machine-readable line (`BENCH_SUMMARY {...}`), which the runner keeps out of the log.
 */
export function headline(bench: string, figures: Headline[]): void {
  console.log(`BENCH_SUMMARY ${JSON.stringify({ bench, figures })}`);
}
