/**
 * The kiosk's HTTP client against a real embedded card centre on 127.0.0.1, with the centre's
 * clock in the test's hands, and every exchange on the wire captured and checked against the
 * committed OpenAPI document — with ajv, independently of the zod schemas the code uses.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import {
  EmbeddedCardCentre,
  type EmbeddedCardCentreOptions,
} from '../../kiosk/card-centre/embedded.ts';
import { CardCentreFaults } from '../../kiosk/card-centre/faults.ts';
import {
  HttpCardCentre,
  nodeHttpTransport,
  type HttpCardCentreOptions,
  type HttpTransport,
} from '../../kiosk/card-centre/http-client.ts';
import { CardCentreServer } from '../../kiosk/card-centre/server.ts';

export const OPENAPI_FILE = path.resolve(
  import.meta.dirname,
  '../../kiosk/card-centre/openapi.yaml',
);

// ajv-formats is CommonJS with a default export; under NodeNext its type is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

interface OpenApiDoc {
  paths: Record<
    string,
    Record<
      string,
      { operationId: string; requestBody?: unknown; responses: Record<string, unknown> }
    >
  >;
  components: unknown;
}

/** Checks wire exchanges against the OpenAPI document: which operation, and the body's schema for its status. */
export class OpenApiChecker {
  readonly doc: OpenApiDoc;
  readonly #ajv: Ajv2020;
  readonly #routes: { pattern: RegExp; method: string; operationId: string; template: string }[];
  /** Operations seen answering 2xx, and every problem found. */
  readonly answered = new Set<string>();
  readonly problems: string[] = [];
  /** While true, exchanges are not checked: a test is making the centre break its contract on purpose. */
  ignoring = false;

  constructor(file = OPENAPI_FILE) {
    this.doc = parse(readFileSync(file, 'utf8')) as OpenApiDoc;
    this.#ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.#ajv);
    this.#ajv.addFormat('base64', /^[0-9a-zA-Z+/]*={0,2}$/);
    this.#ajv.addSchema({ ...this.doc, $id: 'mashang-card-centre.json' } as object);
    this.#routes = Object.entries(this.doc.paths).flatMap(([template, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        template,
        method: method.toUpperCase(),
        operationId: op.operationId,
        pattern: new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`),
      })),
    );
  }

  check(exchange: {
    method: string;
    url: string;
    requestBody: Buffer;
    status: number;
    answerBody: Buffer;
  }): void {
    if (this.ignoring) return;
    const { pathname } = new URL(exchange.url);
    const route = this.#routes.find(
      (r) => r.method === exchange.method && r.pattern.test(pathname),
    );
    if (!route)
      return void this.problems.push(`${exchange.method} ${pathname}: not in the document`);
    const op = this.doc.paths[route.template]![route.method.toLowerCase()]!;
    const where = `${route.operationId} (HTTP ${exchange.status})`;
    // A request the centre refused as invalid (400) was meant to be invalid; every other one must match.
    if (op.requestBody && exchange.status !== 400)
      this.#validate(
        `${where} request`,
        `#/paths/${pointer(route.template)}/${route.method.toLowerCase()}/requestBody/content/application~1json/schema`,
        exchange.requestBody,
      );
    if (!(String(exchange.status) in op.responses))
      return void this.problems.push(`${where}: status not documented for this operation`);
    this.#validate(
      `${where} answer`,
      `#/paths/${pointer(route.template)}/${route.method.toLowerCase()}/responses/${exchange.status}/content/application~1json/schema`,
      exchange.answerBody,
    );
    if (exchange.status >= 200 && exchange.status < 300) this.answered.add(route.operationId);
  }

  operationIds(): string[] {
    return this.#routes.map((r) => r.operationId);
  }

  #validate(where: string, schemaPointer: string, body: Buffer): void {
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      return void this.problems.push(`${where}: not JSON`);
    }
    const validate = this.#ajv.getSchema(`mashang-card-centre.json${schemaPointer}`);
    if (!validate) return void this.problems.push(`${where}: no schema at ${schemaPointer}`);
    if (!validate(json)) this.problems.push(`${where}: ${this.#ajv.errorsText(validate.errors)}`);
  }
}

const pointer = (template: string) => template.replaceAll('~', '~0').replaceAll('/', '~1');

/** A transport that records every complete exchange (and lets a test tamper with answers in transit). */
export function capturingTransport(
  inner: HttpTransport,
  onExchange: (e: {
    method: string;
    url: string;
    requestBody: Buffer;
    status: number;
    answerBody: Buffer;
  }) => void,
  tamper?: { next: ((body: Buffer) => Buffer) | null },
): HttpTransport {
  return {
    async send(request, signal) {
      const answer = await inner.send(request, signal);
      onExchange({
        method: request.method,
        url: request.url,
        requestBody: request.body,
        status: answer.status,
        answerBody: answer.body,
      });
      const change = tamper?.next;
      if (change) {
        tamper.next = null;
        return { ...answer, body: change(answer.body) };
      }
      return answer;
    },
    close: () => inner.close(),
  };
}

/** Waits nothing, but stops when the signal aborts; the centre's clock can move on each wait. */
export const instantSleep = async (_ms: number, signal: AbortSignal | undefined) =>
  !signal?.aborted;

export const KIOSK_ID = 'test-kiosk-01';

export async function startCentre(
  options: {
    centre?: EmbeddedCardCentreOptions;
    client?: Partial<HttpCardCentreOptions>;
    checker?: OpenApiChecker;
  } = {},
) {
  let nowMs = Date.parse('2025-03-01T02:00:00Z');
  const clock = {
    now: () => new Date(nowMs),
    advance: (ms: number) => {
      nowMs += ms;
    },
  };
  const centre = new EmbeddedCardCentre({ now: clock.now, ...options.centre });
  const key = new Uint8Array(randomBytes(32));
  const faults = new CardCentreFaults();
  const server = new CardCentreServer({ centre, kiosks: new Map([[KIOSK_ID, key]]), faults });
  const url = await server.listen(0);
  const checker = options.checker ?? new OpenApiChecker();
  const exchanges: { method: string; url: string; status: number }[] = [];
  const tamper: { next: ((body: Buffer) => Buffer) | null } = { next: null };
  const clients: HttpCardCentre[] = [];
  const makeClient = (overrides: Partial<HttpCardCentreOptions> = {}) => {
    const client = new HttpCardCentre({
      baseUrl: url,
      kioskId: KIOSK_ID,
      key,
      now: () => nowMs,
      sleep: instantSleep,
      timeoutMs: 5_000,
      transport: capturingTransport(
        nodeHttpTransport(),
        (e) => {
          exchanges.push({ method: e.method, url: e.url, status: e.status });
          checker.check(e);
        },
        tamper,
      ),
      ...options.client,
      ...overrides,
    });
    clients.push(client);
    return client;
  };
  const client = makeClient();
  return {
    centre,
    server,
    faults,
    url,
    key,
    clock,
    client,
    makeClient,
    checker,
    exchanges,
    tamper,
    stop: async () => {
      for (const c of clients) c.close();
      await server.close();
      centre.close();
    },
  };
}

export type CentreHarness = Awaited<ReturnType<typeof startCentre>>;

/** Bytes that look like a JPEG photo to the centre (its signature and a plausible size). */
export function cameraJpeg(size = 24_000): Uint8Array {
  const bytes = new Uint8Array(randomBytes(size));
  bytes.set([0xff, 0xd8, 0xff, 0xe0], 0);
  return bytes;
}
