/**
 * A device's status as it changes: each transition is reported once (to listeners and the log),
 * however often the same status is polled.
 */
import type { DeviceLog } from '../../serial/reconnecting-line.ts';

export class StatusCell<S extends { state: string }> {
  #current: S;
  #key: string;
  readonly #listeners = new Set<(status: S, previous: S) => void>();

  constructor(
    initial: S,
    private readonly device: string,
    private readonly logger: DeviceLog,
    private readonly event: string,
  ) {
    this.#current = initial;
    this.#key = JSON.stringify(initial);
  }

  get(): S {
    return this.#current;
  }

  set(next: S): void {
    const key = JSON.stringify(next);
    if (key === this.#key) return;
    const previous = this.#current;
    this.#current = next;
    this.#key = key;
    const log = next.state === 'ready' ? this.logger.info : this.logger.warn;
    log.call(
      this.logger,
      { event: this.event, device: this.device, from: previous, to: next },
      `${this.device}: ${previous.state} → ${next.state}`,
    );
    for (const listener of this.#listeners) listener(next, previous);
  }

  subscribe(listener: (status: S, previous: S) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
