/**
 * The host's local admin endpoint: how `mashang diag`, `mashang apdu` and `mashang stock` reach
 * the devices and records of a running host (one owner per device) instead of opening them a
 * second time.
 *
 * - HTTP on 127.0.0.1 only, on a port the system picks.
 * - A fresh random token per start, required as `Authorization: Bearer <token>`.
 * - Both in `<dataDir>/admin.json`, written mode 0600 in the kiosk's 0700 data directory: only
 *   the kiosk user (and root) can read it, so only they can call the endpoint. Removed at stop.
 * - What it does is written to the audit log as the same actions on screen are, with the calling
 *   user as the CLI names them (`cli:<user>`).
 *
 *   POST /v1/diag               every device's state now (moves and prints nothing)
 *   POST /v1/apdu  {reader, commands[]}   APDUs to the card in a reader, one session
 *   GET  /v1/stock?last=N       the stock ledger's balance, batches, discrepancies
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { CardCentre } from '../card-centre/card-centre.ts';
import type { KioskConfig } from '../config/schema.ts';
import type { Devices } from '../host/devices.ts';
import type { Logger } from '../log/logger.ts';
import { parseCommands, sendApdus } from '../modes/apdu-console.ts';
import { audit } from '../modes/mode-actors.ts';
import { deviceChecks } from '../modes/self-tests.ts';
import type { KioskStore } from '../store/store.ts';
import { stockReport } from '../cli/commands/stock.ts';

export const ADMIN_FILE = 'admin.json';
const MAX_BODY = 64 * 1024;
/** A card centre that has not answered its clock in this time is reported unreachable. */
const CENTRE_CHECK_MS = 5_000;

export interface AdminEndpointFile {
  url: string;
  token: string;
  pid: number;
}

export interface AdminServerDeps {
  config: KioskConfig;
  devices: Devices;
  store: KioskStore;
  cardCentre: CardCentre;
  dataDir: string;
  logger: Logger;
  residentAtRest: () => boolean;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** `cli:alice` — the user the CLI says it runs as (whoever can read the token is the kiosk user or root). */
function caller(request: http.IncomingMessage): string {
  const user = String(request.headers['x-mashang-user'] ?? 'unknown')
    .replace(/[^A-Za-z0-9._-]/g, '')
    .slice(0, 32);
  return `cli:${user || 'unknown'}`;
}

async function body(request: http.IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'request too large');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'not JSON');
  }
}

export class AdminServer {
  readonly #deps: AdminServerDeps;
  readonly #token = randomBytes(32).toString('hex');
  readonly #server: http.Server;
  readonly #file: string;

  constructor(deps: AdminServerDeps) {
    this.#deps = deps;
    this.#file = path.join(deps.dataDir, ADMIN_FILE);
    this.#server = http.createServer((request, response) => {
      void this.#handle(request, response);
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve());
    });
    const port = (this.#server.address() as AddressInfo).port;
    const content: AdminEndpointFile = {
      url: `http://127.0.0.1:${port}`,
      token: this.#token,
      pid: process.pid,
    };
    try {
      const temporary = `${this.#file}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify(content)}\n`, { mode: 0o600 });
      renameSync(temporary, this.#file);
    } catch (error) {
      this.#deps.logger.warn(
        { event: 'admin.no_file', err: (error as Error).message },
        'admin endpoint file not written: the CLI cannot reach this host',
      );
    }
    this.#deps.logger.info({ event: 'admin.ready', port }, 'local admin endpoint ready');
  }

  async stop(): Promise<void> {
    rmSync(this.#file, { force: true });
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #authorised(request: http.IncomingMessage): boolean {
    const given = /^Bearer ([0-9a-f]{64})$/.exec(String(request.headers.authorization ?? ''))?.[1];
    return given !== undefined && timingSafeEqual(Buffer.from(given), Buffer.from(this.#token));
  }

  async #handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const send = (status: number, payload: unknown) => {
      response.writeHead(status, {
        'Content-Type': 'application/json; charset=utf-8',
        'Cache-Control': 'no-store',
      });
      response.end(JSON.stringify(payload));
    };
    try {
      if (!this.#authorised(request)) throw new HttpError(401, 'not authorised');
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const route = `${request.method} ${url.pathname}`;
      switch (route) {
        case 'POST /v1/diag':
          return send(200, await this.#diag(caller(request)));
        case 'POST /v1/apdu':
          return send(200, await this.#apdu(await body(request), caller(request)));
        case 'GET /v1/stock': {
          const last = Number(url.searchParams.get('last') ?? 0);
          return send(
            200,
            stockReport(this.#deps.store, Number.isInteger(last) && last > 0 ? last : 0),
          );
        }
        default:
          throw new HttpError(404, `no ${route}`);
      }
    } catch (error) {
      if (error instanceof HttpError) return send(error.status, { error: error.message });
      this.#deps.logger.error(
        { event: 'admin.error', err: (error as Error).message },
        'admin endpoint request failed',
      );
      send(500, { error: (error as Error).message });
    }
  }

  async #diag(actor: string) {
    const { devices, config, cardCentre } = this.#deps;
    const reports = await deviceChecks(devices, config);
    const started = Date.now();
    const time = await cardCentre
      .centreTime(AbortSignal.timeout(CENTRE_CHECK_MS))
      .catch(() => null);
    const centre =
      time?.ok === true
        ? {
            reachable: true,
            skewSeconds: Math.round(
              (Date.parse(time.value.now) - (started + Date.now()) / 2) / 1000,
            ),
          }
        : { reachable: false, skewSeconds: null };
    const failing = reports.filter((r) => !r.pass).map((r) => `${r.kind}:${r.status}`);
    audit(this.#deps, actor, 'diag.run', {
      failing: failing.join(' ') || null,
      cardCentre: centre.reachable,
    });
    return { via: 'host', devices: reports, cardCentre: centre };
  }

  async #apdu(input: unknown, actor: string) {
    const { reader, commands } = (input ?? {}) as { reader?: unknown; commands?: unknown };
    if (!Array.isArray(commands) || commands.some((c) => typeof c !== 'string'))
      throw new HttpError(400, 'commands: a list of hex APDUs');
    const parsed = parseCommands(commands.join(';'));
    if (!parsed || parsed.length > 32)
      throw new HttpError(400, 'commands: 1–32 APDUs of 4–261 hex bytes');
    // Never into a card the kiosk is personalising for a resident.
    if (!this.#deps.residentAtRest())
      throw new HttpError(409, 'a resident is being served: try again when the kiosk is idle');
    const outcome = await sendApdus(
      this.#deps.devices.staffCard.reader.manager,
      typeof reader === 'string' ? reader : '',
      parsed,
      AbortSignal.timeout(60_000),
    );
    audit(this.#deps, actor, 'apdu.sent', {
      reader: outcome.reader,
      commands: outcome.ok
        ? outcome.exchanges.map((e) => e.command).join('; ')
        : String(parsed.length),
      result: outcome.ok ? outcome.exchanges.map((e) => e.sw ?? 'fault').join(' ') : outcome.error,
    });
    return outcome;
  }
}
