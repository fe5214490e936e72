/**
 * The real transport: the `pcsclite@1.0.1` native binding → libpcsclite → pcscd.
 *
 * Facts about this binding that shape the code (read in its C++ source, measured in PROTOCOLS.md §6):
 * - `pcsclite()` establishes its context synchronously and throws `0x8010001D` when pcscd is not
 *   running; after pcscd dies the context emits `RPC transport error (0x80100013)` and never sees
 *   readers again: recovery needs a new context, which the reader manager makes.
 * - Each reader object watches its state on its own thread, and the main-thread callback for a
 *   state change takes that reader's mutex — the same mutex a running SCardTransmit holds. A
 *   transmit stuck on a mute card would then freeze the event loop at the next state change.
 *   So sessions never use the watching objects: each reader gets a second native object used only
 *   for connect/transmit/disconnect, whose mutex the main thread never takes.
 * - Those session objects are never released: the binding's destructor joins a status thread
 *   that they never started (the field is left uninitialised), which would crash at garbage
 *   collection. One small object per reader per pcscd start is what this costs.
 * - `close()` on the context always emits an `error` (0x80100002 cancelled); it is ignored.
 * - The JS `connect`/`disconnect` wrappers skip the native call when their `connected` flag is
 *   stale (after a failed disconnect), so the native `_connect`/`_transmit`/`_disconnect` are used.
 */
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { err, ok, type Result } from '../common/result.ts';
import { SHORT_MAX_LE } from './apdu.ts';
import { faultFromPcscError, type CardFault } from './card-fault.ts';
import {
  readerStateFromBits,
  type CardProtocol,
  type Disposition,
  type PcscTransport,
  type TransportContext,
  type TransportEvents,
  type TransportReader,
  type TransmitDone,
} from './transport.ts';

type Callback<T> = (error: unknown, value: T) => void;

interface NativeReader extends EventEmitter {
  readonly name: string;
  readonly SCARD_SHARE_EXCLUSIVE: number;
  readonly SCARD_PROTOCOL_T0: number;
  readonly SCARD_PROTOCOL_T1: number;
  readonly SCARD_LEAVE_CARD: number;
  readonly SCARD_RESET_CARD: number;
  readonly SCARD_UNPOWER_CARD: number;
  _connect(shareMode: number, protocols: number, callback: Callback<number>): void;
  _transmit(
    data: Buffer,
    responseLength: number,
    protocol: number,
    callback: Callback<Buffer>,
  ): void;
  _disconnect(disposition: number, callback: Callback<void>): void;
  close(): void;
}

interface NativeContext extends EventEmitter {
  close(): void;
}

type NativeReaderClass = new (name: string) => NativeReader;
type Pcsclite = () => NativeContext;

/** Short APDUs only (apdu.ts): at most 256 data bytes and the two status bytes. */
export const RESPONSE_BUFFER_BYTES = SHORT_MAX_LE + 2;

/** Session objects kept reachable for the life of the process (see the file comment). */
const sessionObjects = new Set<NativeReader>();

let binding: Pcsclite | Error | null = null;

function loadBinding(): Pcsclite | Error {
  if (binding) return binding;
  try {
    binding = createRequire(import.meta.url)('pcsclite') as Pcsclite;
  } catch (error) {
    binding = error instanceof Error ? error : new Error(String(error));
  }
  return binding;
}

export class PcscliteTransport implements PcscTransport {
  readonly description = 'pcsclite';

  open(events: TransportEvents): Result<TransportContext, CardFault> {
    const pcsclite = loadBinding();
    if (pcsclite instanceof Error) {
      return err({
        kind: 'noService',
        detail: `the pcsclite binding does not load: ${pcsclite.message}`,
      });
    }
    let context: NativeContext;
    try {
      context = pcsclite();
    } catch (error) {
      return err(faultFromPcscError(error));
    }
    let closed = false;
    const watchers = new Map<string, NativeReader>();

    const shutDown = () => {
      closed = true;
      // No transmit ever runs on a watcher, so closing one never waits on a card.
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
      context.close();
    };

    context.on('error', (error: unknown) => {
      if (closed) return;
      shutDown();
      const fault = faultFromPcscError(error);
      events.serviceLost(
        fault.kind === 'noService'
          ? fault
          : { kind: 'noService', detail: String((error as Error)?.message ?? error) },
      );
    });

    context.on('reader', (watcher: NativeReader) => {
      const name = watcher.name;
      // A watcher's error (its status thread failed: pcscd is going away) is followed by `end`;
      // the context reports the service loss. Without a listener, Node would crash on it.
      watcher.on('error', () => {});
      watcher.on('status', (status: { state: number; atr?: Buffer }) => {
        if (!closed) events.readerState(name, readerStateFromBits(status.state, status.atr));
      });
      watcher.on('end', () => {
        if (watchers.get(name) === watcher) watchers.delete(name);
        if (!closed) events.readerRemoved(name);
      });
      watchers.set(name, watcher);
      events.readerAdded(new SessionReader(watcher.constructor as NativeReaderClass, name));
    });

    return ok({ close: () => (closed ? undefined : shutDown()) });
  }
}

class SessionReader implements TransportReader {
  readonly name: string;
  readonly #Native: NativeReaderClass;
  #native: NativeReader | null = null;

  constructor(Native: NativeReaderClass, name: string) {
    this.#Native = Native;
    this.name = name;
  }

  /** Made on first use: its own PC/SC context is established by the first connect. */
  #object(): NativeReader {
    if (!this.#native) {
      this.#native = new this.#Native(this.name);
      sessionObjects.add(this.#native);
    }
    return this.#native;
  }

  connect(): Promise<Result<{ protocol: CardProtocol }, CardFault>> {
    const native = this.#object();
    return new Promise((resolve) => {
      native._connect(
        native.SCARD_SHARE_EXCLUSIVE,
        native.SCARD_PROTOCOL_T0 | native.SCARD_PROTOCOL_T1,
        (error, protocol) => {
          if (error) resolve(err(faultFromPcscError(error)));
          else resolve(ok({ protocol: protocol === native.SCARD_PROTOCOL_T0 ? 'T=0' : 'T=1' }));
        },
      );
    });
  }

  transmit(apdu: Uint8Array, protocol: CardProtocol, done: TransmitDone): void {
    const native = this.#object();
    const code = protocol === 'T=0' ? native.SCARD_PROTOCOL_T0 : native.SCARD_PROTOCOL_T1;
    // A view, not a copy: the binding copies the bytes itself before the call returns.
    native._transmit(
      Buffer.from(apdu.buffer, apdu.byteOffset, apdu.byteLength),
      RESPONSE_BUFFER_BYTES,
      code,
      (error, response) => {
        if (error) done(err(faultFromPcscError(error)));
        else done(ok(new Uint8Array(response.buffer, response.byteOffset, response.length)));
      },
    );
  }

  disconnect(disposition: Disposition): Promise<Result<void, CardFault>> {
    const native = this.#object();
    const code =
      disposition === 'leave'
        ? native.SCARD_LEAVE_CARD
        : disposition === 'reset'
          ? native.SCARD_RESET_CARD
          : native.SCARD_UNPOWER_CARD;
    return new Promise((resolve) => {
      native._disconnect(code, (error) =>
        resolve(error ? err(faultFromPcscError(error)) : ok(undefined)),
      );
    });
  }
}
