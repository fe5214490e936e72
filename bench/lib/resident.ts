/**
 * A simulated resident at the kiosk, acting through the bridge exactly as the UI and the simulator
 * panel do (one authenticated WebSocket, the same messages): START, the ID card on the reader,
 * a face photo, CONFIRM, the payment code when there is a fee, the new card taken from the slot,
 * the ID card taken away. It reacts to each view the host pushes, at once (or after a "think"
 * time the caller chooses, which is the resident's and is kept apart from the kiosk's time).
 *
 * Every view that arrives is recorded with a snapshot taken by the caller (time, CPU, device
 * accounts), so a journey splits into segments: one per screen (and production stage, payment
 * phase) the resident saw.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { idNumberCheckDigit } from '../../drivers/id-reader/id-card-record.ts';
import {
  BRIDGE_PATH,
  BRIDGE_SUBPROTOCOL,
  TOKEN_SUBPROTOCOL_PREFIX,
  type ClientMessage,
  type ViewModel,
} from '../../kiosk/bridge/protocol.ts';

/** A stand-in for the camera's JPEG (the embedded centre matches by the seeded resident, not by pixels). */
export const FACE_PHOTO = `data:image/jpeg;base64,${Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(4096, 0x55)]).toString('base64')}`;

/** What the resident is waiting for, as a segment name: the screen, plus the stage or phase within it. */
export function segmentOf(view: ViewModel): string {
  switch (view.screen) {
    case 'producing':
      return `producing:${view.production?.stage ?? '?'}`;
    case 'payment':
      return `payment:${view.payment?.phase ?? '?'}`;
    case 'verifying':
      return view.verifying?.checking ? 'verifying:checking' : 'verifying:capture';
    case 'receipt':
      return view.receipt?.printed ? 'receipt:shown' : 'receipt:printing';
    default:
      return view.screen;
  }
}

export interface Mark<S> {
  segment: string;
  /** performance.now() when the view arrived. */
  at: number;
  snapshot: S;
  /** The resident's own time spent before acting on this view (thinking, reaching): not the kiosk's. */
  thinkMs: number;
}

export interface JourneyTrace<S> {
  start: { at: number; snapshot: S };
  marks: Mark<S>[];
  /** The sum of the resident's think times. */
  thinkMs: number;
  failure: string | null;
}

export type ResidentAction =
  'placeIdCard' | 'photo' | 'confirm' | 'scan' | 'takeCard' | 'removeIdCard';

/** The hundred commonest surnames' first twenty (they cover about half the population). */
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
/** GB 2312's level-1 hanzi (3,755, rows B0–D7): every one in the chip's GBK field and the card's font. */
const LEVEL_1 = (() => {
  const chars: string[] = [];
  for (let hi = 0xb0; hi <= 0xd7; hi++) {
    for (let lo = 0xa1; lo <= 0xfe; lo++) {
      if (hi === 0xd7 && lo > 0xf9) break; // the row ends at D7F9
      chars.push(new TextDecoder('gbk').decode(Uint8Array.of(hi, lo)));
    }
  }
  return chars;
})();

/**
 * A made-up resident with a valid ID number; district 330108 charges a fee, 330106 does not. Given
 * names are one or two characters drawn evenly from GB 2312 level 1, so new characters keep coming
 * for thousands of residents (real names repeat more): what a kiosk's fonts meet over weeks.
 */
export function residentFor(n: number, fee = false): { name: string; idNumber: string } {
  const district = fee ? '330108' : '330106';
  const birth = new Date(Date.UTC(1945, 0, 1) + ((n * 7919) % 18_000) * 86_400_000)
    .toISOString()
    .slice(0, 10)
    .replace(/-/g, '');
  const first17 = `${district}${birth}${String(n % 1000).padStart(3, '0')}`;
  const hash = Math.imul(n + 1, 2_654_435_761) >>> 0;
  const pick = (k: number) => LEVEL_1[(hash + k) % LEVEL_1.length]!;
  const given = n % 3 === 0 ? pick(0) : pick(0) + pick(1_000);
  return {
    name: SURNAMES[n % SURNAMES.length]! + given,
    idNumber: first17 + idNumberCheckDigit(first17),
  };
}

export interface JourneyOptions<S> {
  person: { name: string; idNumber: string };
  /** The ID card is on the reader before START (no wait for the reader's next look). */
  cardFirst?: boolean;
  /** The ID card is taken off the reader as soon as the receipt prints, not when asked. */
  removeIdCardEarly?: boolean;
  snapshot: () => S;
  /** Milliseconds the resident takes before an action (default: none). */
  think?: (action: ResidentAction) => number;
  /** Told of each action just before it is sent. */
  onAction?: (action: ResidentAction) => void;
  timeoutMs?: number;
}

export class Resident {
  readonly #socket: WebSocket;
  #latest: ViewModel | null = null;
  #onView: ((view: ViewModel) => void) | null = null;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as {
        type: string;
        view?: ViewModel;
        message?: string;
      };
      if (message.type === 'error')
        throw new Error(`the bridge refused a message: ${message.message}`);
      if (message.type !== 'view' || !message.view) return;
      this.#latest = message.view;
      this.#onView?.(message.view);
    });
  }

  static async connect(origin: string, token: string): Promise<Resident> {
    const socket = new WebSocket(`${origin.replace(/^http/, 'ws')}${BRIDGE_PATH}`, [
      BRIDGE_SUBPROTOCOL,
      `${TOKEN_SUBPROTOCOL_PREFIX}${token}`,
    ]);
    const resident = new Resident(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    // The host sends the current view on connection.
    await resident.waitFor((v) => v !== null);
    return resident;
  }

  get view(): ViewModel | null {
    return this.#latest;
  }

  send(message: ClientMessage): void {
    this.#socket.send(JSON.stringify(message));
  }

  sim(sim: Extract<ClientMessage, { type: 'sim' }>['sim']): void {
    this.send({ type: 'sim', sim });
  }

  event(type: 'START' | 'CONFIRM' | 'CANCEL' | 'RETRY' | 'STILL_HERE'): void {
    this.send({ type: 'event', event: { type } });
  }

  /** Resolves with the first view (the current one included) that satisfies `test`. */
  waitFor(test: (view: ViewModel) => boolean, timeoutMs = 30_000): Promise<ViewModel> {
    const current = this.#latest;
    if (current && test(current)) return Promise.resolve(current);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#onView = null;
        reject(new Error(`view not reached in ${timeoutMs} ms; on ${this.#latest?.screen}`));
      }, timeoutMs);
      this.#onView = (view) => {
        if (!test(view)) return;
        clearTimeout(timer);
        this.#onView = null;
        resolve(view);
      };
    });
  }

  /** One whole reissue from attract back to attract. Rejects if the kiosk shows a failure. */
  journey<S>(options: JourneyOptions<S>): Promise<JourneyTrace<S>> {
    if (this.#latest?.screen !== 'attract')
      return Promise.reject(new Error(`a journey starts on attract, not ${this.#latest?.screen}`));
    const think = options.think ?? (() => 0);
    const marks: Mark<S>[] = [];
    let thinkTotal = 0;
    const done = new Set<string>();
    /** Acts once per segment instance (a segment seen again later is a new instance). */
    let instance = 0;
    let lastSegment = 'attract';
    let started = false;

    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#onView = null;
        reject(
          new Error(
            `journey timed out on ${this.#latest?.screen}: ${marks.map((m) => m.segment).join(' → ')}`,
          ),
        );
      }, options.timeoutMs ?? 120_000);
      const finish = (failure: string | null) => {
        clearTimeout(timer);
        this.#onView = null;
        const trace: JourneyTrace<S> = { start, marks, thinkMs: thinkTotal, failure };
        if (failure)
          reject(
            Object.assign(
              new Error(`journey failed: ${failure} (${marks.map((m) => m.segment).join(' → ')})`),
              { trace },
            ),
          );
        else resolve(trace);
      };
      const act = (key: string, action: ResidentAction, mark: Mark<S>, run: () => void) => {
        // Once per view instance; the ID card's removal once per journey.
        const id = key === 'removeIdCard' ? key : `${instance}:${key}`;
        if (done.has(id)) return;
        done.add(id);
        const go = () => {
          options.onAction?.(action);
          run();
        };
        const ms = think(action);
        if (ms <= 0) return go();
        mark.thinkMs += ms;
        thinkTotal += ms;
        setTimeout(go, ms);
      };

      this.#onView = (view) => {
        const at = performance.now();
        const segment = segmentOf(view);
        if (segment === lastSegment) return;
        lastSegment = segment;
        if (segment !== 'attract') started = true;
        else if (!started) return;
        instance++;
        const mark: Mark<S> = { segment, at, snapshot: options.snapshot(), thinkMs: 0 };
        marks.push(mark);
        switch (segment) {
          case 'identify':
            if (!options.cardFirst)
              act(segment, 'placeIdCard', mark, () =>
                this.sim({ action: 'placeIdCard', person: options.person }),
              );
            break;
          case 'verifying:capture':
            act(segment, 'photo', mark, () =>
              this.send({ type: 'event', event: { type: 'PHOTO', photo: FACE_PHOTO } }),
            );
            break;
          case 'confirm':
            act(segment, 'confirm', mark, () => this.event('CONFIRM'));
            break;
          case 'payment:awaitingCode':
            act(segment, 'scan', mark, () => this.sim({ action: 'scanPaymentCode', code: 'paid' }));
            break;
          case 'collect':
            act(segment, 'takeCard', mark, () => this.sim({ action: 'takeCard' }));
            break;
          case 'receipt:printing':
            if (options.removeIdCardEarly)
              act('removeIdCard', 'removeIdCard', mark, () => this.sim({ action: 'removeIdCard' }));
            break;
          case 'takeIdCard':
            act('removeIdCard', 'removeIdCard', mark, () => this.sim({ action: 'removeIdCard' }));
            break;
          case 'failed':
            finish(view.failure?.reason ?? 'unknown');
            break;
          case 'outOfService':
            finish('outOfService');
            break;
          case 'attract':
            finish(null);
            break;
        }
      };

      if (options.cardFirst) this.sim({ action: 'placeIdCard', person: options.person });
      const start = { at: performance.now(), snapshot: options.snapshot() };
      this.event('START');
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#socket.readyState === WebSocket.CLOSED) return resolve();
      this.#socket.once('close', () => resolve());
      this.#socket.close();
    });
  }
}
