/**
 * The Electron shell: one locked-down kiosk window on the host's UI, and the host supervised.
 *
 * Bundled by scripts/build.mjs to dist/shell/main.cjs and started as `electron dist/shell/main.cjs`.
 * Environment:
 *   MASHANG_DEV=1   development: devtools, shortcuts, a closable window (default: production)
 *   MASHANG_NODE    the Node.js executable that runs the host from a repository checkout
 *                   (default: `node` on PATH). A packaged kiosk (packaging/) runs the host on
 *                   Electron's own Node in a utility process instead: its native modules are
 *                   rebuilt for Electron's ABI at packaging time, and no system Node is needed.
 *   MASHANG_ROOT    the repository (default: two folders above this bundle)
 *   MASHANG_CONFIG  the kiosk configuration, passed to the host as --config (default: the host's)
 *
 * The decisions live in policy.ts and supervisor.ts (pure, tested); this file only wires them to
 * Electron. It is the only file of the shell that imports electron at run time.
 */
import {
  app,
  BrowserWindow,
  Menu,
  session,
  utilityProcess,
  type Session,
  type WebContents,
} from 'electron';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import {
  hostOrigin,
  isNavigationAllowed,
  isPermissionCheckAllowed,
  isPermissionRequestAllowed,
  isRequestAllowed,
  KIOSK_CHROMIUM_SWITCHES,
  rendererUrl,
  shouldSwallowInput,
  windowOpenResponse,
  windowOptions,
  withContentSecurityPolicy,
} from './policy.ts';
import { statusPageUrl } from './status-page.ts';
import {
  HostSupervisor,
  spawnNodeHost,
  type NodeHostOptions,
  type SpawnHost,
  type SupervisorEvent,
} from './supervisor.ts';

/** Replaced by the package version at build time (scripts/build.mjs). */
declare const MASHANG_VERSION: string;

const production = !process.env['MASHANG_DEV'];
const shellDir = __dirname;
const repoRoot = process.env['MASHANG_ROOT'] ?? path.resolve(shellDir, '..', '..');
const preloadPath = path.join(shellDir, 'preload.cjs');
/** Per-start secret the host requires on the bridge; the page gets it in the URL fragment. */
const bridgeToken = randomBytes(32).toString('hex');

/** The origin of the host currently shown; null while none is (nothing is then allowed). */
let origin: string | null = null;
let currentUrl = statusPageUrl('starting');
/** The host's page (with the token) while the host is ready; null otherwise. */
let hostPage: string | null = null;
/** A reload of the host's page after a failed load, pending. */
let reloadTimer: ReturnType<typeof setTimeout> | null = null;
/** After a failed load of the host's page (host busy restarting, a hiccup), try again this soon. */
const RELOAD_AFTER_FAILED_LOAD_MS = 2_000;
let kioskWindow: BrowserWindow | null = null;
let quitting = false;

/** One JSON line per event, in the shape of the host's (pino) logs. */
function log(level: 'info' | 'warn' | 'error', msg: string, fields: object = {}): void {
  const levels = { info: 30, warn: 40, error: 50 } as const;
  const line = { level: levels[level], time: Date.now(), name: 'shell', msg, ...fields };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function show(url: string): void {
  currentUrl = url;
  if (reloadTimer !== null) clearTimeout(reloadTimer);
  reloadTimer = null;
  if (kioskWindow && !kioskWindow.isDestroyed()) {
    kioskWindow.loadURL(url).catch((error: unknown) => {
      log('warn', 'page load failed', { error: String(error) });
    });
  }
}

function onSupervisorEvent(event: SupervisorEvent): void {
  switch (event.type) {
    case 'ready':
      origin = hostOrigin(event.url);
      hostPage = rendererUrl(event.url, bridgeToken);
      log('info', 'host ready', { origin });
      show(hostPage);
      break;
    case 'gaveUp':
      log('error', 'host keeps failing: out of service', event);
      origin = null;
      hostPage = null;
      show(statusPageUrl('outOfService'));
      break;
    case 'badReadyLine':
      // The line may carry anything; log only that it was refused.
      log('error', 'host announced a URL the shell will not show');
      break;
    case 'exited':
      log('warn', 'host exited', event);
      if (quitting) break;
      // A calm "please wait" until the restarted host is ready (the supervisor restarts it; the
      // host recovers the resident's session from its journal). The old page's origin is dead.
      origin = null;
      hostPage = null;
      show(statusPageUrl('pleaseWait'));
      break;
    case 'restarting':
    case 'readyTimeout':
      log('warn', `host ${event.type}`, event);
      break;
    case 'spawned':
    case 'stopped':
      log('info', `host ${event.type}`, event);
      break;
  }
}

const hostEnv: NodeJS.ProcessEnv = { ...process.env, MASHANG_BRIDGE_TOKEN: bridgeToken };
delete hostEnv['ELECTRON_RUN_AS_NODE'];

/**
 * The host in an Electron utility process (a packaged kiosk): Electron's Node, the same
 * ready-line protocol on stdout. The exit code is all a utility process reports; a SIGKILL after
 * the grace period goes to its pid (utilityProcess.kill() only sends SIGTERM).
 */
function spawnUtilityHost(options: NodeHostOptions): SpawnHost {
  const [modulePath, ...args] = options.args;
  if (modulePath === undefined) throw new Error('no host module to run');
  return (listeners) => {
    const child = utilityProcess.fork(modulePath, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'inherit'],
      serviceName: 'Mashang host',
    });
    if (child.stdout) {
      createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
        process.stdout.write(`${line}\n`);
        listeners.line(line);
      });
    }
    child.once('exit', (code) => listeners.exit(code, null));
    return {
      kill: (signal) => {
        if (signal === 'SIGTERM' || child.pid === undefined) child.kill();
        else process.kill(child.pid, 'SIGKILL');
      },
    };
  };
}

const hostOptions: NodeHostOptions = {
  nodePath: process.env['MASHANG_NODE'] ?? 'node',
  args: [
    path.join(repoRoot, 'kiosk', 'cli', 'mashang.mjs'),
    'host',
    ...(process.env['MASHANG_CONFIG'] ? ['--config', process.env['MASHANG_CONFIG']] : []),
  ],
  cwd: repoRoot,
  env: hostEnv,
};

const supervisor = new HostSupervisor({
  spawn: app.isPackaged ? spawnUtilityHost(hostOptions) : spawnNodeHost(hostOptions),
  onEvent: onSupervisorEvent,
});

/** Applied to every web contents the app ever creates (window, devtools, anything else). */
function lockDownContents(contents: WebContents): void {
  contents.setWindowOpenHandler(() => windowOpenResponse());
  const guardNavigation = (event: { url: string; preventDefault(): void }): void => {
    if (!isNavigationAllowed(event.url, origin)) {
      event.preventDefault();
      log('warn', 'navigation refused', { url: event.url.slice(0, 200) });
    }
  };
  contents.on('will-navigate', guardNavigation);
  contents.on('will-frame-navigate', guardNavigation);
  contents.on('will-redirect', guardNavigation);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.on('before-input-event', (event, input) => {
    if (shouldSwallowInput(input, production)) event.preventDefault();
  });
  if (production) {
    contents.on('devtools-opened', () => contents.closeDevTools());
    // No pinch or ctrl+wheel zoom on the touch screen: the UI sizes its own type.
    contents.setVisualZoomLevelLimits(1, 1).catch(() => undefined);
  }
}

function lockDownSession(ses: Session): void {
  ses.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined;
    const allowed = isPermissionRequestAllowed(
      {
        permission,
        requestingUrl: details.requestingUrl,
        mediaTypes,
        isMainFrame: details.isMainFrame,
      },
      origin,
    );
    if (!allowed) log('warn', 'permission refused', { permission });
    callback(allowed);
  });
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    isPermissionCheckAllowed(
      {
        permission,
        requestingUrl: requestingOrigin,
        mediaTypes: details.mediaType ? [details.mediaType] : undefined,
        isMainFrame: details.isMainFrame,
      },
      origin,
    ),
  );
  // WebHID / WebSerial / WebUSB: the host owns every device; the page gets none.
  ses.setDevicePermissionHandler(() => false);
  ses.on('select-hid-device', (event, _details, callback) => {
    event.preventDefault();
    callback();
  });
  ses.on('select-serial-port', (event, _ports, _contents, callback) => {
    event.preventDefault();
    callback('');
  });
  ses.on('select-usb-device', (event, _details, callback) => {
    event.preventDefault();
    callback();
  });
  ses.on('will-download', (event) => event.preventDefault());
  ses.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isRequestAllowed(details.url, origin, production);
    if (!allowed) log('warn', 'request refused', { url: details.url.slice(0, 200) });
    callback({ cancel: !allowed });
  });
  ses.webRequest.onHeadersReceived((details, callback) => {
    if (origin !== null && isNavigationAllowed(details.url, origin)) {
      callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders, origin) });
    } else {
      callback({});
    }
  });
}

function createWindow(): void {
  // electronegativity CONTEXT_ISOLATION_JS_CHECK SANDBOX_JS_CHECK AUXCLICK_JS_CHECK: the options
  // come from policy.ts windowOptions(), which the scanner cannot follow into: contextIsolation
  // true, sandbox true, nodeIntegration false, disableBlinkFeatures 'Auxclick' — asserted by
  // policy.test.ts and, as passed to BrowserWindow, by main.test.ts.
  const window = new BrowserWindow(windowOptions({ production, preloadPath }));
  kioskWindow = window;
  window.once('ready-to-show', () => window.show());
  window.on('close', (event) => {
    // Alt+F4 from the window manager, a stray close: a kiosk only closes when the app quits.
    if (production && !quitting) event.preventDefault();
  });
  window.on('closed', () => {
    kioskWindow = null;
  });
  window.webContents.on('render-process-gone', (_event, details) => {
    // The UI is a view of the host's state: reloading it loses nothing.
    log('error', 'renderer gone, reloading', { reason: details.reason });
    if (!quitting) show(currentUrl);
  });
  window.webContents.on('did-fail-load', (_event, errorCode, _description, url, isMainFrame) => {
    // -3 (ABORTED): a newer load replaced this one. Otherwise never leave Chromium's error page
    // in front of a resident: "please wait", and try the host again shortly.
    if (!isMainFrame || errorCode === -3 || quitting || url.startsWith('data:')) return;
    log('warn', 'page load failed', { errorCode });
    const retry = hostPage;
    show(statusPageUrl('pleaseWait'));
    if (retry !== null) {
      reloadTimer = setTimeout(() => {
        reloadTimer = null;
        if (hostPage === retry) show(retry);
      }, RELOAD_AFTER_FAILED_LOAD_MS);
    }
  });
  window.on('unresponsive', () => {
    log('error', 'renderer unresponsive, reloading');
    if (!quitting) window.webContents.forcefullyCrashRenderer();
  });
  show(currentUrl);
}

function main(): void {
  if (!app.requestSingleInstanceLock()) {
    log('error', 'another kiosk shell is already running');
    app.exit(1);
    return;
  }
  log('info', 'shell starting', { version: MASHANG_VERSION, production, repoRoot });
  // Every renderer sandboxed, whatever a future window's options say.
  app.enableSandbox();
  for (const [name, value] of KIOSK_CHROMIUM_SWITCHES) {
    if (value === undefined) app.commandLine.appendSwitch(name);
    else app.commandLine.appendSwitch(name, value);
  }

  Menu.setApplicationMenu(null);
  app.on('web-contents-created', (_event, contents) => lockDownContents(contents));
  app.on('second-instance', () => kioskWindow?.focus());
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (supervisor.state === 'stopped') return;
    event.preventDefault();
    if (quitting) return;
    quitting = true;
    log('info', 'shell quitting: stopping the host');
    void supervisor.stop().then(() => app.quit());
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => app.quit());

  app
    .whenReady()
    .then(() => {
      lockDownSession(session.defaultSession);
      createWindow();
      supervisor.start();
    })
    .catch((error: unknown) => {
      log('error', 'shell failed to start', { error: String(error) });
      app.exit(1);
    });
}

main();
