import { describe, expect, it, vi } from 'vitest';
import {
  BRIDGE_SUBPROTOCOL,
  PROTOCOL_VERSION,
  TOKEN_SUBPROTOCOL_PREFIX,
  type ViewModel,
} from '../bridge/protocol.ts';
import {
  BridgeClient,
  TOKEN_STORAGE_KEY,
  bridgeUrl,
  takeBridgeToken,
  type Timers,
  type WebSocketLike,
} from './bridge-client.ts';

class FakeSocket implements WebSocketLike {
  static instances: FakeSocket[] = [];
  readyState = 0;
  onopen: WebSocketLike['onopen'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  sent: string[] = [];
  closed = false;
  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {
    FakeSocket.instances.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.closed = true;
    this.readyState = 3;
  }
  // test helpers
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(data: unknown) {
    this.onmessage?.({ data: typeof data === 'string' ? data : JSON.stringify(data) });
  }
  drop() {
    this.readyState = 3;
    this.onerror?.({});
    this.onclose?.({});
  }
}

class FakeTimers implements Timers {
  pending: { fn: () => void; ms: number; id: number }[] = [];
  #next = 1;
  setTimeout(fn: () => void, ms: number) {
    const id = this.#next++;
    this.pending.push({ fn, ms, id });
    return id;
  }
  clearTimeout(handle: unknown) {
    this.pending = this.pending.filter((t) => t.id !== handle);
  }
  runNext(): number {
    const timer = this.pending.shift();
    if (!timer) throw new Error('no timer pending');
    timer.fn();
    return timer.ms;
  }
}

const view: ViewModel = {
  screen: 'confirm',
  lang: 'zh-CN',
  step: { index: 3, total: 5 },
  idle: null,
  resident: { name: '张三', maskedId: '1101**********123X', cardStatus: 'normal' },
  fee: { amountFen: 0 },
  production: null,
  verifying: null,
  payment: null,
  failure: null,
  receipt: null,
  kiosk: { id: 'K1', siteName: '测试村服务站' },
  settings: { voice: true },
  simulation: null,
};

function setup(token: string | null = 'ab'.repeat(16)) {
  FakeSocket.instances = [];
  const timers = new FakeTimers();
  const logger = { warn: vi.fn() };
  const client = new BridgeClient({
    url: 'ws://127.0.0.1:1/bridge',
    token,
    WebSocket: FakeSocket,
    timers,
    logger,
  });
  const changes = vi.fn();
  client.subscribe(changes);
  client.start();
  const socket = () => {
    const s = FakeSocket.instances.at(-1);
    if (!s) throw new Error('no socket');
    return s;
  };
  return { client, timers, logger, changes, socket };
}

describe('BridgeClient', () => {
  it('connects with the bridge sub-protocol and the token sub-protocol', () => {
    const { socket } = setup('0123abcd0123abcd');
    expect(socket().url).toBe('ws://127.0.0.1:1/bridge');
    expect(socket().protocols).toEqual([
      BRIDGE_SUBPROTOCOL,
      `${TOKEN_SUBPROTOCOL_PREFIX}0123abcd0123abcd`,
    ]);
  });

  it('shows nothing until the host pushes a view, then exactly that view', () => {
    const { client, socket } = setup();
    expect(client.getState()).toEqual({ status: 'connecting', view: null });
    socket().open();
    expect(client.getState().view).toBeNull();
    socket().receive({ type: 'view', version: PROTOCOL_VERSION, view });
    expect(client.getState()).toEqual({ status: 'open', view });
  });

  it('ignores invalid messages with a warning that contains no personal data', () => {
    const { client, socket, logger } = setup();
    socket().open();
    socket().receive({ type: 'view', version: PROTOCOL_VERSION, view });
    socket().receive('not json');
    socket().receive({ type: 'view', version: 99, view });
    socket().receive({
      type: 'view',
      version: PROTOCOL_VERSION,
      view: { ...view, screen: 'nope' },
    });
    socket().receive({
      type: 'view',
      version: PROTOCOL_VERSION,
      view: { ...view, resident: { name: 12345 } },
    });
    expect(client.getState().view).toEqual(view);
    expect(logger.warn).toHaveBeenCalledTimes(4);
    const logged = JSON.stringify(logger.warn.mock.calls);
    expect(logged).not.toContain('张三');
    expect(logged).not.toContain('123X');
    expect(logged).not.toContain('12345');
  });

  it('clears the view when the connection drops and reconnects with capped backoff', () => {
    const { client, socket, timers } = setup();
    socket().open();
    socket().receive({ type: 'view', version: PROTOCOL_VERSION, view });
    socket().drop();
    expect(client.getState()).toEqual({ status: 'connecting', view: null });
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      delays.push(timers.runNext());
      socket().drop(); // the host is still down
    }
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
    expect(FakeSocket.instances).toHaveLength(9);
    // Back up: the host pushes the current view, and the backoff starts over.
    timers.runNext();
    socket().open();
    socket().receive({
      type: 'view',
      version: PROTOCOL_VERSION,
      view: { ...view, screen: 'attract', resident: null },
    });
    expect(client.getState().view?.screen).toBe('attract');
    socket().drop();
    expect(timers.pending.map((t) => t.ms)).toEqual([250]);
  });

  it('retries when the WebSocket constructor throws', () => {
    const timers = new FakeTimers();
    const Throwing = class {
      constructor() {
        throw new Error('blocked');
      }
    } as unknown as typeof FakeSocket;
    const client = new BridgeClient({
      url: 'ws://x/bridge',
      token: null,
      WebSocket: Throwing,
      timers,
      logger: { warn: () => {} },
    });
    client.start();
    expect(timers.pending).toHaveLength(1);
    expect(client.getState().status).toBe('connecting');
  });

  it('sends validated events only while connected, never queueing them', () => {
    const { client, socket } = setup();
    expect(client.send({ type: 'event', event: { type: 'CONFIRM' } })).toBe(false);
    socket().open();
    expect(client.send({ type: 'event', event: { type: 'START' } })).toBe(true);
    expect(client.send({ type: 'sim', sim: { action: 'takeCard' } })).toBe(true);
    expect(client.send({ type: 'event', event: { type: 'NOPE' } } as never)).toBe(false);
    expect(socket().sent.map((s) => JSON.parse(s))).toEqual([
      { type: 'event', event: { type: 'START' } },
      { type: 'sim', sim: { action: 'takeCard' } },
    ]);
    socket().drop();
    expect(client.send({ type: 'event', event: { type: 'CONFIRM' } })).toBe(false);
  });

  it('stops cleanly: no reconnect, socket closed', () => {
    const { client, socket, timers } = setup();
    const s = socket();
    s.open();
    client.stop();
    expect(s.closed).toBe(true);
    expect(timers.pending).toHaveLength(0);
    expect(client.getState()).toEqual({ status: 'stopped', view: null });
  });

  it('logs host error messages and keeps the view', () => {
    const { client, socket, logger } = setup();
    socket().open();
    socket().receive({ type: 'view', version: PROTOCOL_VERSION, view });
    socket().receive({ type: 'error', message: 'bad event' });
    expect(client.getState().view).toEqual(view);
    expect(logger.warn).toHaveBeenCalledOnce();
  });
});

describe('takeBridgeToken', () => {
  const token = 'deadbeef'.repeat(8);

  function env(hash: string, stored: string | null = null) {
    const store = new Map<string, string>();
    if (stored !== null) store.set(TOKEN_STORAGE_KEY, stored);
    const replaced: (string | null | undefined)[] = [];
    return {
      store,
      replaced,
      args: {
        location: { protocol: 'http:', host: '127.0.0.1:8080', pathname: '/', search: '', hash },
        history: {
          state: null,
          replaceState: (_d: unknown, _u: string, url?: string | null) => void replaced.push(url),
        },
        storage: {
          getItem: (k: string) => store.get(k) ?? null,
          setItem: (k: string, v: string) => void store.set(k, v),
        },
      },
    };
  }

  it('takes the token from the fragment, stores it, and removes it from the URL', () => {
    const e = env(`#token=${token}`);
    expect(takeBridgeToken(e.args)).toBe(token);
    expect(e.store.get(TOKEN_STORAGE_KEY)).toBe(token);
    expect(e.replaced).toEqual(['/']);
  });

  it('keeps other fragment parameters', () => {
    const e = env(`#token=${token}&x=1`);
    expect(takeBridgeToken(e.args)).toBe(token);
    expect(e.replaced).toEqual(['/#x=1']);
  });

  it('falls back to the stored token after a reload', () => {
    const e = env('', token);
    expect(takeBridgeToken(e.args)).toBe(token);
    expect(e.replaced).toEqual([]);
  });

  it('prefers a new fragment token over a stored one', () => {
    const fresh = 'cafe'.repeat(16);
    const e = env(`#token=${fresh}`, token);
    expect(takeBridgeToken(e.args)).toBe(fresh);
    expect(e.store.get(TOKEN_STORAGE_KEY)).toBe(fresh);
  });

  it('accepts a short configured token', () => {
    expect(takeBridgeToken(env('#token=f00d').args)).toBe('f00d');
  });

  it('refuses a token that cannot be a sub-protocol (still removing it from the URL)', () => {
    const e = env('#token=%3Cscript%3E');
    expect(takeBridgeToken(e.args)).toBeNull();
    expect(e.replaced).toEqual(['/']);
    expect(e.store.size).toBe(0);
  });

  it('works without storage', () => {
    const e = env(`#token=${token}`);
    expect(takeBridgeToken({ ...e.args, storage: null })).toBe(token);
  });
});

describe('bridgeUrl', () => {
  it('is the same host, /bridge', () => {
    expect(bridgeUrl({ protocol: 'http:', host: '127.0.0.1:4321' })).toBe(
      'ws://127.0.0.1:4321/bridge',
    );
    expect(bridgeUrl({ protocol: 'https:', host: 'kiosk.local' })).toBe('wss://kiosk.local/bridge');
  });
});
