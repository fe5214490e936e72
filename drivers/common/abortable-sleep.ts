/**
 * Waits `ms`, or less if `signal` aborts first: true when the time passed, false when aborted.
 * Never rejects. Node's timer removes its abort listener either way, so a loop that sleeps many
 * times on one long-lived signal (payment polling, retries, recovery) leaves nothing behind on it.
 */
import { setTimeout as delay } from 'node:timers/promises';

export async function abortableSleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return false;
  try {
    await delay(ms, undefined, signal ? { signal } : undefined);
    return true;
  } catch {
    return false;
  }
}
