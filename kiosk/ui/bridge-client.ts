/**
 * The UI's end of the bridge: one WebSocket to the host, reconnecting forever with capped
 * backoff. It holds no flow logic — it keeps the latest view the host pushed and sends events.
 *
 * Everything environmental (WebSocket constructor, timers, location/history/storage) is injected
 * so the client is tested without a browser.
 */
import {
  BRIDGE_PATH,
  BRIDGE_SUBPROTOCOL,
  ClientMessage,
  ServerMessage,
  TOKEN_SUBPROTOCOL_PREFIX,
  type ViewModel,
} from '../bridge/protocol.ts';

/** A handler type checked bivariantly, so the DOM's `(ev: MessageEvent) => any` fits. */
type Handler<E> = { bivarianceHack(ev: E): void }['bivarianceHack'];

/** The part of the browser WebSocket the client uses (the DOM's WebSocket fits as is). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: Handler<unknown> | null;
  onclose: Handler<unknown> | null;
  onerror: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string, protocols: string[]) => WebSocketLike;

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface BridgeLogger {
  warn(...args: unknown[]): void;
}

export type ConnectionStatus = 'connecting' | 'open' | 'stopped';

export interface BridgeState {
  readonly status: ConnectionStatus;
  /** The latest view the host pushed on the current connection; null while disconnected. */
  readonly view: ViewModel | null;
}

export interface BridgeClientOptions {
  url: string;
  /** The per-start secret; null connects without it (the host will refuse, and we keep retrying). */
  token: string | null;
  WebSocket: WebSocketConstructor;
  timers: Timers;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  logger?: BridgeLogger;
}

const OPEN = 1;

export class BridgeClient {
  readonly #url: string;
  readonly #protocols: string[];
  readonly #WebSocket: WebSocketConstructor;
  readonly #timers: Timers;
  readonly #minBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #logger: BridgeLogger;
  readonly #listeners = new Set<() => void>();

  #state: BridgeState = { status: 'stopped', view: null };
  #socket: WebSocketLike | null = null;
  #retryTimer: unknown = null;
  #failures = 0;
  #running = false;

  constructor(options: BridgeClientOptions) {
    this.#url = options.url;
    this.#protocols =
      options.token === null
        ? [BRIDGE_SUBPROTOCOL]
        : [BRIDGE_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX + options.token];
    this.#WebSocket = options.WebSocket;
    this.#timers = options.timers;
    this.#minBackoffMs = options.minBackoffMs ?? 250;
    this.#maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.#logger = options.logger ?? console;
  }

  /** For React's useSyncExternalStore: a new object on every change, the same one otherwise. */
  getState = (): BridgeState => this.#state;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  };

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#failures = 0;
    this.#connect();
  }

  stop(): void {
    this.#running = false;
    this.#clearRetry();
    const socket = this.#socket;
    this.#socket = null;
    if (socket) {
      this.#detach(socket);
      socket.close(1000, 'client stopped');
    }
    this.#setState({ status: 'stopped', view: null });
  }

  /**
   * Sends a message if connected. Returns false (and sends nothing) otherwise: an event is never
   * queued for later, because a stale "confirm" replayed after a reconnect could act on a
   * different screen than the one the resident pressed it on.
   */
  send(message: ClientMessage): boolean {
    const socket = this.#socket;
    if (!socket || socket.readyState !== OPEN || this.#state.status !== 'open') return false;
    const checked = ClientMessage.safeParse(message);
    if (!checked.success) {
      this.#logger.warn(
        'bridge: refusing to send an invalid message',
        describeIssues(checked.error),
      );
      return false;
    }
    socket.send(JSON.stringify(checked.data));
    return true;
  }

  /** The delay before reconnect attempt number `failures` (1-based): 250, 500, 1000 … capped. */
  backoffMs(failures: number): number {
    const exponent = Math.max(0, Math.min(failures - 1, 30));
    return Math.min(this.#maxBackoffMs, this.#minBackoffMs * 2 ** exponent);
  }

  #connect(): void {
    this.#retryTimer = null;
    if (!this.#running) return;
    this.#setState({ status: 'connecting', view: null });
    let socket: WebSocketLike;
    try {
      socket = new this.#WebSocket(this.#url, this.#protocols);
    } catch (error) {
      this.#logger.warn('bridge: cannot open WebSocket', String(error));
      this.#scheduleReconnect();
      return;
    }
    this.#socket = socket;
    socket.onopen = () => {
      if (this.#socket !== socket) return;
      // "open" only once the host has pushed a view: until then there is nothing to render.
      this.#setState({ status: 'open', view: this.#state.view });
    };
    socket.onmessage = (event) => {
      if (this.#socket !== socket) return;
      this.#receive(event.data);
    };
    socket.onerror = () => {
      // A close event always follows; reconnecting is handled there.
    };
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      this.#detach(socket);
      this.#socket = null;
      this.#setState({ status: 'connecting', view: null });
      this.#scheduleReconnect();
    };
  }

  #receive(data: unknown): void {
    if (typeof data !== 'string') {
      this.#logger.warn('bridge: ignoring a non-text message');
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      this.#logger.warn('bridge: ignoring a message that is not JSON');
      return;
    }
    const parsed = ServerMessage.safeParse(json);
    if (!parsed.success) {
      // Only paths and codes: the message may carry personal data, which never goes to a log.
      this.#logger.warn('bridge: ignoring an invalid message', describeIssues(parsed.error));
      return;
    }
    const message = parsed.data;
    if (message.type === 'error') {
      this.#logger.warn('bridge: the host reported an error:', message.message);
      return;
    }
    this.#failures = 0;
    this.#setState({ status: 'open', view: message.view });
  }

  #scheduleReconnect(): void {
    if (!this.#running) return;
    this.#clearRetry();
    this.#failures += 1;
    this.#retryTimer = this.#timers.setTimeout(
      () => this.#connect(),
      this.backoffMs(this.#failures),
    );
  }

  #clearRetry(): void {
    if (this.#retryTimer !== null) {
      this.#timers.clearTimeout(this.#retryTimer);
      this.#retryTimer = null;
    }
  }

  #detach(socket: WebSocketLike): void {
    socket.onopen = null;
    socket.onmessage = null;
    socket.onerror = null;
    socket.onclose = null;
  }

  #setState(next: BridgeState): void {
    if (next.status === this.#state.status && next.view === this.#state.view) return;
    this.#state = next;
    for (const listener of [...this.#listeners]) listener();
  }
}

function describeIssues(error: {
  issues: ReadonlyArray<{ path: PropertyKey[]; code: string }>;
}): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.code}`)
    .join('; ');
}

// ---------------------------------------------------------------------------------------------
// Token and URL: the host opens the page as http://127.0.0.1:PORT/#token=<hex>.

export const TOKEN_STORAGE_KEY = 'mashang.bridgeToken';
/**
 * The host's token is hex; accept any string that can travel as a WebSocket sub-protocol (an
 * RFC 7230 token), so a configured token is never refused here, and nothing else (a sub-protocol
 * outside this set would make the WebSocket constructor throw).
 */
const TOKEN_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,512}$/;

export interface LocationLike {
  readonly protocol: string;
  readonly host: string;
  readonly pathname: string;
  readonly search: string;
  readonly hash: string;
}

export interface HistoryLike {
  readonly state: unknown;
  replaceState(data: unknown, unused: string, url?: string | null): void;
}

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/**
 * Takes the token from the `#token=` fragment (first load) or from sessionStorage (reload),
 * stores it, and removes it from the visible URL. A fragment token wins over a stored one: the
 * host hands out a new one on every start.
 */
export function takeBridgeToken(env: {
  location: LocationLike;
  history: HistoryLike;
  storage: StorageLike | null;
}): string | null {
  const { location, history, storage } = env;
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ''));
  const fromFragment = fragment.get('token');
  if (fromFragment !== null) {
    fragment.delete('token');
    const rest = fragment.toString();
    history.replaceState(
      history.state,
      '',
      location.pathname + location.search + (rest ? `#${rest}` : ''),
    );
    if (TOKEN_PATTERN.test(fromFragment)) {
      try {
        storage?.setItem(TOKEN_STORAGE_KEY, fromFragment);
      } catch {
        // Storage can be unavailable (privacy mode); the token still works until a reload.
      }
      return fromFragment;
    }
  }
  let stored: string | null = null;
  try {
    stored = storage?.getItem(TOKEN_STORAGE_KEY) ?? null;
  } catch {
    stored = null;
  }
  return stored !== null && TOKEN_PATTERN.test(stored) ? stored : null;
}

/** ws://same-host/bridge (wss on https). */
export function bridgeUrl(location: Pick<LocationLike, 'protocol' | 'host'>): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${BRIDGE_PATH}`;
}
