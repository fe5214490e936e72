/**
 * `mashang sim-serial id-reader` as a technician runs it: a separate process that prints the
 * path to open and takes commands on standard input, with the kiosk's driver on the real
 * `serialport` at the other end of the pty.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { isValidIdNumber } from '../../drivers/id-reader/id-card-record.ts';
import { recordingLog, serialStackProblem, until } from './id-reader-stack.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const problem = serialStackProblem();
if (problem && process.env.CI) {
  describe('the serial ID reader stack', () => it('is installed', () => expect.fail(problem)));
}
const run = problem ? describe.skip : describe;

let child: ChildProcessWithoutNullStreams | undefined;
let closeReader: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeReader?.();
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
});

/** Starts the simulator process; resolves with a function that sends a line and awaits the reply. */
async function startCli(link: string) {
  child = spawn(
    process.execPath,
    [path.join(REPO_ROOT, 'kiosk/cli/mashang.mjs'), 'sim-serial', 'id-reader', '--link', link],
    { cwd: REPO_ROOT },
  );
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  await until(
    () => lines.length >= 2 || child!.exitCode !== null,
    30_000,
    'the simulator to start',
  );
  if (child.exitCode !== null) throw new Error(`sim-serial exited: ${stderr}`);
  const command = async (line: string) => {
    const before = lines.length;
    child!.stdin.write(`${line}\n`);
    await until(() => lines.length > before, 10_000, `a reply to "${line}"`);
    return lines[before]!;
  };
  return { banner: lines.slice(0, 2), command };
}

run('mashang sim-serial id-reader', () => {
  it('prints the path to open; the driver reads its card, meets its faults, and survives its unplug', async () => {
    const link = path.join(mkdtempSync(path.join(tmpdir(), 'mashang-cli-idr-')), 'ttyIDR');
    const { banner, command } = await startCli(link);
    expect(banner[0]).toMatch(
      new RegExp(`^id-reader simulator on ${link} \\(-> /dev/pts/\\d+\\)$`),
    );
    expect(existsSync(link)).toBe(true);

    const { createIdCardReader } = await import('../../drivers/id-reader/create-id-card-reader.ts');
    const reader = createIdCardReader(
      { transport: { type: 'serial', path: link, baudRate: 115_200 } },
      recordingLog(),
      {
        timing: { cardPollMs: 20, reconnectGraceMs: 5_000 },
        timeouts: {
          findCardMs: 500,
          selectCardMs: 500,
          readTextAndPhotoMs: 1_500,
          interByteMs: 200,
          quietMs: 30,
          maxQuietWaitMs: 500,
        },
      },
    );
    closeReader = () => reader.close();
    const read = () => reader.readCard(AbortSignal.timeout(20_000));

    const first = await read();
    expect(first.ok).toBe(true);
    expect(first.ok && isValidIdNumber(first.value.idNumber)).toBe(true);

    expect(await command('fault half-frame')).toBe('fault: half-frame');
    expect(await read()).toMatchObject({ ok: false, error: { kind: 'readerFault' } });
    expect(await command('clear')).toBe('fault cleared');
    expect((await read()).ok).toBe(true);

    expect(await command('unplug')).toBe('unplugged');
    expect(existsSync(link)).toBe(false);
    const during = read();
    await until(() => reader.status().state === 'disconnected', 10_000, 'disconnected');
    expect(await command('replug')).toMatch(/^plugged in on \/dev\/pts\/\d+$/);
    expect((await during).ok).toBe(true);

    expect(await command('remove')).toBe('card removed');
    await reader.waitForRemoval(AbortSignal.timeout(10_000));

    child!.kill('SIGTERM');
    await until(() => child!.exitCode !== null, 10_000, 'the simulator to stop');
    expect(child!.exitCode).toBe(0);
    expect(existsSync(link)).toBe(false);
  });

  it('refuses an unknown device or fault with one line and exit code 2', async () => {
    const { execFile } = await import('node:child_process');
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [
          path.join(REPO_ROOT, 'kiosk/cli/mashang.mjs'),
          'sim-serial',
          'id-reader',
          '--fault',
          'smoke',
        ],
        (error, _stdout, stderr) =>
          resolve({ code: error ? (error as { code: number }).code : 0, stderr }),
      ),
    );
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(
      /^mashang sim-serial: unknown fault "smoke" \(one of: silence, .*\)$/,
    );
  });
});
