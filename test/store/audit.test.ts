/**
 * The audit log's hash chain: an edited, removed or rebuilt entry is found, and
 * `mashang audit verify` names the first broken link.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { auditHash, GENESIS_HASH } from '../../kiosk/store/audit.ts';
import { dbPath } from '../../kiosk/store/database.ts';
import { staffStock } from '../../kiosk/store/staff-stock.ts';
import type { KioskStore } from '../../kiosk/store/store.ts';
import { REPO_ROOT } from '../support/host-harness.ts';
import { openStore } from './store-fixture.ts';

const run = promisify(execFile);
const MASHANG = path.join(REPO_ROOT, 'kiosk/cli/mashang.mjs');

async function mashang(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [MASHANG, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let stores: KioskStore[] = [];
afterEach(() => {
  for (const store of stores) store.close();
  stores = [];
});

/** A data directory whose audit log holds five staff actions; the store is closed again. */
function fiveActions() {
  const { store, dataDir } = openStore();
  const staff = staffStock(store);
  staff.load({ count: 100, batch: 'B1', serialFirst: '0001', serialLast: '0100', actor: 'staff:S1' });
  staff.count({ counted: 100, actor: 'staff:S1' });
  staff.load({ count: 50, batch: 'B2', actor: 'staff:S2' });
  const { discrepancy } = staff.count({ counted: 149, actor: 'staff:S2' });
  staff.correct({ delta: -1, reason: 'one blank bent', actor: 'staff:S2', resolves: [discrepancy!] });
  expect(store.verifyAudit()).toMatchObject({ ok: true, entries: 5, firstBroken: null });
  store.close();
  return dataDir;
}

/** Edits the file as an intruder would: without the append-only triggers. */
function tamper(dataDir: string, sql: (db: Database.Database) => void) {
  const db = new Database(dbPath(dataDir));
  db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
  sql(db);
  db.close();
}

describe('the audit log', () => {
  it('finds an edited entry and names it as the first broken link', async () => {
    const dataDir = fiveActions();
    tamper(dataDir, (db) => db.prepare("UPDATE audit_log SET detail = replace(detail, '149', '150') WHERE seq = 4").run());
    const { store } = openStore(dataDir);
    stores.push(store);
    expect(store.verifyAudit().firstBroken).toMatchObject({ seq: 4, problem: 'hash' });

    const cli = await mashang('audit', 'verify', '--data', dataDir);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain('BROKEN at #4');
    const json = await mashang('audit', 'verify', '--data', dataDir, '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, entries: 3, firstBroken: { seq: 4, problem: 'hash' } });
  });

  it('finds a removed entry in the middle', () => {
    const dataDir = fiveActions();
    tamper(dataDir, (db) => db.prepare('DELETE FROM audit_log WHERE seq = 2').run());
    const { store } = openStore(dataDir);
    stores.push(store);
    expect(store.verifyAudit().firstBroken).toMatchObject({ seq: 2, problem: 'missing' });
  });

  it('finds a chain rebuilt consistently from an entry on, by the head already queued for the card centre', () => {
    const dataDir = fiveActions();
    const first = openStore(dataDir);
    expect(first.store.queueAuditHead('demo-001')).toBe(true);
    first.store.close();
    // The intruder rewrites entry 3 and recomputes every hash after it: every link holds again.
    tamper(dataDir, (db) => {
      const rows = db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as { seq: number; at: string; actor: string; action: string; detail: string; prev_hash: string; hash: string }[];
      let prev = GENESIS_HASH;
      for (const row of rows) {
        const detail = row.seq === 3 ? row.detail.replace('"count":50', '"count":40') : row.detail;
        const hash = auditHash({ seq: row.seq, at: row.at, actor: row.actor, action: row.action, detail, prevHash: prev });
        db.prepare('UPDATE audit_log SET detail = ?, prev_hash = ?, hash = ? WHERE seq = ?').run(detail, prev, hash, row.seq);
        prev = hash;
      }
    });
    const { store } = openStore(dataDir);
    stores.push(store);
    expect(store.audit.verify().ok).toBe(true); // the links alone no longer show it…
    expect(store.verifyAudit()).toMatchObject({ ok: false, firstBroken: { seq: 5, problem: 'headMismatch' } }); // …the head does
  });

  it('finds entries cut off the end after their head was sent', () => {
    const dataDir = fiveActions();
    const first = openStore(dataDir);
    first.store.queueAuditHead('demo-001');
    first.store.close();
    tamper(dataDir, (db) => db.prepare('DELETE FROM audit_log WHERE seq >= 4').run());
    const { store } = openStore(dataDir);
    stores.push(store);
    expect(store.verifyAudit()).toMatchObject({ ok: false, entries: 3, firstBroken: { seq: 5, problem: 'headMismatch', message: expect.stringContaining('removed') } });
  });

  it('refuses edits through the normal path', () => {
    const dataDir = fiveActions();
    const { store } = openStore(dataDir);
    stores.push(store);
    const db = (store as unknown as { db: Database.Database }).db;
    expect(() => store.write(() => db.prepare("UPDATE audit_log SET actor = 'staff:X'").run())).toThrow(/append-only/);
    expect(store.verifyAudit().ok).toBe(true);
  });

  it('says OK for an intact chain, with exit code 0', async () => {
    const dataDir = fiveActions();
    const cli = await mashang('audit', 'verify', '--data', dataDir);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/5 intact entries.*\nOK: every link holds/);
  });
});
