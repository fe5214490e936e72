/**
 * One writer: the host holds an exclusive lock on its data directory for as long as it runs.
 *
 * The lock is an operating-system file lock (POSIX `fcntl`), taken through SQLite on a small
 * file of its own (`host.lock`, in `locking_mode = EXCLUSIVE` with a write lock that is never
 * released). The kernel drops it when the process ends, however it ends, so a crashed host
 * never leaves a stale lock behind; and SQLite keeps track of locks between connections of the
 * same process, so a second host in one process is refused too. A pid file beside it only names
 * the holder in the refusal message.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export const LOCK_FILE = 'host.lock';
export const PID_FILE = 'host.pid';

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holderPid: number | null,
  ) {
    super(
      holderPid === null
        ? `another kiosk host holds ${dataDir} (its pid is not recorded); only one host may run on a data directory`
        : `another kiosk host (pid ${holderPid}) holds ${dataDir}; only one host may run on a data directory`,
    );
    this.name = 'DataDirLockedError';
  }
}

export class DataDirLock {
  readonly #db: Database.Database;
  readonly #pidFile: string;
  #released = false;

  private constructor(db: Database.Database, pidFile: string) {
    this.#db = db;
    this.#pidFile = pidFile;
  }

  /** Takes the lock at once or throws DataDirLockedError; never waits for the holder. */
  static acquire(dataDir: string): DataDirLock {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const db = new Database(path.join(dataDir, LOCK_FILE), { timeout: 0 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      // The write lock is taken at BEGIN EXCLUSIVE and, in exclusive locking mode, kept after COMMIT.
      db.exec('BEGIN EXCLUSIVE; COMMIT');
    } catch (error) {
      db.close();
      if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
        throw new DataDirLockedError(dataDir, readHolderPid(dataDir));
      }
      throw error;
    }
    const pidFile = path.join(dataDir, PID_FILE);
    try {
      const temporary = `${pidFile}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify({ pid: process.pid, since: new Date().toISOString() })}\n`);
      renameSync(temporary, pidFile);
    } catch {
      // The pid file only names the holder in a refusal (a full disk must not stop the host):
      // better no name than a previous host's.
      rmSync(pidFile, { force: true });
    }
    return new DataDirLock(db, pidFile);
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    rmSync(this.#pidFile, { force: true });
    this.#db.close();
  }
}

function readHolderPid(dataDir: string): number | null {
  try {
    const pid = (JSON.parse(readFileSync(path.join(dataDir, PID_FILE), 'utf8')) as { pid?: unknown }).pid;
    return typeof pid === 'number' ? pid : null;
  } catch {
    return null;
  }
}
