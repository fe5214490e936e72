/**
 * One operation at a time on a line: a status poll never falls between the bytes of a panel
 * download or a raster band, because both run inside the same queue and each waits its turn.
 */
export class Exclusive {
  #tail: Promise<unknown> = Promise.resolve();
  #depth = 0;

  /** Operations queued or running. */
  get depth(): number {
    return this.#depth;
  }

  run<T>(operation: () => Promise<T>): Promise<T> {
    this.#depth++;
    const result = this.#tail.then(operation);
    this.#tail = result.then(
      () => this.#depth--,
      () => this.#depth--,
    );
    return result;
  }
}
