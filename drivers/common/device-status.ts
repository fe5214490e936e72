/**
 * What every driver says about its device. A tagged union that always includes
 * `disconnected`: the kiosk must render a device that went away, not crash on it.
 */
export type DeviceStatus =
  | { state: 'ready' }
  | { state: 'busy' }
  | { state: 'fault'; code: string; detail: string }
  | { state: 'disconnected' };

export interface DeviceDescriptor {
  kind: string;
  /** `simulated` or the transport in use (e.g. `serial:/dev/ttyUSB0`). */
  transport: string;
  status(): DeviceStatus;
}

/** Rejects with an AbortError when the signal aborts; the shape `fromPromise` actors expect. */
export function abortable<T>(signal: AbortSignal, start: (resolve: (v: T) => void) => () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
      return;
    }
    const stop = start((value) => {
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    });
    function onAbort() {
      stop();
      reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
    }
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
