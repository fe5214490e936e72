/**
 * What the kiosk's records cost: the time of one journal commit (an intent or outcome record,
 * with its ledger and outbox entries, fsynced at synchronous = FULL), and the storage one
 * resident session takes. Prints figures; never passes or fails on them.
 *
 *   npx tsx bench/journal-commit.ts [DIR] [--commits N] [--sessions N]
 *
 * DIR: a folder on the filesystem to measure (the kiosk's data directory's disk; default: the
 * system's temporary folder). A fresh data directory is made inside it and removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pino from 'pino';
import type Database from 'better-sqlite3';
import { dbPath } from '../kiosk/store/database.ts';
import { SessionRecords } from '../kiosk/store/session-records.ts';
import { KioskStore } from '../kiosk/store/store.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { commits: { type: 'string', default: '400' }, sessions: { type: 'string', default: '200' } },
});
const base = positionals[0] ?? tmpdir();
const COMMITS = Number(values.commits);
const SESSIONS = Number(values.sessions);
const logger = pino({ level: 'silent' });

function open(dir: string): { store: KioskStore; db: Database.Database } {
  const store = KioskStore.open({ dataDir: dir, journalKey: randomBytes(32).toString('hex'), logger });
  return { store, db: (store as unknown as { db: Database.Database }).db };
}

function quantiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return { mean, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted.at(-1)! };
}

const ms = (x: number) => `${x.toFixed(3)} ms`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

const printer = (blanks: number) => ({ blanksInFeeder: blanks, cardsPrinted: 0, cardsRejected: 0 });

/** One resident session through the records, as the host's actors write it. Returns its id. */
function session(store: KioskStore, blanks: number): { records: SessionRecords; id: string } {
  const records = new SessionRecords(store, logger);
  const id = records.begin();
  const step = (
    s: Parameters<SessionRecords['intend']>[0],
    suffix: string,
    detail: Record<string, string | number>,
    also?: (seq: number, c: { sessionId: string; journalSeq: number; printer: ReturnType<typeof printer> }) => void,
    open?: { idNumber: string; cardNo: string },
  ) => {
    const checkpoint = records.intend(s, suffix, detail, s, open ? { open } : {});
    if (!checkpoint) throw new Error('intent refused');
    records.conclude(checkpoint, 'done', detail, also && ((seq) => also(seq, { sessionId: id, journalSeq: seq, printer: printer(blanks - 1) })));
  };
  step('lossReported', 'loss', { card: '*****5678' }, undefined, { idNumber: '33010619580101771X', cardNo: 'A12345678' });
  step('applicationOpened', 'application', { applicationNo: 'A202600000001', transactionNo: 'demo-001-20261125080000-ABCD' });
  step('blankTaken', 'feed:1', { attempt: 1, fed: 1, feederAfter: blanks - 1 }, (_, at) => store.ledger.fed(1, at));
  step('chipPersonalised', 'chip:1', { attempt: 1, identification: '0123456789ABCDEF0123' });
  step('facePrinted', 'print:1', { attempt: 1, printed: 1 });
  step('cardEjected', 'eject:1', { attempt: 1 });
  step('cardTaken', 'taken', { how: 'observed' }, (_, at) => {
    store.ledger.issued('0123456789ABCDEF0123', at);
    store.queue({ kind: 'cardResult', key: `A${id}:0123456789ABCDEF0123:issued`, payload: { applicationNo: `A${id}`, identification: '0123456789ABCDEF0123', outcome: 'issued' } }, id);
  });
  step('receiptPrinted', 'receipt', { transactionNo: 'demo-001-20261125080000-ABCD' });
  return { records, id };
}

function databaseBytes(db: Database.Database): number {
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pages = db.pragma('page_count', { simple: true }) as number;
  const free = db.pragma('freelist_count', { simple: true }) as number;
  return (pages - free) * pageSize;
}

/** Bytes of row data (payload) per table and index, from SQLite's dbstat. */
function payloadBytes(db: Database.Database): Map<string, number> {
  const rows = db.prepare('SELECT name, sum(payload) AS payload FROM dbstat GROUP BY name').all() as { name: string; payload: number }[];
  return new Map(rows.map((r) => [r.name, r.payload]));
}

function payloadDelta(after: Map<string, number>, before: Map<string, number>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [name, bytes] of after) {
    const d = bytes - (before.get(name) ?? 0);
    if (d !== 0) delta[name] = d;
  }
  return delta;
}

function commitCost(synchronous: 'FULL' | 'NORMAL') {
  const dir = mkdtempSync(path.join(base, 'mashang-bench-'));
  try {
    const { store, db } = open(path.join(dir, 'data'));
    db.pragma(`synchronous = ${synchronous}`);
    store.write(() => store.ledger.load({ count: 1_000_000, batch: 'bench', actor: 'staff:bench' }));
    const records = new SessionRecords(store, logger);
    records.begin();
    const intent: number[] = [];
    const outcome: number[] = [];
    for (let i = 0; i < COMMITS; i++) {
      let t = performance.now();
      const checkpoint = records.intend('blankTaken', `feed:${i}`, { attempt: i }, 'feeding', i === 0 ? { open: { idNumber: '33010619580101771X', cardNo: 'A12345678' } } : {});
      intent.push(performance.now() - t);
      t = performance.now();
      records.conclude(checkpoint!, 'done', { attempt: i, fed: 1 }, (seq) => {
        const at = { sessionId: checkpoint!.sessionId, journalSeq: seq, printer: printer(1_000_000 - i - 1) };
        store.ledger.fed(1, at);
        store.ledger.rejected(null, 'bench', at);
        store.queue({ kind: 'cardResult', key: `bench:${i}`, payload: { applicationNo: 'A1', identification: String(i), outcome: 'spoiled' } });
      });
      outcome.push(performance.now() - t);
    }
    store.close();
    return { intent: quantiles(intent), outcome: quantiles(outcome) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function perSession() {
  const dir = mkdtempSync(path.join(base, 'mashang-bench-'));
  try {
    const dataDir = path.join(dir, 'data');
    const { store, db } = open(dataDir);
    store.write(() => store.ledger.load({ count: 1_000_000, batch: 'bench', actor: 'staff:bench' }));
    db.pragma('wal_checkpoint(TRUNCATE)');
    const empty = databaseBytes(db);
    const emptyPayload = payloadBytes(db);
    // One session open (before settlement): what a resident in the middle of production costs.
    const open1 = session(store, 1_000_000);
    const inFlight = payloadDelta(payloadBytes(db), emptyPayload);
    let walPeak = 0;
    open1.records.end();
    let blanks = 999_999;
    const started = performance.now();
    for (let i = 1; i < SESSIONS; i++) {
      const { records } = session(store, blanks--);
      walPeak = Math.max(walPeak, statSync(`${dbPath(dataDir)}-wal`, { throwIfNoEntry: false })?.size ?? 0);
      records.end();
    }
    const elapsed = performance.now() - started;
    db.pragma('wal_checkpoint(TRUNCATE)');
    const settled = (databaseBytes(db) - empty) / SESSIONS;
    const settledPayload = Object.fromEntries(
      Object.entries(payloadDelta(payloadBytes(db), emptyPayload)).map(([name, bytes]) => [name, bytes / SESSIONS]),
    );
    const counts = store.journal.counts();
    store.close();
    return { inFlight, settled, settledPayload, walPeak, perSessionMs: elapsed / (SESSIONS - 1), counts };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`Mashang journal bench — ${base} (${COMMITS} commits, ${SESSIONS} sessions)`);
console.log('');
for (const synchronous of ['FULL', 'NORMAL'] as const) {
  const cost = commitCost(synchronous);
  const label = synchronous === 'FULL' ? 'synchronous=FULL (what the kiosk uses)' : 'synchronous=NORMAL (for comparison only)';
  console.log(`Commit cost per checkpoint, ${label}:`);
  console.log(`  intent record                          mean ${ms(cost.intent.mean)}  p50 ${ms(cost.intent.p50)}  p95 ${ms(cost.intent.p95)}  p99 ${ms(cost.intent.p99)}  max ${ms(cost.intent.max)}`);
  console.log(`  outcome + 2 ledger + 1 outbox entries  mean ${ms(cost.outcome.mean)}  p50 ${ms(cost.outcome.p50)}  p95 ${ms(cost.outcome.p95)}  p99 ${ms(cost.outcome.p99)}  max ${ms(cost.outcome.max)}`);
}
const storage = perSession();
console.log('');
console.log('Per-session storage (a served resident: 8 side effects, 16 journal records, 2 ledger entries, 1 outbox message):');
const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
const table = (o: Record<string, number>) =>
  Object.entries(o)
    .sort((a, b) => b[1] - a[1])
    .map(([name, bytes]) => `${name} ${Math.round(bytes)} B`)
    .join(', ');
console.log(`  in flight, before settlement: row data ${kib(sum(storage.inFlight))} (${table(storage.inFlight)})`);
console.log(`  kept after settlement: row data ${kib(sum(storage.settledPayload))} per session (${table(storage.settledPayload)})`);
console.log(`  kept after settlement: database pages ${kib(storage.settled)} per session (average of ${SESSIONS}, with indexes and page slack)`);
console.log(`  → 100 residents a day for a year: ${((storage.settled * 100 * 365) / 1024 / 1024).toFixed(1)} MiB`);
console.log(`  WAL high-water mark: ${kib(storage.walPeak)} (cut back to 4 MiB at most after a checkpoint; truncated at each settlement)`);
console.log(`  records of one session written end to end: ${ms(storage.perSessionMs)} (16 commits and the settlement checkpoint)`);
console.log(`  (journal: ${storage.counts.sessions} sessions, ${storage.counts.records} records, ${storage.counts.sealed} with sealed data left)`);
