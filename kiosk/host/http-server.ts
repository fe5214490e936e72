/**
 * The host's loopback HTTP server: the built UI, `/healthz`, `/metrics`, and the bridge upgrade.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { BridgeServer } from '../bridge/server.ts';
import type { Logger } from '../log/logger.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ogg': 'audio/ogg',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
};

export interface HttpServerOptions {
  uiDir: string;
  bridge: BridgeServer;
  logger: Logger;
  health: () => { status: 'ready' | 'degraded' | 'down'; [key: string]: unknown };
  metrics: () => Promise<{ contentType: string; body: string }>;
}

export function contentSecurityPolicy(origin: string): string {
  const ws = origin.replace(/^http/, 'ws');
  return [
    "default-src 'self'",
    `connect-src 'self' ${ws}`,
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "style-src 'self' 'unsafe-inline'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function createHttpServer(options: HttpServerOptions): http.Server {
  const { uiDir, bridge, logger } = options;
  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.error({ event: 'http.error', err: String(error) }, 'request failed');
      if (!response.headersSent) response.writeHead(500).end();
      else response.destroy();
    });
  });

  const origin = () => {
    const address = server.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  };

  async function handle(request: http.IncomingMessage, response: http.ServerResponse) {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (url.pathname === '/healthz') {
      const health = options.health();
      response
        .writeHead(health.status === 'down' ? 503 : 200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
        .end(JSON.stringify(health));
      return;
    }
    if (url.pathname === '/metrics') {
      const metrics = await options.metrics();
      response.writeHead(200, { 'Content-Type': metrics.contentType }).end(metrics.body);
      return;
    }
    await serveStatic(url.pathname, response);
  }

  async function serveStatic(pathname: string, response: http.ServerResponse) {
    const relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
    const file = path.resolve(uiDir, relative);
    if (!file.startsWith(path.resolve(uiDir) + path.sep)) {
      response.writeHead(404).end();
      return;
    }
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) {
      if (relative === 'index.html') {
        response
          .writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' })
          .end(`The kiosk UI is not built (${uiDir} is missing). Run: npm run build\n`);
        return;
      }
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, {
      'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Content-Length': info.size,
      'Cache-Control': 'no-store',
      'Content-Security-Policy': contentSecurityPolicy(origin()),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    });
    createReadStream(file).pipe(response);
  }

  server.on('upgrade', (request, socket, head) => bridge.handleUpgrade(request, socket, head));
  return server;
}
