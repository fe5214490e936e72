/**
 * The log file is size-capped and rotated, and a disk that refuses a line does not stop the kiosk.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, RotatingFile } from '../../kiosk/log/logger.ts';
import { tempDataDir } from './store-fixture.ts';

describe('the kiosk log', () => {
  it('rotates kiosk.log by size and keeps a bounded number of older files', () => {
    const dataDir = tempDataDir('mashang-log-');
    const logger = createLogger({ dataDir, stderr: false, maxBytes: 4096, keep: 2 });
    for (let i = 0; i < 400; i++) logger.info({ event: 'test.line', i }, `line ${i}`);
    logger.flush();
    const log = path.join(dataDir, 'logs', 'kiosk.log');
    expect(existsSync(`${log}.1`)).toBe(true);
    expect(existsSync(`${log}.2`)).toBe(true);
    expect(existsSync(`${log}.3`)).toBe(false);
    for (const file of [log, `${log}.1`, `${log}.2`]) expect(statSync(file).size).toBeLessThanOrEqual(4096);
    // Whole lines only, newest last in kiosk.log, and the files follow each other without a gap.
    const lines = (file: string) => readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => (JSON.parse(l) as { i: number }).i);
    const [older, old, current] = [lines(`${log}.2`), lines(`${log}.1`), lines(log)];
    expect(current.at(-1)).toBe(399);
    expect(old.at(-1)! + 1).toBe(current[0]);
    expect(older.at(-1)! + 1).toBe(old[0]);
  });

  it('drops lines the disk refuses instead of throwing', () => {
    // /dev/full answers every write with ENOSPC.
    const full = new RotatingFile('/dev/full', { maxBytes: 1 << 20, keep: 1 });
    expect(() => full.write('{"msg":"one"}\n')).not.toThrow();
    full.write('{"msg":"two"}\n');
    expect(full.dropped).toBe(2);
    full.end();
  });

  it('says how many lines it dropped once it can write again', () => {
    const dir = path.join(tempDataDir('mashang-log-'), 'gone');
    const file = new RotatingFile(path.join(dir, 'kiosk.log'), { maxBytes: 1 << 20, keep: 1 });
    file.write('{"msg":"lost"}\n'); // the folder does not exist: the line cannot be written
    expect(file.dropped).toBe(1);
    mkdirSync(dir);
    file.write('{"msg":"kept"}\n');
    file.end();
    const lines = readFileSync(path.join(dir, 'kiosk.log'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([expect.objectContaining({ event: 'log.lines_dropped', count: 1, error: 'ENOENT' }), { msg: 'kept' }]);
  });
});
