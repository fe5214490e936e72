/**
 * How the records commands (`mashang stock`, `journal`, `audit`) find and open the records:
 * the data directory from `--data`, or from the kiosk configuration (`--config`, default
 * kiosk.config.json). Always read-only and without the writer lock, so they work while the host
 * runs; never with the journal key, so they cannot show sealed personal data.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/load.ts';
import { checkRecordsFile, NoRecordsError, RecordsDamagedError } from './database.ts';
import { openRecordsReadOnly, type Records } from './store.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_CONFIG_FILE = path.join(REPO_ROOT, 'kiosk.config.json');

export const recordsOptions = {
  config: { type: 'string' as const, short: 'c', description: 'the kiosk configuration whose data directory to read (default: kiosk.config.json)' },
  data: { type: 'string' as const, short: 'd', description: 'read this data directory instead of the configuration\'s' },
  json: { type: 'boolean' as const, description: 'print JSON (for scripts and fleet tools) instead of text' },
};

export { NoRecordsError };

export async function openRecordsForCli(values: Record<string, unknown>): Promise<Records> {
  const dataDir = values.data
    ? path.resolve(String(values.data))
    : (await loadConfig((values.config as string | undefined) ?? DEFAULT_CONFIG_FILE)).dataDir;
  try {
    // A damaged file is named as such, not met as a stack trace halfway through a report.
    checkRecordsFile(dataDir);
  } catch (error) {
    if (error instanceof RecordsDamagedError) throw new NoRecordsError(error.message);
    throw error;
  }
  return openRecordsReadOnly(dataDir);
}

/** "3 s", "5 min", "2 h 10 min", "3 d 4 h". */
export function formatAge(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}
