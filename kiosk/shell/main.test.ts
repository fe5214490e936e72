/**
 * main.ts wired end to end, without an Electron binary: the shell is bundled as the build does
 * it, then run under plain Node with a stand-in `electron` module that plays a short scenario
 * (window created, host page loaded, a few hostile actions, the renderer crashes, the host
 * crashes, the restarted host's page fails to load once, quit) and reports what the shell did.
 * The host is a real tiny node process speaking the ready-line protocol.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const FAKE_ELECTRON = String.raw`
const { EventEmitter } = require('node:events');
const report = { switches: [], windows: [], loads: [], navigation: {}, permissions: {}, input: {} };
let resolveReady;
let hostLoads = 0;
const ready = new Promise((resolve) => (resolveReady = resolve));
class FakeEvent {
  constructor(fields) { Object.assign(this, fields); this.defaultPrevented = false; }
  preventDefault() { this.defaultPrevented = true; }
}
function finish() {
  process.stdout.write('FAKE_REPORT ' + JSON.stringify(report) + '\n');
  process.exit(0);
}
const app = new EventEmitter();
app.enableSandbox = () => (report.sandboxEnabled = true);
// A packaged kiosk runs its host in a utility process; here a plain node child stands in for it.
app.isPackaged = process.env.FAKE_PACKAGED === '1';
const utilityProcess = {
  fork(modulePath, args, options) {
    report.forked = { modulePath, args, serviceName: options.serviceName, stdio: options.stdio };
    const child = require('node:child_process').spawn(process.execPath, [modulePath, ...args], {
      cwd: options.cwd, env: options.env, stdio: options.stdio,
    });
    const handle = new EventEmitter();
    handle.stdout = child.stdout;
    handle.pid = child.pid;
    handle.kill = () => child.kill('SIGTERM');
    child.on('exit', (code) => handle.emit('exit', code ?? 1));
    return handle;
  },
};
app.commandLine = { appendSwitch: (...args) => report.switches.push(args) };
app.requestSingleInstanceLock = () => true;
app.whenReady = () => ready;
app.quit = () => {
  const event = new FakeEvent();
  app.emit('before-quit', event);
  if (!event.defaultPrevented) finish();
};
app.exit = (code) => { report.exitCode = code; finish(); };
const ses = {
  setPermissionRequestHandler(handler) { this.request = handler; },
  setPermissionCheckHandler(handler) { this.check = handler; },
  setDevicePermissionHandler(handler) { this.device = handler; },
  on() {},
  webRequest: {
    onBeforeRequest(handler) { ses.beforeRequest = handler; },
    onHeadersReceived(handler) { ses.headersReceived = handler; },
  },
};
class WebContents extends EventEmitter {
  setWindowOpenHandler(handler) { this.openHandler = handler; }
  setVisualZoomLevelLimits() { return Promise.resolve(); }
  closeDevTools() {}
  forcefullyCrashRenderer() {}
}
class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    report.windows.push(options);
    this.webContents = new WebContents();
    app.emit('web-contents-created', new FakeEvent(), this.webContents);
  }
  loadURL(url) {
    report.loads.push(url);
    if (url.startsWith('http:')) {
      hostLoads += 1;
      const contents = this.webContents;
      // 1: hostile actions, then the renderer crashes. 2 (the reload): the host crashes.
      // 3 (the restarted host): its page fails to load. 4 (the retry): quit.
      const stage = [
        () => { playOnHostPage(contents, url); contents.emit('render-process-gone', new FakeEvent(), { reason: 'crashed', exitCode: 139 }); },
        () => require('node:http').get(new URL('/crash', url)).on('error', () => {}),
        () => contents.emit('did-fail-load', new FakeEvent(), -102, 'ERR_CONNECTION_REFUSED', url, true),
        () => app.quit(),
      ][process.env.FAKE_PACKAGED === '1' ? 3 : hostLoads - 1];
      if (stage) setImmediate(stage);
    }
    return Promise.resolve();
  }
  isDestroyed() { return false; }
  show() {}
  focus() {}
}
function playOnHostPage(contents, url) {
  const origin = new URL(url).origin;
  for (const target of [origin + '/staff', 'http://evil.example/', 'file:///etc/passwd', 'http://127.0.0.1:1/']) {
    const event = new FakeEvent({ url: target });
    contents.emit('will-navigate', event, target);
    report.navigation[target] = !event.defaultPrevented;
  }
  report.windowOpen = contents.openHandler({ url: 'http://evil.example/' });
  const ask = (name, permission, details) =>
    ses.request(contents, permission, (granted) => (report.permissions[name] = granted), {
      requestingUrl: url, isMainFrame: true, ...details,
    });
  ask('camera', 'media', { mediaTypes: ['video'] });
  ask('microphone', 'media', { mediaTypes: ['audio'] });
  ask('geolocation', 'geolocation', {});
  report.device = ses.device({});
  const key = new FakeEvent();
  contents.emit('before-input-event', key, { type: 'keyDown', code: 'KeyR', key: 'r', control: true, meta: false, alt: false, shift: false });
  report.input.ctrlR = key.defaultPrevented;
  ses.headersReceived({ url, responseHeaders: {} }, (response) => (report.headers = response.responseHeaders));
  ses.beforeRequest({ url: 'https://evil.example/x.js' }, (response) => (report.evilRequestCancelled = response.cancel));
}
setImmediate(() => resolveReady());
module.exports = {
  app,
  BrowserWindow,
  Menu: { setApplicationMenu: (menu) => (report.menu = menu) },
  session: { defaultSession: ses },
  utilityProcess,
};
`;

const FAKE_HOST = `
import http from 'node:http';
console.log('argv=' + process.argv.slice(2).join(' '));
console.log('token=' + process.env.MASHANG_BRIDGE_TOKEN);
const server = http.createServer((request, response) => {
  response.end('ok');
  // The shell's stand-in Electron asks for a crash: the host dies as a crashing host does.
  if (request.url === '/crash') { console.log('host crashing'); process.exit(1); }
});
server.listen(0, '127.0.0.1', () => {
  console.log('MASHANG_READY ' + JSON.stringify({ url: 'http://127.0.0.1:' + server.address().port + '/' }));
});
process.on('SIGTERM', () => {
  console.log('host got SIGTERM');
  server.close();
  process.exit(0);
});
`;

interface FakeReport {
  switches: string[][];
  windows: Array<{ kiosk: boolean; webPreferences: Record<string, unknown> }>;
  loads: string[];
  navigation: Record<string, boolean>;
  windowOpen: { action: string };
  permissions: Record<string, boolean>;
  device: boolean;
  input: { ctrlR: boolean };
  headers: Record<string, string[]>;
  evilRequestCancelled: boolean;
  menu: unknown;
  sandboxEnabled: boolean;
  forked?: { modulePath: string; args: string[]; serviceName: string };
}

let dir: string;
let shellDir: string;
let stdoutLines: string[];
let report: FakeReport;

/** Runs the bundled shell under node with the stand-in electron; its output lines and report. */
function runShell(extraEnv: NodeJS.ProcessEnv = {}): { lines: string[]; report: FakeReport } {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MASHANG_NODE: process.execPath,
    MASHANG_CONFIG: '/etc/mashang/kiosk.config.json',
    ...extraEnv,
  };
  delete env['MASHANG_DEV'];
  delete env['MASHANG_ROOT'];
  const result = spawnSync(process.execPath, [path.join(shellDir, 'main.cjs')], {
    env,
    encoding: 'utf8',
    timeout: 30_000,
  });
  const lines = result.stdout.split('\n');
  const reportLine = lines.find((line) => line.startsWith('FAKE_REPORT '));
  if (!reportLine) throw new Error(`shell did not finish:\n${result.stdout}\n${result.stderr}`);
  return { lines, report: JSON.parse(reportLine.slice('FAKE_REPORT '.length)) as FakeReport };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'mashang-shell-'));
  shellDir = path.join(dir, 'repo', 'dist', 'shell');
  await build({
    entryPoints: [path.join(import.meta.dirname, 'main.ts')],
    outfile: path.join(shellDir, 'main.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['electron'],
    define: { MASHANG_VERSION: '"test"' },
    logLevel: 'error',
  });
  mkdirSync(path.join(dir, 'repo', 'node_modules', 'electron'), { recursive: true });
  writeFileSync(path.join(dir, 'repo', 'node_modules', 'electron', 'index.js'), FAKE_ELECTRON);
  mkdirSync(path.join(dir, 'repo', 'kiosk', 'cli'), { recursive: true });
  writeFileSync(path.join(dir, 'repo', 'kiosk', 'cli', 'mashang.mjs'), FAKE_HOST);

  ({ lines: stdoutLines, report } = runShell());
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the Electron shell, wired', () => {
  it('opens one locked-down kiosk window, with no application menu', () => {
    expect(report.windows).toHaveLength(1);
    expect(report.windows[0]).toMatchObject({
      kiosk: true,
      webPreferences: {
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        devTools: false,
        disableBlinkFeatures: 'Auxclick',
        autoplayPolicy: 'no-user-gesture-required',
      },
    });
    expect(report.menu).toBeNull();
  });

  it('starts the host with its config and a fresh token, and loads its page with that token', () => {
    expect(stdoutLines).toContain('argv=host --config /etc/mashang/kiosk.config.json');
    const token = stdoutLines.find((line) => line.startsWith('token='))?.slice('token='.length);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(report.loads[0]).toMatch(/^data:text\/html/);
    expect(decodeURIComponent(report.loads[0] ?? '')).toContain('正在启动');
    expect(report.loads[1]).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/#token=${token}$`));
    expect(report.sandboxEnabled).toBe(true);
  });

  it('reloads a crashed renderer, says "please wait" while a crashed host restarts, and retries a failed load', () => {
    const [, first, reload, waitAfterCrash, restarted, waitAfterFailedLoad, retry] = report.loads;
    // The renderer crashed on the host's page: the same page again (the host keeps the state).
    expect(reload).toBe(first);
    // The host crashed: a calm page, then the restarted host's page (a new port, the same token).
    expect(decodeURIComponent(waitAfterCrash ?? '')).toContain('请稍候');
    expect(stdoutLines).toContain('host crashing');
    expect(restarted).toMatch(/^http:/);
    expect(restarted).not.toBe(first);
    expect(new URL(restarted ?? '').hash).toBe(new URL(first ?? '').hash);
    // Its page failed to load: "please wait" instead of Chromium's error page, then the page again.
    expect(decodeURIComponent(waitAfterFailedLoad ?? '')).toContain('请稍候');
    expect(retry).toBe(restarted);
    expect(report.loads).toHaveLength(7);
  });

  it('applies the navigation, window, permission, keyboard and request policy', () => {
    const origin = new URL(report.loads[1] ?? '').origin;
    expect(report.navigation).toEqual({
      [`${origin}/staff`]: true,
      'http://evil.example/': false,
      'file:///etc/passwd': false,
      'http://127.0.0.1:1/': false,
    });
    expect(report.windowOpen).toEqual({ action: 'deny' });
    expect(report.permissions).toEqual({ camera: true, microphone: false, geolocation: false });
    expect(report.device).toBe(false);
    expect(report.input.ctrlR).toBe(true);
    expect(report.headers['Content-Security-Policy']?.[0]).toContain(
      `connect-src 'self' ws://${new URL(origin).host}`,
    );
    expect(report.evilRequestCancelled).toBe(true);
  });

  it("runs the host on Electron's own Node in a utility process when packaged", () => {
    const packaged = runShell({ FAKE_PACKAGED: '1' });
    expect(packaged.report.forked).toMatchObject({
      modulePath: path.join(dir, 'repo', 'kiosk', 'cli', 'mashang.mjs'),
      args: ['host', '--config', '/etc/mashang/kiosk.config.json'],
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    expect(packaged.lines).toContain('argv=host --config /etc/mashang/kiosk.config.json');
    expect(packaged.report.loads[1]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64}$/);
    expect(packaged.lines).toContain('host got SIGTERM');
    // The repository checkout (above) ran it on MASHANG_NODE, not in a utility process.
    expect(report.forked).toBeUndefined();
  });

  it('stops the host with SIGTERM when it quits', () => {
    expect(stdoutLines).toContain('host got SIGTERM');
    const logged = stdoutLines
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string });
    expect(logged.map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        'shell starting',
        'host ready',
        'shell quitting: stopping the host',
        'host stopped',
      ]),
    );
  });
});
