/**
 * The embedded card centre's HTTP server: the API of `api.ts` over plain HTTP on 127.0.0.1, each
 * request authenticated by its kiosk's signature (`signing.ts`) and each answer signed back.
 * Runs in the kiosk's process for the embedded default, or alone (`mashang card-centre`) so a test
 * can kill the kiosk and keep the centre.
 *
 * It logs the operation, status, kiosk and duration of every request — never a body: bodies carry
 * ID numbers, names, photos and payment codes.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_ERRORS, matchOperation, OPERATIONS, type ApiError, type ApiErrorCode } from './api.ts';
import { chinaDateTime, type EmbeddedCardCentre } from './embedded.ts';
import { CardCentreFaults } from './faults.ts';
import { MAX_CLOCK_SKEW_MS, SIGNATURE_HEADERS, signAnswer, verifyRequest } from './signing.ts';

/** The largest request accepted: a live photo of ~1 MB in base64, with room to spare. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;
/** Idempotency keys: 1–128 visible ASCII characters. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;
/** The published API document, served to integrators at `/openapi.yaml` (no authentication: it is public). */
const OPENAPI_FILE = new URL('./openapi.yaml', import.meta.url);

export interface CentreLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface CardCentreServerOptions {
  centre: EmbeddedCardCentre;
  /** Each kiosk's request-signing key (32 bytes), by kiosk id. */
  kiosks?: ReadonlyMap<string, Uint8Array>;
  faults?: CardCentreFaults;
  logger?: CentreLogger;
}

export class CardCentreServer {
  readonly faults: CardCentreFaults;
  readonly #centre: EmbeddedCardCentre;
  readonly #kiosks: Map<string, Uint8Array>;
  readonly #logger: CentreLogger | undefined;
  readonly #server: http.Server;
  /** Nonces seen within the clock-skew window, with when they may be forgotten. */
  readonly #nonces = new Map<string, number>();

  constructor(options: CardCentreServerOptions) {
    this.#centre = options.centre;
    this.#kiosks = new Map(options.kiosks ?? []);
    this.faults = options.faults ?? new CardCentreFaults();
    this.#logger = options.logger;
    this.#server = http.createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        this.#logger?.error(
          { event: 'centre.crashed', err: String(error) },
          'card centre request failed',
        );
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
    });
  }

  /** Trusts a kiosk's signing key (the province provisions it with the kiosk). */
  addKiosk(kioskId: string, key: Uint8Array): void {
    this.#kiosks.set(kioskId, key);
  }

  /** Listens on 127.0.0.1 only; port 0 picks a free one. Resolves to the base URL. */
  listen(port = 0): Promise<string> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.#server.once('error', onError);
      this.#server.listen(port, '127.0.0.1', () => {
        this.#server.off('error', onError);
        resolve(this.url);
      });
    });
  }

  get url(): string {
    const address = this.#server.address() as AddressInfo | null;
    return `http://127.0.0.1:${address?.port ?? 0}`;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/openapi.yaml') {
      res
        .writeHead(200, { 'content-type': 'application/yaml; charset=utf-8' })
        .end(await readFile(OPENAPI_FILE));
      return;
    }
    const header = (name: string) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const kioskId = header(SIGNATURE_HEADERS.kiosk) ?? '';
    const nonce = header(SIGNATURE_HEADERS.nonce);
    const key = this.#kiosks.get(kioskId);
    const match = matchOperation(req.method ?? '', url.pathname);
    const operation = match?.id ?? 'none';

    const send = (status: number, payload: unknown) => {
      const body = Buffer.from(JSON.stringify(payload));
      const headers: Record<string, string> = {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
      };
      // Answers are signed whenever the kiosk is known, so the kiosk can trust refusals too.
      if (key && nonce)
        headers[SIGNATURE_HEADERS.signature] = signAnswer(key, { nonce, status, body });
      res.writeHead(status, headers).end(body);
      this.#logger?.info(
        {
          event: 'centre.request',
          operation,
          status,
          kiosk: kioskId,
          ms: Math.round(performance.now() - started),
        },
        'card centre answered',
      );
    };
    const refuse = (code: ApiErrorCode, extra: Partial<ApiError> = {}) =>
      send(API_ERRORS[code].status, { code, message: API_ERRORS[code].description, ...extra });

    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === 'gone') return;
    if (body === 'tooLarge') return refuse('PAYLOAD_TOO_LARGE');
    if (!match) return refuse('NO_SUCH_OPERATION');

    // Who is asking: a known kiosk, a correct signature, a fresh nonce, a timestamp near our clock.
    const timestamp = header(SIGNATURE_HEADERS.timestamp);
    const idempotencyKey = header(SIGNATURE_HEADERS.idempotencyKey);
    if (!key || !nonce || !timestamp || !/^\d{1,16}$/.test(timestamp))
      return refuse('UNAUTHENTICATED');
    const signed = {
      method: req.method ?? '',
      path: url.pathname + url.search,
      kioskId,
      timestamp,
      nonce,
      idempotencyKey,
      body,
    };
    if (!verifyRequest(key, signed, header(SIGNATURE_HEADERS.signature)))
      return refuse('UNAUTHENTICATED');
    const now = this.#centre.now().getTime();
    if (match.id !== 'centreTime' && Math.abs(Number(timestamp) - now) > MAX_CLOCK_SKEW_MS) {
      return refuse('CLOCK_SKEW', { serverTime: chinaDateTime(now) });
    }
    if (!this.#freshNonce(`${kioskId}:${nonce}`, Date.now()))
      return refuse('UNAUTHENTICATED', { message: 'nonce already used' });

    if (this.faults.takeUnavailable()) return refuse('UNAVAILABLE');

    const spec = OPERATIONS[match.id];
    let json: unknown = undefined;
    if (spec.request) {
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        return refuse('INVALID_REQUEST', { message: 'the body is not JSON', field: '(body)' });
      }
    }
    if (spec.keyed && (idempotencyKey === undefined || !IDEMPOTENCY_KEY.test(idempotencyKey)))
      return refuse('MISSING_IDEMPOTENCY_KEY');

    const result = this.#centre.serve(
      match.id,
      { params: match.params, body: json },
      { kioskId, key: idempotencyKey },
    );
    let status = 200;
    let payload: unknown = result.ok ? result.value : result.error;
    if (!result.ok) status = API_ERRORS[result.error.code as ApiErrorCode]?.status ?? 400;

    // Committed. What follows is what the network may do to the answer.
    const requestId =
      idempotencyKey ??
      createHash('sha256').update(`${req.method} ${url.pathname}\n`).update(body).digest('hex');
    const corrupt = this.faults.takeCorruption(match.id);
    if (corrupt) payload = corrupt(structuredClone(payload));
    if (this.faults.shouldHang(match.id, requestId)) {
      this.#logger?.warn(
        { event: 'centre.fault', fault: 'hangAfterCommit', operation },
        'answer withheld',
      );
      return;
    }
    if (this.faults.shouldDrop(match.id, requestId)) {
      this.#logger?.warn(
        { event: 'centre.fault', fault: 'dropAfterCommit', operation },
        'connection dropped after commit',
      );
      req.socket.destroy();
      return;
    }
    if (this.faults.slowMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.faults.slowMs));
      if (res.destroyed) return;
    }
    send(status, payload);
  }

  #freshNonce(nonce: string, now: number): boolean {
    for (const [seen, until] of this.#nonces) {
      if (until > now) break;
      this.#nonces.delete(seen);
    }
    if (this.#nonces.has(nonce)) return false;
    this.#nonces.set(nonce, now + 2 * MAX_CLOCK_SKEW_MS);
    return true;
  }
}

/** The body, or why there is none to act on: too large, or the kiosk went away before sending it all. */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | 'tooLarge' | 'gone'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'tooLarge' : Buffer.concat(chunks)));
    req.on('error', () => resolve('gone'));
    req.on('close', () => {
      if (!req.complete) resolve('gone');
    });
  });
}
