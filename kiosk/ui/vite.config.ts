/**
 * Vite build of the resident UI: root = kiosk/ui, output = dist/ui (served statically by the host).
 *
 *   npx vite build --config kiosk/ui/vite.config.ts
 *
 * For UI development against a running host: `npx vite --config kiosk/ui/vite.config.ts` and set
 * MASHANG_HOST_URL (default http://127.0.0.1:8080); /bridge is proxied to it. Open the page with
 * the host's `#token=…` fragment.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const uiRoot = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../../dist/ui', import.meta.url));

/**
 * A Content-Security-Policy for the built page only (the dev server needs inline scripts for
 * fast refresh). The host/shell may send a stricter header; this is the floor. 'self' covers the
 * same-origin WebSocket in Chromium; loopback is listed explicitly for the Electron shell. No
 * 'unsafe-inline' styles: React sets `style` props through the CSSOM, which CSP allows. Voice
 * clips are media from 'self'; a camera preview (identity verification) is a blob: image.
 *
 * electronegativity CSP_GLOBAL_CHECK: csp-evaluator warns that "'self' can be problematic if you
 * host JSONP, Angular or user uploaded files". 'self' here is the kiosk host on 127.0.0.1, which
 * serves only this built bundle and its voice clips — no JSONP, no uploads, no Angular — so
 * 'self' is as narrow as a hash list. Nothing else in the policy is flagged (tested).
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "font-src 'self'",
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function cspMeta(): Plugin {
  return {
    name: 'mashang-csp-meta',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        // Right after <meta charset>, before any script or stylesheet it must govern.
        const meta = `<meta http-equiv="Content-Security-Policy" content="${CSP}" />`;
        return html.replace(/(<meta charset="utf-8"\s*\/?>)/i, `$1\n    ${meta}`);
      },
    },
  };
}

export default defineConfig({
  root: uiRoot,
  base: './',
  plugins: [react(), cspMeta()],
  build: {
    outDir,
    emptyOutDir: true,
    target: 'chrome120',
    // No inline polyfill script: keeps the page CSP-clean (Chromium supports modulepreload).
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/bridge': {
        target: process.env['MASHANG_HOST_URL'] ?? 'http://127.0.0.1:8080',
        ws: true,
      },
    },
  },
});
