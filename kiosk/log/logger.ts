/**
 * Structured JSON logs (pino): info and above to `<dataDir>/logs/kiosk.log`, warnings and above
 * to stderr. Callers log events and masked identifiers only; the redaction list is a second net
 * for fields that must never be written even by mistake.
 *
 * The log file is size-capped and rotated: when the next line would take `kiosk.log` past
 * `maxBytes` it becomes `kiosk.log.1` (`.1` → `.2` …, the oldest beyond `keep` deleted), so the
 * logs never hold more than about maxBytes × (keep + 1) of the disk the records live on. A write
 * the disk refuses (full) drops the line instead of stopping the kiosk: the records, not the
 * logs, are what must survive, and their own failure is reported where it happens.
 */
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';

export type { Logger };

/** Field names that would carry personal data; pino replaces their values. */
const REDACT = ['name', 'idNumber', 'address', 'photo', 'resident', '*.name', '*.idNumber', '*.address', '*.resident'];

/** 10 MiB per file and 4 older files: at most ~50 MiB of logs. */
export const DEFAULT_LOG_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_LOG_KEEP = 4;

export interface LoggerOptions {
  dataDir: string | null;
  level?: string;
  stderr?: boolean;
  maxBytes?: number;
  keep?: number;
}

export function createLogger(options: LoggerOptions): Logger {
  const streams: pino.StreamEntry[] = options.stderr === false ? [] : [{ level: 'warn', stream: process.stderr }];
  if (options.dataDir) {
    const dir = path.join(options.dataDir, 'logs');
    mkdirSync(dir, { recursive: true });
    const file = new RotatingFile(path.join(dir, 'kiosk.log'), {
      maxBytes: options.maxBytes ?? DEFAULT_LOG_MAX_BYTES,
      keep: options.keep ?? DEFAULT_LOG_KEEP,
    });
    streams.push({ level: 'info', stream: file });
  }
  return pino(
    { level: options.level ?? 'info', redact: { paths: REDACT, censor: '[redacted]' }, base: { app: 'mashang' } },
    pino.multistream(streams),
  );
}

/**
 * A pino destination that appends whole lines to a file and rotates it by size. Writes are
 * synchronous (a kiosk logs a few lines a second at most), so a line is on its way to the disk
 * before the call returns and nothing sits in a buffer when the process dies.
 */
export class RotatingFile {
  readonly file: string;
  readonly #maxBytes: number;
  readonly #keep: number;
  #fd: number | null = null;
  #size = 0;
  /** Lines the disk refused since the last one it took (reported once it takes writes again). */
  #dropped = 0;
  #lastError: string | null = null;

  constructor(file: string, options: { maxBytes: number; keep: number }) {
    if (options.maxBytes < 1024) throw new Error('a log file of less than 1 KiB cannot hold a line');
    this.file = file;
    this.#maxBytes = options.maxBytes;
    this.#keep = Math.max(0, Math.floor(options.keep));
  }

  get dropped(): number {
    return this.#dropped;
  }

  write(line: string): boolean {
    try {
      if (this.#dropped > 0) {
        const notice = `${JSON.stringify({ level: 40, time: Date.now(), app: 'mashang', event: 'log.lines_dropped', count: this.#dropped, error: this.#lastError, msg: 'log lines dropped: the disk refused them' })}\n`;
        this.#append(Buffer.from(notice));
        this.#dropped = 0;
        this.#lastError = null;
      }
      this.#append(Buffer.from(line));
    } catch (error) {
      this.#dropped++;
      this.#lastError = (error as NodeJS.ErrnoException).code ?? String(error);
      // A file left half-open after a failure is reopened on the next line.
      this.#close();
    }
    return true;
  }

  /** pino calls these on flush and at exit; every write is already synchronous. */
  flush(): void {}

  flushSync(): void {}

  end(): void {
    this.#close();
  }

  #append(bytes: Buffer): void {
    if (this.#fd === null) this.#open();
    if (this.#size > 0 && this.#size + bytes.length > this.#maxBytes) {
      this.#rotate();
      this.#open();
    }
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(this.#fd!, bytes, offset, bytes.length - offset);
    this.#size += bytes.length;
  }

  #open(): void {
    this.#fd = openSync(this.file, 'a', 0o640);
    this.#size = fstatSync(this.#fd).size;
  }

  #close(): void {
    if (this.#fd === null) return;
    try {
      closeSync(this.#fd);
    } catch {
      // already gone
    }
    this.#fd = null;
  }

  #rotate(): void {
    this.#close();
    if (this.#keep === 0) {
      rmSync(this.file, { force: true });
      return;
    }
    rmSync(`${this.file}.${this.#keep}`, { force: true });
    for (let n = this.#keep - 1; n >= 1; n--) {
      if (existsSync(`${this.file}.${n}`)) renameSync(`${this.file}.${n}`, `${this.file}.${n + 1}`);
    }
    renameSync(this.file, `${this.file}.1`);
  }
}
