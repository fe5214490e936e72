/**
 * Structured JSON logs (pino): info and above to `<dataDir>/logs/kiosk.log`, warnings and above
 * to stderr. Callers log events and masked identifiers only; the redaction list is a second net
 * for fields that must never be written even by mistake.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';

export type { Logger };

/** Field names that would carry personal data; pino replaces their values. */
const REDACT = ['name', 'idNumber', 'address', 'photo', 'resident', '*.name', '*.idNumber', '*.address', '*.resident'];

export function createLogger(options: { dataDir: string | null; level?: string; stderr?: boolean }): Logger {
  const streams: pino.StreamEntry[] = options.stderr === false ? [] : [{ level: 'warn', stream: process.stderr }];
  if (options.dataDir) {
    const dir = path.join(options.dataDir, 'logs');
    mkdirSync(dir, { recursive: true });
    streams.push({ level: 'info', stream: pino.destination({ dest: path.join(dir, 'kiosk.log'), sync: false, mkdir: true }) });
  }
  return pino(
    { level: options.level ?? 'info', redact: { paths: REDACT, censor: '[redacted]' }, base: { app: 'mashang' } },
    pino.multistream(streams),
  );
}
