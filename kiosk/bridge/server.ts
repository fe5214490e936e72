/**
 * The host's end of the bridge: a WebSocket on the host's loopback HTTP server that accepts only
 * a client presenting this start's secret (as a sub-protocol, so a refused client is refused at
 * the handshake, before any message), and only from the host's own origin when a browser says
 * where it comes from.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../log/logger.ts';
import {
  BRIDGE_PATH,
  BRIDGE_SUBPROTOCOL,
  ClientMessage,
  MAX_PHOTO_CHARS,
  PROTOCOL_VERSION,
  TOKEN_SUBPROTOCOL_PREFIX,
  type ServerMessage,
  type ViewModel,
} from './protocol.ts';

/** A user event is a few dozen bytes, a camera photo a few hundred KB; anything larger is not from our UI. */
const MAX_MESSAGE_BYTES = MAX_PHOTO_CHARS + 1024;

export interface BridgeServerOptions {
  token: string;
  /** The host's own origin, e.g. `http://127.0.0.1:8080`, known once the server listens. */
  origin: () => string;
  logger: Logger;
  currentView: () => ViewModel;
  onMessage: (message: ClientMessage) => void;
}

export class BridgeServer {
  readonly #wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (protocols) => (protocols.has(BRIDGE_SUBPROTOCOL) ? BRIDGE_SUBPROTOCOL : false),
  });
  readonly #options: BridgeServerOptions;
  readonly #token: Buffer;

  constructor(options: BridgeServerOptions) {
    this.#options = options;
    this.#token = Buffer.from(options.token);
    this.#wss.on('connection', (socket) => this.#onConnection(socket));
  }

  get clientCount(): number {
    return this.#wss.clients.size;
  }

  /** Called from the HTTP server's `upgrade` event. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refusal = this.#refusal(request);
    if (refusal) {
      this.#options.logger.warn({ event: 'bridge.refused', reason: refusal }, 'bridge connection refused');
      socket.end(`HTTP/1.1 ${refusal === 'not found' ? '404 Not Found' : '401 Unauthorized'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#wss.emit('connection', ws, request));
  }

  broadcast(view: ViewModel): void {
    const text = JSON.stringify({ type: 'view', version: PROTOCOL_VERSION, view } satisfies ServerMessage);
    for (const client of this.#wss.clients) if (client.readyState === client.OPEN) client.send(text);
  }

  async close(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #refusal(request: IncomingMessage): string | null {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== BRIDGE_PATH) return 'not found';
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== this.#options.origin()) return 'foreign origin';
    const offered = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!offered.includes(BRIDGE_SUBPROTOCOL)) return 'no bridge protocol';
    const presented = offered.find((p) => p.startsWith(TOKEN_SUBPROTOCOL_PREFIX));
    if (!presented) return 'no secret';
    const secret = Buffer.from(presented.slice(TOKEN_SUBPROTOCOL_PREFIX.length));
    if (secret.length !== this.#token.length || !timingSafeEqual(secret, this.#token)) return 'wrong secret';
    return null;
  }

  #onConnection(socket: WebSocket): void {
    this.#options.logger.info({ event: 'bridge.connected', clients: this.clientCount }, 'UI connected');
    // A (re)connecting UI picks up the current screen at once.
    socket.send(JSON.stringify({ type: 'view', version: PROTOCOL_VERSION, view: this.#options.currentView() } satisfies ServerMessage));
    socket.on('message', (data, isBinary) => {
      const message = isBinary ? null : parseClientMessage(data.toString());
      if (!message) {
        this.#options.logger.warn({ event: 'bridge.bad_message' }, 'bridge message refused');
        socket.send(JSON.stringify({ type: 'error', message: 'message does not follow the bridge protocol' } satisfies ServerMessage));
        return;
      }
      this.#options.onMessage(message);
    });
    socket.on('error', (error) => this.#options.logger.warn({ event: 'bridge.socket_error', err: error.message }, 'bridge socket error'));
  }
}

export function parseClientMessage(text: string): ClientMessage | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const result = ClientMessage.safeParse(json);
  return result.success ? result.data : null;
}
