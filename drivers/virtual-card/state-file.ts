/**
 * A virtual card's non-volatile memory on disk, so a PIN retry counter survives the card being
 * pulled, the simulator being restarted, and the machine crashing mid-write: each save writes a
 * new file and renames it over the old one (atomic on POSIX), synchronously, before the card
 * answers — as a real card commits its EEPROM before it sends the status word.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

export class JsonStateFile<T> {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  /** The saved state, or null when there is none yet. Throws on a file that is not ours (JSON). */
  load(): T | null {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    return JSON.parse(text) as T;
  }

  save(value: T): void {
    const temporary = `${this.path}.${process.pid}.tmp`;
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(value, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.path);
  }
}
