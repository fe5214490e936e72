/**
 * A virtual card in vsmartcard's vpcd reader: we connect to pcscd's vpcd port and answer it, so
 * the real pcscd, the real IFD handler and the real pcsclite binding carry every APDU.
 *
 * Wire protocol (PROTOCOLS.md §5, vsmartcard `vpcd.c`): both ways, a 2-byte big-endian length
 * then the payload. A 1-byte payload from vpcd is a control message; anything longer is a command
 * APDU, answered with the response APDU. The card is "inserted" when it connects and answers the
 * ATR request, "removed" when its socket closes.
 */
import net from 'node:net';
import type { CardBehaviour } from './card-behaviour.ts';

/** `/etc/reader.conf.d/vpcd`: `Virtual PCD 00 00` listens on 0x8C7B, `00 01` on the next port. */
export const VPCD_DEFAULT_PORT = 35963;

/** vpcd control messages (1-byte payloads); only GET_ATR is answered. */
export const VPCD_CONTROL = {
  POWER_OFF: 0x00,
  POWER_ON: 0x01,
  RESET: 0x02,
  GET_ATR: 0x04,
} as const;

export type VpcdEvent =
  | { kind: 'inserted' }
  | { kind: 'removed'; why: 'asked' | 'pulled' | 'closed' }
  | { kind: 'waiting'; detail: string };

export interface VpcdCardOptions {
  host?: string;
  port?: number;
  /**
   * Connect again this long after pcscd closed the connection or refused it (the command-line
   * card keeps coming back across pcscd restarts). Tests leave it unset and insert explicitly.
   */
  reconnectMs?: number;
  onEvent?: (event: VpcdEvent) => void;
}

export class VpcdCard {
  readonly behaviour: CardBehaviour;
  readonly #host: string;
  readonly #port: number;
  readonly #reconnectMs: number | undefined;
  readonly #onEvent: (event: VpcdEvent) => void;
  #socket: net.Socket | null = null;
  #wanted = false;
  #retry: NodeJS.Timeout | null = null;
  #buffer: Buffer = Buffer.alloc(0);
  /** Replies go out in order even when one is delayed (a slow card). */
  #queue: Promise<void> = Promise.resolve();
  #delayed = 0;

  constructor(behaviour: CardBehaviour, options: VpcdCardOptions = {}) {
    this.behaviour = behaviour;
    this.#host = options.host ?? '127.0.0.1';
    this.#port = options.port ?? VPCD_DEFAULT_PORT;
    this.#reconnectMs = options.reconnectMs;
    this.#onEvent = options.onEvent ?? (() => {});
  }

  get inserted(): boolean {
    return this.#socket !== null && !this.#socket.connecting && !this.#socket.destroyed;
  }

  /** Connects to vpcd. Resolves once connected; rejects if refused (unless reconnecting). */
  insert(): Promise<void> {
    this.#wanted = true;
    return this.#connect();
  }

  /** Closes the connection: pcscd sees the card removed. */
  async remove(): Promise<void> {
    this.#wanted = false;
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = null;
    await this.#close('asked');
  }

  #connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.#host, port: this.#port });
      // Our half of the Nagle fix; pcscd's half is the LD_PRELOAD shim (PROTOCOLS.md §5).
      socket.setNoDelay(true);
      this.#socket = socket;
      this.#buffer = Buffer.alloc(0);
      this.#queue = Promise.resolve();
      this.#delayed = 0;
      this.behaviour.reset();
      let connected = false;
      socket.once('connect', () => {
        connected = true;
        this.#onEvent({ kind: 'inserted' });
        resolve();
      });
      socket.on('data', (chunk) => this.#receive(socket, chunk));
      socket.on('error', (error) => {
        // After the connection was made, an error is followed by `close`: a removal, below.
        if (connected) return;
        if (this.#socket === socket) this.#socket = null;
        if (this.#reconnectMs !== undefined && this.#wanted) {
          this.#onEvent({ kind: 'waiting', detail: error.message });
          this.#scheduleReconnect();
          resolve();
        } else reject(error);
      });
      socket.on('close', () => {
        if (!connected || this.#socket !== socket) return;
        this.#socket = null;
        this.#onEvent({ kind: 'removed', why: 'closed' });
        if (this.#wanted) this.#scheduleReconnect();
      });
    });
  }

  #scheduleReconnect(): void {
    if (this.#reconnectMs === undefined || this.#retry) return;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      if (this.#wanted) void this.#connect().catch(() => {});
    }, this.#reconnectMs);
  }

  #close(why: 'asked' | 'pulled'): Promise<void> {
    const socket = this.#socket;
    if (!socket) return Promise.resolve();
    this.#socket = null;
    return new Promise((resolve) => {
      socket.once('close', () => {
        this.#onEvent({ kind: 'removed', why });
        resolve();
      });
      socket.destroy();
    });
  }

  #receive(socket: net.Socket, chunk: Buffer): void {
    this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk;
    while (this.#buffer.length >= 2) {
      const length = this.#buffer.readUInt16BE(0);
      if (this.#buffer.length < 2 + length) break;
      const payload = this.#buffer.subarray(2, 2 + length);
      this.#buffer = this.#buffer.subarray(2 + length);
      this.#handle(socket, payload);
    }
  }

  #handle(socket: net.Socket, payload: Buffer): void {
    if (payload.length === 1) {
      const control = payload[0];
      if (control === VPCD_CONTROL.GET_ATR) this.#send(socket, this.behaviour.atr, 0);
      else if (
        control === VPCD_CONTROL.POWER_OFF ||
        control === VPCD_CONTROL.POWER_ON ||
        control === VPCD_CONTROL.RESET
      )
        this.behaviour.reset();
      return;
    }
    const action = this.behaviour.respond(new Uint8Array(payload));
    switch (action.kind) {
      case 'reply':
        this.#send(socket, action.bytes, action.delayMs);
        return;
      case 'silence':
        return;
      case 'pull':
        void this.#queue
          .then(() => this.#close('pulled'))
          .then(() => {
            if (this.#wanted) this.#scheduleReconnect();
          });
        return;
    }
  }

  #send(socket: net.Socket, bytes: Uint8Array, delayMs: number): void {
    const frame = Buffer.allocUnsafe(2 + bytes.length);
    frame.writeUInt16BE(bytes.length, 0);
    frame.set(bytes, 2);
    if (delayMs === 0 && this.#delayed === 0) {
      // The common case: one write per answer, straight away (the benchmark measures this path).
      if (!socket.destroyed) socket.write(frame);
      return;
    }
    this.#delayed++;
    this.#queue = this.#queue.then(
      () =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            if (this.#socket === socket) this.#delayed--;
            if (!socket.destroyed) socket.write(frame);
            resolve();
          }, delayMs),
        ),
    );
  }
}
