/**
 * The kiosk's card-centre client over HTTP: each operation of `api.ts`, signed with this kiosk's
 * key (`signing.ts`), with a named timeout, bounded retries with backoff for the calls that are
 * safe to repeat (every operation of this API is: reads, keyed mutations, and the personalisation
 * plan, a computation), and every answer checked — its signature, then its schema. An answer that
 * is not what the API documents is a `malformed` failure naming the field, never an exception.
 *
 * It keeps nothing of a resident: requests are built, sent and dropped.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { err, ok, type Result } from '../../drivers/common/result.ts';
import {
  ApiError,
  fieldPath,
  OPERATIONS,
  operationPath,
  type OperationAnswer,
  type OperationId,
  type OperationRequest,
} from './api.ts';
import type {
  ArchivedPhoto,
  CardCentre,
  CardCentreFailure,
  Image,
  PersonalisationPlan,
  ReissueReason,
} from './card-centre.ts';
import { SIGNATURE_HEADERS, signRequest, verifyAnswer } from './signing.ts';
import { abortableSleep } from '../../drivers/common/abortable-sleep.ts';

/**
 * How long one attempt of an operation may take. Most calls are small records (the config's
 * `timeoutMs`); two wait on more than the centre's database, so they get at least these.
 */
export const CARD_CENTRE_TIMEOUTS_MS = {
  /** Look-ups and small records, when the config does not say (`cardCentre.timeoutMs`). */
  default: 10_000,
  /** A face check uploads a photo (~100–300 KB) over a rural uplink, then runs a 1:1 comparison. */
  verifyFace: 30_000,
  /** The payment provider may hold the call while the resident confirms on their phone. */
  pay: 30_000,
} as const;

/** Attempts per call (the first and two retries), and the backoff between them (doubling, ±20 % jitter). */
export const CARD_CENTRE_RETRY = { attempts: 3, baseDelayMs: 500, maxDelayMs: 4_000 } as const;

/** An answer larger than this is not one the API documents (the largest, a photo, is ~0.5 MB). */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | undefined>;
  body: Buffer;
}
/** One HTTP exchange; rejects on a network failure, a dropped connection or the signal. */
export interface HttpTransport {
  send(request: HttpRequest, signal: AbortSignal): Promise<HttpAnswer>;
  close(): void;
}

export interface HttpCardCentreOptions {
  /** The centre's base URL, or a function giving it (the embedded centre's port is known once it listens). */
  baseUrl: string | (() => string | null);
  kioskId: string;
  /** This kiosk's request-signing key, 32 bytes (`cardCentreKey` in the secrets file). */
  key: Uint8Array;
  /** Per-attempt timeout of ordinary operations (config `cardCentre.timeoutMs`). */
  timeoutMs?: number;
  /** Per-operation overrides (tests use short ones). */
  timeouts?: Partial<Record<OperationId, number>>;
  /** Attempts per call, the first included. */
  attempts?: number;
  backoff?: { baseDelayMs: number; maxDelayMs: number };
  /** Waits between attempts; resolves false when the signal aborts first. */
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<boolean>;
  transport?: HttpTransport;
  /** The kiosk's clock (Unix ms). */
  now?: () => number;
}

type Attempt<T> =
  { done: Result<T, CardCentreFailure> } | { retry: CardCentreFailure; clockCorrected?: boolean };

export class HttpCardCentre implements CardCentre {
  readonly #baseUrl: () => string | null;
  readonly #kioskId: string;
  readonly #key: Uint8Array;
  readonly #timeoutMs: number;
  readonly #timeouts: Partial<Record<OperationId, number>>;
  readonly #attempts: number;
  readonly #backoff: { baseDelayMs: number; maxDelayMs: number };
  readonly #sleep: (ms: number, signal: AbortSignal | undefined) => Promise<boolean>;
  readonly #transport: HttpTransport;
  readonly #now: () => number;
  /** The centre's clock minus ours, learnt from CLOCK_SKEW refusals and `centreTime`. */
  #clockOffsetMs = 0;

  constructor(options: HttpCardCentreOptions) {
    if (options.key.length !== 32) throw new Error('the card-centre key must be 32 bytes');
    const base = options.baseUrl;
    this.#baseUrl = typeof base === 'string' ? () => base : base;
    this.#kioskId = options.kioskId;
    this.#key = options.key;
    this.#timeoutMs = options.timeoutMs ?? CARD_CENTRE_TIMEOUTS_MS.default;
    this.#timeouts = options.timeouts ?? {};
    this.#attempts = Math.max(1, options.attempts ?? CARD_CENTRE_RETRY.attempts);
    this.#backoff = options.backoff ?? CARD_CENTRE_RETRY;
    this.#sleep = options.sleep ?? abortableSleep;
    this.#transport = options.transport ?? nodeHttpTransport();
    this.#now = options.now ?? Date.now;
  }

  /** Closes idle connections to the centre. */
  close(): void {
    this.#transport.close();
  }

  /** The centre's clock minus the kiosk's, as last learnt (ms). */
  get clockOffsetMs(): number {
    return this.#clockOffsetMs;
  }

  lookupPerson(idNumber: string, signal?: AbortSignal) {
    return this.#call('lookupPerson', {}, { idNumber }, undefined, signal);
  }

  verifyFace(request: { key: string; idNumber: string; photo: Image }, signal?: AbortSignal) {
    const photo = {
      mediaType: request.photo.mediaType,
      data: Buffer.from(request.photo.data).toString('base64'),
    };
    return this.#call('verifyFace', {}, { idNumber: request.idNumber, photo }, request.key, signal);
  }

  async archivedPhoto(
    idNumber: string,
    signal?: AbortSignal,
  ): Promise<Result<ArchivedPhoto, CardCentreFailure>> {
    const answer = await this.#call('archivedPhoto', {}, { idNumber }, undefined, signal);
    if (!answer.ok) return answer;
    return ok({ ...answer.value, data: new Uint8Array(Buffer.from(answer.value.data, 'base64')) });
  }

  reportLoss(request: { key: string; idNumber: string; cardNo: string }, signal?: AbortSignal) {
    return this.#call(
      'reportLoss',
      {},
      { idNumber: request.idNumber, cardNo: request.cardNo },
      request.key,
      signal,
    );
  }

  openApplication(
    request: { key: string; idNumber: string; reason: ReissueReason },
    signal?: AbortSignal,
  ) {
    return this.#call(
      'openApplication',
      {},
      { idNumber: request.idNumber, reason: request.reason },
      request.key,
      signal,
    );
  }

  applicationStatus(applicationNo: string, signal?: AbortSignal) {
    return this.#call('applicationStatus', { applicationNo }, undefined, undefined, signal);
  }

  personalisationPlan(
    request: {
      applicationNo: string;
      identification: string;
      challenge: string;
      atr?: string;
      holder: { idNumber: string; name: string };
    },
    signal?: AbortSignal,
  ): Promise<Result<PersonalisationPlan, CardCentreFailure>> {
    const body = {
      identification: request.identification,
      challenge: request.challenge,
      ...(request.atr ? { atr: request.atr } : {}),
      holder: { idNumber: request.holder.idNumber, name: request.holder.name },
    };
    return this.#call(
      'personalisationPlan',
      { applicationNo: request.applicationNo },
      body,
      undefined,
      signal,
    );
  }

  async reportCardIssued(
    request: {
      key: string;
      applicationNo: string;
      identification: string;
      outcome: 'issued' | 'spoiled' | 'retained';
      cardNo?: string;
    },
    signal?: AbortSignal,
  ): Promise<Result<void, CardCentreFailure>> {
    const body = {
      identification: request.identification,
      outcome: request.outcome,
      ...(request.cardNo ? { cardNo: request.cardNo } : {}),
    };
    const answer = await this.#call(
      'reportCardResult',
      { applicationNo: request.applicationNo },
      body,
      request.key,
      signal,
    );
    return answer.ok ? ok(undefined) : answer;
  }

  pay(
    request: { orderNo: string; applicationNo: string; amountFen: number; paymentCode: string },
    signal?: AbortSignal,
  ) {
    const body = {
      orderNo: request.orderNo,
      applicationNo: request.applicationNo,
      amountFen: request.amountFen,
      paymentCode: request.paymentCode,
    };
    return this.#call('pay', {}, body, `pay:${request.orderNo}`, signal);
  }

  queryPayment(orderNo: string, signal?: AbortSignal) {
    return this.#call('queryPayment', { orderNo }, undefined, undefined, signal);
  }

  reversePayment(
    request: { orderNo: string; reason: 'unknownOutcome' | 'cancelled' | 'productionFailed' },
    signal?: AbortSignal,
  ) {
    return this.#call(
      'reversePayment',
      { orderNo: request.orderNo },
      { reason: request.reason },
      `reverse:${request.orderNo}`,
      signal,
    );
  }

  async centreTime(signal?: AbortSignal) {
    const sent = this.#now();
    const answer = await this.#call('centreTime', {}, undefined, undefined, signal);
    if (answer.ok) {
      // Half the round trip is the best guess of when the centre read its clock.
      this.#clockOffsetMs = Date.parse(answer.value.now) - Math.round((sent + this.#now()) / 2);
    }
    return answer;
  }

  staffRevocations(signal?: AbortSignal) {
    return this.#call('staffRevocations', {}, undefined, undefined, signal);
  }

  // --- one call: attempts, backoff, checks -----------------------------------------------------

  async #call<K extends OperationId>(
    id: K,
    params: Record<string, string>,
    body: OperationRequest<K> | undefined,
    idempotencyKey: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Result<OperationAnswer<K>, CardCentreFailure>> {
    const spec = OPERATIONS[id];
    const attempts = spec.repeatable ? this.#attempts : 1;
    let clockCorrected = false;
    let last: CardCentreFailure = { kind: 'unreachable', detail: 'not attempted', attempts: 0 };
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1 && !(await this.#sleep(this.#delayBefore(attempt), signal))) {
        return err({ kind: 'unreachable', detail: 'aborted by the kiosk', attempts: attempt - 1 });
      }
      const outcome = await this.#attempt(id, params, body, idempotencyKey, signal, attempt);
      if ('done' in outcome) return outcome.done;
      last = outcome.retry;
      // A refusal for our clock alone is not the centre's trouble: sign again at once, once.
      if (outcome.clockCorrected && !clockCorrected) {
        clockCorrected = true;
        attempt--;
      }
    }
    return err(last);
  }

  async #attempt<K extends OperationId>(
    id: K,
    params: Record<string, string>,
    body: OperationRequest<K> | undefined,
    idempotencyKey: string | undefined,
    signal: AbortSignal | undefined,
    attempt: number,
  ): Promise<Attempt<OperationAnswer<K>>> {
    const spec = OPERATIONS[id];
    const base = this.#baseUrl();
    if (!base)
      return {
        done: err({
          kind: 'unreachable',
          detail: 'the card centre is not started',
          attempts: attempt,
        }),
      };
    const url = new URL(base.replace(/\/+$/, '') + operationPath(id, params));
    const payload = spec.request ? Buffer.from(JSON.stringify(body)) : Buffer.alloc(0);
    const nonce = randomBytes(16).toString('hex');
    const timestamp = String(Math.round(this.#now() + this.#clockOffsetMs));
    const headers: Record<string, string> = {
      accept: 'application/json',
      [SIGNATURE_HEADERS.kiosk]: this.#kioskId,
      [SIGNATURE_HEADERS.timestamp]: timestamp,
      [SIGNATURE_HEADERS.nonce]: nonce,
      [SIGNATURE_HEADERS.signature]: signRequest(this.#key, {
        method: spec.method,
        path: url.pathname + url.search,
        kioskId: this.#kioskId,
        timestamp,
        nonce,
        idempotencyKey,
        body: payload,
      }),
    };
    if (spec.request) headers['content-type'] = 'application/json; charset=utf-8';
    if (idempotencyKey !== undefined) headers[SIGNATURE_HEADERS.idempotencyKey] = idempotencyKey;

    const timeoutMs = this.#timeoutFor(id);
    const timeout = AbortSignal.timeout(timeoutMs);
    let answer: HttpAnswer;
    try {
      answer = await this.#transport.send(
        { method: spec.method, url: url.href, headers, body: payload },
        signal ? AbortSignal.any([signal, timeout]) : timeout,
      );
    } catch (error) {
      if (signal?.aborted)
        return {
          done: err({ kind: 'unreachable', detail: 'aborted by the kiosk', attempts: attempt }),
        };
      if (timeout.aborted)
        return { retry: { kind: 'timeout', operation: id, afterMs: timeoutMs, attempts: attempt } };
      if (error instanceof AnswerTooLarge)
        return { done: err(malformed(id, '(body)', error.message)) };
      return {
        retry: { kind: 'unreachable', detail: describeNetworkError(error), attempts: attempt },
      };
    }

    const { status } = answer;
    // A busy or failing centre (or a proxy in front of it) committed nothing: worth another attempt.
    if (status >= 500 || status === 408 || status === 429) {
      return {
        retry: {
          kind: 'unreachable',
          detail: `the card centre answered HTTP ${status}`,
          attempts: attempt,
        },
      };
    }
    const authentic = verifyAnswer(
      this.#key,
      { nonce, status, body: answer.body },
      answer.headers[SIGNATURE_HEADERS.signature],
    );
    const json = parseJson(answer.body);
    if (status === 401) {
      const refusal = ApiError.safeParse(json);
      const code = refusal.success ? refusal.data.code : 'UNAUTHENTICATED';
      if (authentic && refusal.success && code === 'CLOCK_SKEW' && refusal.data.serverTime) {
        this.#clockOffsetMs = Date.parse(refusal.data.serverTime) - this.#now();
        return {
          retry: { kind: 'rejected', code, message: refusal.data.message },
          clockCorrected: true,
        };
      }
      return {
        done: err({
          kind: 'rejected',
          code,
          message: refusal.success ? refusal.data.message : 'the card centre refused this kiosk',
        }),
      };
    }
    if (!authentic) {
      return {
        done: err(
          malformed(
            id,
            SIGNATURE_HEADERS.signature,
            "the answer does not carry the card centre's signature",
          ),
        ),
      };
    }
    if (json === NOT_JSON) return { done: err(malformed(id, '(body)', 'the answer is not JSON')) };
    if (status >= 200 && status < 300) {
      const checked = spec.answer.safeParse(json);
      if (!checked.success) {
        const issue = checked.error.issues[0]!;
        return { done: err(malformed(id, fieldPath(issue.path), issue.message)) };
      }
      return { done: ok(checked.data as OperationAnswer<K>) };
    }
    const refusal = ApiError.safeParse(json);
    if (!refusal.success) {
      const issue = refusal.error.issues[0]!;
      return {
        done: err(
          malformed(
            id,
            fieldPath(issue.path),
            `HTTP ${status} without a documented refusal: ${issue.message}`,
          ),
        ),
      };
    }
    return {
      done: err({ kind: 'rejected', code: refusal.data.code, message: refusal.data.message }),
    };
  }

  #timeoutFor(id: OperationId): number {
    const own = this.#timeouts[id];
    if (own !== undefined) return own;
    const floor = id === 'verifyFace' || id === 'pay' ? CARD_CENTRE_TIMEOUTS_MS[id] : 0;
    return Math.max(this.#timeoutMs, floor);
  }

  #delayBefore(attempt: number): number {
    const exponential = Math.min(
      this.#backoff.maxDelayMs,
      this.#backoff.baseDelayMs * 2 ** (attempt - 2),
    );
    return Math.round(exponential * (0.8 + Math.random() * 0.4));
  }
}

function malformed(operation: OperationId, field: string, detail: string): CardCentreFailure {
  return { kind: 'malformed', operation, field, detail };
}

const NOT_JSON = Symbol('not JSON');
function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return NOT_JSON;
  }
}

function describeNetworkError(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return e.code ? `${e.code}: ${e.message ?? ''}`.trim() : (e.message ?? String(error));
}


class AnswerTooLarge extends Error {}

/** HTTP/1.1 over node:http(s), keeping connections alive between calls (a TLS handshake is costly on a rural link). */
export function nodeHttpTransport(): HttpTransport {
  const agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 4 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 4 }),
  };
  return {
    send(request, signal) {
      return new Promise<HttpAnswer>((resolve, reject) => {
        const url = new URL(request.url);
        const secure = url.protocol === 'https:';
        const req = (secure ? https : http).request(
          url,
          {
            method: request.method,
            headers: { ...request.headers, 'content-length': String(request.body.length) },
            agent: secure ? agents.https : agents.http,
            signal,
          },
          (res) => {
            const chunks: Buffer[] = [];
            let size = 0;
            res.on('data', (chunk: Buffer) => {
              size += chunk.length;
              if (size > MAX_ANSWER_BYTES)
                res.destroy(
                  new AnswerTooLarge(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`),
                );
              else chunks.push(chunk);
            });
            res.on('end', () => {
              const headers: Record<string, string | undefined> = {};
              for (const [name, value] of Object.entries(res.headers))
                headers[name] = Array.isArray(value) ? value[0] : value;
              resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
            });
            res.on('error', reject);
            res.on('close', () => {
              if (!res.complete)
                reject(new Error('the connection closed before the answer was complete'));
            });
          },
        );
        req.on('error', reject);
        req.end(request.body);
      });
    },
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
