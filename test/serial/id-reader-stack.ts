/**
 * The real stack the serial ID reader tests need: node-pty's native module (to make pty pairs)
 * and serialport's native binding. Missing on CI is a failure; on a laptop, a skip that says
 * what to install.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Why the real serial stack cannot run here, or null when it can. */
export function serialStackProblem(): string | null {
  try {
    require('node-pty/build/Release/pty.node');
  } catch (error) {
    return `node-pty's native module is missing (npm install node-pty; it builds with python3, make and g++): ${(error as Error).message}`;
  }
  try {
    require('@serialport/bindings-cpp');
  } catch (error) {
    return `serialport's native binding is missing (npm install serialport): ${(error as Error).message}`;
  }
  return null;
}

/** A log that remembers every entry, to check what would have been written. */
export function recordingLog() {
  const entries: { level: string; fields: object; message?: string }[] = [];
  return {
    entries,
    info: (fields: object, message?: string) =>
      void entries.push({ level: 'info', fields, ...(message ? { message } : {}) }),
    warn: (fields: object, message?: string) =>
      void entries.push({ level: 'warn', fields, ...(message ? { message } : {}) }),
  };
}

export async function until(
  condition: () => boolean,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
