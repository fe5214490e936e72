/**
 * A damaged records file at start (issue 8): `mashang host` says so clearly, stays up out of
 * service (no crash loop for the shell to restart), refuses residents, and keeps the file exactly
 * as it found it — nothing opened for writing over it, nothing repaired, nothing deleted.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { staffStock } from '../../kiosk/store/staff-stock.ts';
import { KioskStore } from '../../kiosk/store/store.ts';
import { REPO_ROOT } from '../support/host-harness.ts';
import { connectBridge, spawnHost, type SpawnedHost } from '../support/spawned-host.ts';
import { tempDataDir } from '../store/store-fixture.ts';

const run = promisify(execFile);
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

let host: SpawnedHost | undefined;
afterEach(async () => {
  await host?.stop();
  host = undefined;
});

/** A records file with real content (a stock load, an audit entry), then cut in half. */
function truncatedRecords(): Buffer {
  const dir = tempDataDir('mashang-damaged-');
  const store = KioskStore.open({ dataDir: dir, journalKey: 'cd'.repeat(32) });
  const stock = staffStock(store);
  for (let i = 0; i < 200; i++) stock.load({ count: 1, batch: `B${i}`.padEnd(200, '-'), actor: 'staff:S0001' });
  store.close();
  const file = path.join(dir, 'kiosk.db');
  truncateSync(file, Math.floor(statSync(file).size / 2));
  return readFileSync(file);
}

const cases: [string, () => Buffer][] = [
  ['garbage (not a database)', () => Buffer.alloc(16_384, 0x41)],
  ['truncated (half of a real records file)', truncatedRecords],
];

describe('a damaged records file at start', () => {
  for (const [what, bytes] of cases) {
    it(`${what}: a clear message, out of service, the file kept as it was`, { timeout: 120_000 }, async () => {
      const damaged = bytes();
      let dataDir = '';
      host = await spawnHost({
        configure: (config) => {
          dataDir = config.dataDir as string;
          mkdirSync(dataDir, { recursive: true });
          writeFileSync(path.join(dataDir, 'kiosk.db'), damaged);
        },
      });
      const file = path.join(dataDir, 'kiosk.db');
      const before = createHash('sha256').update(damaged).digest('hex');

      // It runs (the shell does not restart it again and again), and says what is wrong and where.
      expect(host.child.exitCode).toBeNull();
      expect(host.output()).toMatch(new RegExp(`the kiosk's records in ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} are damaged \\(.+\\): out of service`));
      expect(host.output()).toMatch(/nothing was written to it/);

      const health = await fetch(`${host.origin}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ status: 'down', outOfService: { reason: 'recordsDamaged' } });

      const bridge = await connectBridge(host);
      await bridge.waitForScreen('outOfService');
      bridge.send({ type: 'event', event: { type: 'START' } });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(bridge.view()?.screen).toBe('outOfService');
      bridge.close();

      // Staff's tools say it too, without a stack trace.
      const journal = await run(process.execPath, [path.join(REPO_ROOT, 'kiosk/cli/mashang.mjs'), 'journal', '--data', dataDir]).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
      );
      expect(journal.code).toBe(1);
      expect(journal.stderr).toMatch(/are damaged/);
      expect(journal.stderr).not.toMatch(/at .*\.ts:\d+/);

      await host.stop();
      // Byte for byte what it was, still in its place; nothing written beside it (the read-only
      // check may leave SQLite's empty WAL and its index, which hold nothing).
      expect(sha256(file)).toBe(before);
      expect(readdirSync(dataDir).filter((f) => f.startsWith('kiosk.db')).sort()).toEqual(
        ['kiosk.db', ...['-shm', '-wal'].filter((s) => existsSync(file + s)).map((s) => `kiosk.db${s}`)].sort(),
      );
      if (existsSync(`${file}-wal`)) expect(statSync(`${file}-wal`).size).toBe(0);
    });
  }
});
