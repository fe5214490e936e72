/**
 * How the device commands (`mashang diag | apdu | stock`) find out whether a host runs on the
 * data directory, and reach it. One owner per device: when a host holds the data directory's lock
 * (kiosk/store/lock.ts) the command goes through the host's admin endpoint; when none does, the
 * command takes the lock itself for as long as it uses the devices, so no host can start and open
 * them at the same time.
 */
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { DataDirLock, DataDirLockedError } from '../store/lock.ts';
import { ADMIN_FILE, type AdminEndpointFile } from './admin-server.ts';

export type HostLink =
  /** A host runs: call it. */
  | { kind: 'host'; endpoint: AdminEndpointFile; holderPid: number | null }
  /** No host: the devices are ours until `release()`. */
  | { kind: 'none'; release: () => void };

export class AdminUnavailableError extends Error {}

export function findHost(dataDir: string): HostLink {
  let lock: DataDirLock;
  try {
    lock = DataDirLock.acquire(dataDir);
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    const file = path.join(dataDir, ADMIN_FILE);
    if (!existsSync(file)) {
      throw new AdminUnavailableError(
        `${error.message}, but it has no admin endpoint (${file} is missing): stop it, or use its screens`,
      );
    }
    let endpoint: AdminEndpointFile;
    try {
      endpoint = JSON.parse(readFileSync(file, 'utf8')) as AdminEndpointFile;
    } catch (readError) {
      const code = (readError as NodeJS.ErrnoException).code;
      throw new AdminUnavailableError(
        code === 'EACCES'
          ? `a kiosk host runs, and ${file} is readable only by the kiosk user: run this as that user`
          : `a kiosk host runs, but ${file} cannot be read (${code ?? (readError as Error).message})`,
      );
    }
    return { kind: 'host', endpoint, holderPid: error.holderPid };
  }
  return { kind: 'none', release: () => lock.release() };
}

/** Whether a host holds `dataDir` (without creating the folder when there is none). */
export function hostLinkIfAny(dataDir: string): HostLink | null {
  return existsSync(dataDir) ? findHost(dataDir) : null;
}

export async function callHost<T>(
  endpoint: AdminEndpointFile,
  method: 'GET' | 'POST',
  route: string,
  payload?: unknown,
): Promise<T> {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (a container): the audit log says "unknown".
  }
  let response: Response;
  try {
    response = await fetch(`${endpoint.url}${route}`, {
      method,
      headers: {
        Authorization: `Bearer ${endpoint.token}`,
        'X-Mashang-User': user,
        ...(payload === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
      signal: AbortSignal.timeout(120_000),
    });
  } catch (error) {
    throw new AdminUnavailableError(
      `the running kiosk host does not answer at ${endpoint.url} (${(error as Error).message})`,
    );
  }
  const answer = (await response.json().catch(() => ({}))) as T & { error?: string };
  if (!response.ok)
    throw new AdminUnavailableError(`the kiosk host refused: ${answer.error ?? response.status}`);
  return answer;
}
