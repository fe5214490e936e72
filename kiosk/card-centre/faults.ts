/**
 * What can go wrong between a kiosk and its card centre, on demand: the embedded centre's server
 * consults these before and after it runs an operation. Tests set them directly; the standalone
 * `mashang card-centre` sets them from its options.
 *
 * "After commit" faults are the ones that matter for correctness: the centre did the work, but
 * the kiosk never heard. Only an idempotency key (and a query) lets the kiosk find out.
 */
import type { OperationId } from './api.ts';

/** `first`: only the first attempt of each request (its retry gets through); `always`: every attempt. */
export type FaultMode = 'first' | 'always';

export class CardCentreFaults {
  /** Every answer waits this long after the operation committed: a busy centre or a slow rural link. */
  slowMs = 0;
  /** Operations whose answer is lost: committed, then the connection is dropped without an answer. */
  readonly dropAfterCommit = new Map<OperationId, FaultMode>();
  /** Operations committed and then never answered: the kiosk's timeout has to fire. */
  readonly hangAfterCommit = new Map<OperationId, FaultMode>();
  /** The next N requests are refused with 503 UNAVAILABLE before anything is done. */
  unavailableNext = 0;
  readonly #corrupt = new Map<OperationId, (body: unknown) => unknown>();
  /** How many times each fault fired, by `drop:<operation>` / `hang:<operation>`: proof a test's faults happened. */
  readonly fired = new Map<string, number>();
  /** Requests whose first attempt already suffered a `first` fault. */
  readonly #seen = new Set<string>();

  /** The next answer to `operation` is replaced by what `mutate` makes of it: a centre that breaks its contract. */
  corruptNext(operation: OperationId, mutate: (body: unknown) => unknown): void {
    this.#corrupt.set(operation, mutate);
  }

  takeCorruption(operation: OperationId): ((body: unknown) => unknown) | undefined {
    const mutate = this.#corrupt.get(operation);
    this.#corrupt.delete(operation);
    return mutate;
  }

  /** Whether this attempt of a request (identified across attempts by `requestId`) loses its answer. */
  shouldDrop(operation: OperationId, requestId: string): boolean {
    return this.#applies(this.dropAfterCommit, 'drop', operation, requestId);
  }

  shouldHang(operation: OperationId, requestId: string): boolean {
    return this.#applies(this.hangAfterCommit, 'hang', operation, requestId);
  }

  takeUnavailable(): boolean {
    if (this.unavailableNext <= 0) return false;
    this.unavailableNext--;
    return true;
  }

  reset(): void {
    this.slowMs = 0;
    this.dropAfterCommit.clear();
    this.hangAfterCommit.clear();
    this.unavailableNext = 0;
    this.#corrupt.clear();
    this.#seen.clear();
    this.fired.clear();
  }

  #applies(
    table: Map<OperationId, FaultMode>,
    kind: string,
    operation: OperationId,
    requestId: string,
  ): boolean {
    const mode = table.get(operation);
    if (!mode) return false;
    if (mode === 'first') {
      const id = `${kind}:${operation}:${requestId}`;
      if (this.#seen.has(id)) return false;
      this.#seen.add(id);
    }
    const counted = `${kind}:${operation}`;
    this.fired.set(counted, (this.fired.get(counted) ?? 0) + 1);
    return true;
  }
}
