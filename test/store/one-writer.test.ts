/**
 * One writer: a second host on the same data directory — in the same process, or a second
 * `mashang host` started while the first still runs — refuses to start and says who holds it.
 * The records commands read the data directory while the host runs, without the lock.
 */
import { TEST_FACE_PHOTO } from '../support/host-harness.ts';
import { execFile, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { HostStartError } from '../../kiosk/host/host.ts';
import { DataDirLock, DataDirLockedError } from '../../kiosk/store/lock.ts';
import { REPO_ROOT, startTestHost } from '../support/host-harness.ts';
import { connectBridge, spawnHost, type SpawnedHost } from '../support/spawned-host.ts';
import { tempDataDir } from './store-fixture.ts';
import { SIMULATED_BLANKS } from '../../kiosk/host/devices.ts';

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

let harness: Awaited<ReturnType<typeof startTestHost>> | undefined;
let spawned: SpawnedHost | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
  await spawned?.stop();
  spawned = undefined;
});

describe('one host per data directory', () => {
  it('refuses a second host in the same process, naming the holder, and lets one start after the first stopped', async () => {
    harness = await startTestHost();
    const { dataDir } = harness;
    const second = startTestHost({ dataDir });
    await expect(second).rejects.toThrow(HostStartError);
    await expect(second).rejects.toThrow(`another kiosk host (pid ${process.pid}) holds ${dataDir}`);
    // The first host is untouched by the attempt.
    expect(harness.host.view().screen).toBe('attract');
    await harness.stop();
    harness = await startTestHost({ dataDir });
    expect(harness.host.view().screen).toBe('attract');
  });

  it('frees the lock when its holder is killed: no stale lock after a crash', async () => {
    const dataDir = tempDataDir();
    const script = path.join(dataDir, 'hold-lock.ts');
    writeFileSync(
      script,
      `import { DataDirLock } from ${JSON.stringify(path.join(REPO_ROOT, 'kiosk/store/lock.ts'))};\n` +
        `DataDirLock.acquire(${JSON.stringify(path.join(dataDir, 'data'))});\nconsole.log('HELD');\nsetInterval(() => {}, 1000);\n`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => d.toString().includes('HELD') && resolve()));
    expect(() => DataDirLock.acquire(path.join(dataDir, 'data'))).toThrow(`another kiosk host (pid ${child.pid}) holds`);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    DataDirLock.acquire(path.join(dataDir, 'data')).release();
  });

  it('refuses a second `mashang host` on a running kiosk\'s data directory with a clear message', async () => {
    spawned = await spawnHost();
    const holder = JSON.parse(readFileSync(path.join(spawned.dataDir, 'host.pid'), 'utf8')) as { pid: number };
    expect(holder.pid).toBe(spawned.child.pid);
    const config = JSON.parse(readFileSync(path.join(REPO_ROOT, 'kiosk.config.json'), 'utf8'));
    config.dataDir = spawned.dataDir;
    config.http.port = 0;
    const file = path.join(tempDataDir('mashang-second-'), 'kiosk.config.json');
    writeFileSync(file, JSON.stringify(config));
    const second = await mashang('host', '--config', file);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`mashang: cannot start: another kiosk host (pid ${spawned.child.pid}) holds ${spawned.dataDir}`);
    expect(second.stdout).not.toContain('MASHANG_READY');
  });

  it('lets the records commands read while the host runs, without the lock', async () => {
    spawned = await spawnHost();
    const bridge = await connectBridge(spawned);
    await bridge.waitForScreen('attract');
    bridge.send({ type: 'event', event: { type: 'START' } });
    bridge.send({ type: 'sim', sim: { action: 'placeIdCard' } });
    await bridge.waitForScreen('verifying');
    bridge.send({ type: 'event', event: { type: 'PHOTO', photo: TEST_FACE_PHOTO } });
    await bridge.waitForScreen('confirm');
    bridge.send({ type: 'event', event: { type: 'CONFIRM' } });
    await bridge.waitForScreen('collect');
    bridge.send({ type: 'sim', sim: { action: 'takeCard' } });
    await bridge.waitForScreen('receipt');
    bridge.close();

    const stock = await mashang('stock', '--data', spawned.dataDir, '--json');
    expect(stock.code).toBe(0);
    expect(JSON.parse(stock.stdout).balance).toMatchObject({ loaded: SIMULATED_BLANKS, fed: 1, issued: 1, inProcess: 0, inHopper: SIMULATED_BLANKS - 1, balanced: true, unresolved: [] });
    const text = await mashang('stock', '--data', spawned.dataDir);
    expect(text.stdout).toMatch(new RegExp(`${SIMULATED_BLANKS} \\+ 0 = 1 \\+ 0 \\+ 0 \\+ 0 \\+ ${SIMULATED_BLANKS - 1}\\s+balanced`));

    const journal = await mashang('journal', '--data', spawned.dataDir, '--json');
    expect(journal.code).toBe(0);
    const report = JSON.parse(journal.stdout);
    expect(report.sessions.sessions).toBe(1);
    expect(report.outbox).toMatchObject({ pending: expect.any(Number), oldestAgeSeconds: expect.any(Number) });
    // The host still runs and still holds its directory.
    expect(spawned.child.exitCode).toBeNull();
    expect(() => DataDirLock.acquire(spawned!.dataDir)).toThrow(DataDirLockedError);
  });
});
