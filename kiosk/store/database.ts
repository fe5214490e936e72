/**
 * The kiosk's own records live in one SQLite file, `<dataDir>/kiosk.db`, in WAL mode: the host
 * is its only writer (it holds the data directory's lock, lock.ts); the CLI reads it at the same
 * time through read-only connections, which WAL never blocks.
 *
 * Every commit is durable before the side effect it announces happens: `synchronous = FULL`
 * fsyncs the WAL at each commit (NORMAL would only fsync at checkpoints, and a power cut could
 * then lose the "about to feed a blank" record of a blank that was fed).
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.ts';

export type Db = Database.Database;

export const DB_FILE = 'kiosk.db';

/** How long a read-only reader waits for the writer's brief locks (WAL index) before giving up. */
const READER_BUSY_TIMEOUT_MS = 2_000;
/** The writer never waits long: a busy database means another writer, which the lock rules out. */
const WRITER_BUSY_TIMEOUT_MS = 1_000;
/** After a checkpoint the WAL is cut back to this size, so it does not hold a day's pages. */
const WAL_SIZE_LIMIT_BYTES = 4 * 1024 * 1024;

export function dbPath(dataDir: string): string {
  return path.join(dataDir, DB_FILE);
}

/**
 * The records file is damaged (not a database, pages missing or malformed). Nothing is opened for
 * writing over it and nothing is repaired: the file stays exactly as it was found, for a
 * technician to copy and examine, and the kiosk stays out of service.
 */
export class RecordsDamagedError extends Error {
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(
      `the kiosk's records in ${file} are damaged (${detail}): out of service for residents. ` +
        'The file is kept as it is (nothing was written to it): copy it, with any -wal file beside it, for a technician; ' +
        'restore the records, then restart the kiosk',
    );
    this.name = 'RecordsDamagedError';
  }
}

/**
 * Checks an existing records file before anything writes to it, on a read-only connection (which
 * never writes the database file, not even a checkpoint when it closes): it must be a database
 * and pass `PRAGMA quick_check`. Throws RecordsDamagedError when it does not.
 */
export function checkRecordsFile(dataDir: string): void {
  const file = dbPath(dataDir);
  if (!existsSync(file) || statSync(file).size === 0) return;
  let problems: string[];
  let db: Db | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: WRITER_BUSY_TIMEOUT_MS });
    problems = (db.pragma('quick_check') as { quick_check: string }[]).map((r) => r.quick_check).filter((r) => r !== 'ok');
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (!code.startsWith('SQLITE_CORRUPT') && code !== 'SQLITE_NOTADB') throw error;
    problems = [`${(error as Error).message} (${code})`];
  } finally {
    db?.close();
  }
  if (problems.length > 0) {
    throw new RecordsDamagedError(file, problems.slice(0, 3).join('; ') + (problems.length > 3 ? `; and ${problems.length - 3} more` : ''));
  }
}

/** Opens (creating when new) the records for writing and brings the schema up to date. */
export function openWritable(dataDir: string): Db {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // A damaged file is refused before a writable connection could touch it.
  checkRecordsFile(dataDir);
  const db = new Database(dbPath(dataDir), { timeout: WRITER_BUSY_TIMEOUT_MS });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Deleted rows (a settled session's sealed personal data) are overwritten with zeros, not
    // left in free pages; the WAL frames that held them go with the next TRUNCATE checkpoint.
    db.pragma('secure_delete = ON');
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

export class NoRecordsError extends Error {}

/** Opens the records read-only (CLI): never creates, never migrates, never takes the writer lock. */
export function openReadOnly(dataDir: string): Db {
  const file = dbPath(dataDir);
  if (!existsSync(file)) {
    throw new NoRecordsError(`no kiosk records in ${dataDir} (no host has run with this data directory yet)`);
  }
  const db = new Database(file, { readonly: true, fileMustExist: true, timeout: READER_BUSY_TIMEOUT_MS });
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    db.close();
    throw new NoRecordsError(`the records in ${file} are of a newer version (${version}) than this program knows (${MIGRATIONS.length})`);
  }
  return db;
}

/** Applies the migrations not yet applied, each in its own transaction; `user_version` counts them. */
function migrate(db: Db): void {
  const applied = db.pragma('user_version', { simple: true }) as number;
  if (applied > MIGRATIONS.length) {
    throw new Error(`the records are of a newer version (${applied}) than this program knows (${MIGRATIONS.length})`);
  }
  for (let i = applied; i < MIGRATIONS.length; i++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[i]!);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
}

/**
 * SQLite answers that mean "the records cannot be written now" (disk full, I/O error, the file
 * went read-only or bad), as opposed to a constraint violation, which is a bug in the caller.
 */
const UNAVAILABLE_CODES = [
  'SQLITE_FULL',
  'SQLITE_IOERR',
  'SQLITE_READONLY',
  'SQLITE_CORRUPT',
  'SQLITE_NOTADB',
  'SQLITE_CANTOPEN',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_NOMEM',
  'SQLITE_PROTOCOL',
];

export function isUnavailable(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && UNAVAILABLE_CODES.some((c) => code === c || code.startsWith(`${c}_`));
}

/** One line a technician understands, for a write the disk refused. */
export function describeUnavailable(code: string): string {
  if (code === 'SQLITE_FULL') return 'the disk is full';
  if (code.startsWith('SQLITE_IOERR')) return `the disk reported a write error (${code})`;
  if (code.startsWith('SQLITE_READONLY')) return `the records became read-only (${code})`;
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return `the records file is damaged (${code})`;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return `the records are locked by another program (${code})`;
  return `the records cannot be written (${code})`;
}
