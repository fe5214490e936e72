/**
 * Consecutive resident journeys in one host process, with a census (file descriptors, handles and
 * timers, listeners, memory after a full collection, the journal on disk, the records' state) at
 * the start and every `every` journeys. Shared by bench/endurance.ts (1,000 journeys, figures) and
 * test/endurance (200 journeys, fails on counts that grow).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { serviceVisit, type BenchKiosk } from './bench-kiosk.ts';
import { census, journalBytes, type Census } from './census.ts';
import { runJourneys } from './journeys.ts';
import type { Resident } from './resident.ts';

export interface Checkpoint extends Census {
  journeys: number;
  /** Seconds since the first checkpoint. */
  elapsedS: number;
  cpuS: number;
  journal: { db: number; wal: number };
  sessions: number;
  unsettled: number;
  outboxPending: number;
  bridgeClients: number;
  ledger: {
    balanced: boolean;
    inProcess: number;
    discrepancies: number;
    issued: number;
    inHopper: number;
  };
}

/** Waits until the background work a journey leaves (the outbox's report of the card) is done. */
export async function quiesce(
  kiosk: BenchKiosk,
  journeys: number,
  timeoutMs = 10_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  // Each journey's card result goes to the centre once; audit heads stay pending (no endpoint yet).
  while (kiosk.accounts.cardReports < journeys && Date.now() < until) await sleep(10);
  await sleep(20);
}

export async function checkpoint(
  kiosk: BenchKiosk,
  journeys: number,
  since: { at: number; cpu: NodeJS.CpuUsage },
): Promise<Checkpoint> {
  const c = await census();
  const store = kiosk.host.records.store;
  const counts = store.journal.counts();
  const balance = store.ledger.balance();
  const cpu = process.cpuUsage(since.cpu);
  return {
    ...c,
    journeys,
    elapsedS: (performance.now() - since.at) / 1000,
    cpuS: (cpu.user + cpu.system) / 1e6,
    journal: journalBytes(kiosk.dataDir),
    sessions: counts.sessions,
    unsettled: counts.unsettled,
    outboxPending: store.figures().outbox.pending,
    bridgeClients: kiosk.bridgeClients(),
    ledger: {
      balanced: balance.balanced,
      inProcess: balance.inProcess,
      discrepancies: balance.unresolved.length,
      issued: balance.issued,
      inHopper: balance.inHopper,
    },
  };
}

export interface EnduranceOptions {
  journeys: number;
  every: number;
  /** Every n-th journey pays a fee (0: none). */
  feeEvery?: number;
  onCheckpoint?: (c: Checkpoint) => void;
}

export async function endurance(
  kiosk: BenchKiosk,
  resident: Resident,
  options: EnduranceOptions,
): Promise<Checkpoint[]> {
  const since = { at: performance.now(), cpu: process.cpuUsage() };
  const checkpoints: Checkpoint[] = [];
  const take = async (n: number) => {
    const c = await checkpoint(kiosk, n, since);
    checkpoints.push(c);
    options.onCheckpoint?.(c);
  };
  await take(0);
  const feeEvery = options.feeEvery ?? 0;
  for (let done = 0; done < options.journeys; done += options.every) {
    const count = Math.min(options.every, options.journeys - done);
    await runJourneys(kiosk, resident, count, {
      firstResident: done,
      fee: (n) => feeEvery > 0 && (done + n) % feeEvery === feeEvery - 1,
    });
    serviceVisit(kiosk.host);
    await quiesce(kiosk, done + count);
    await take(done + count);
  }
  return checkpoints;
}

/** Least-squares slope of y over x. */
export function slope(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxy / sxx;
}
