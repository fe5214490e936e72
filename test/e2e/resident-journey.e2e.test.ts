/**
 * The resident's journey end to end in Debian's Chromium (the engine Electron embeds), on a kiosk
 * started exactly as `npm start` starts it, walked by the buttons' accessible names in both
 * languages. A screenshot of every screen is kept in test-artifacts/e2e/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BRIDGE_SUBPROTOCOL, ServerMessage, TOKEN_SUBPROTOCOL_PREFIX, type ViewModel } from '../../kiosk/bridge/protocol.ts';
import { REPO_ROOT } from '../support/host-harness.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts/e2e');
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

if (!existsSync(CHROMIUM)) {
  const message = `Chromium not found at ${CHROMIUM}: install it with "sudo apt-get install chromium fonts-noto-cjk" (npm test does this itself as root)`;
  if (process.env.CI) throw new Error(message);
  console.warn(`skipping the end-to-end test: ${message}`);
}

let kiosk: ChildProcess;
let kioskOutput = '';
let uiUrl: string;
let browser: Browser;

/** Starts the kiosk as `npm start` does (set-up, then `mashang start`), on its own port and data. */
async function startKioskLikeNpmStart(): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mashang-e2e-'));
  const config = JSON.parse(readFileSync(path.join(REPO_ROOT, 'kiosk.config.json'), 'utf8'));
  config.dataDir = path.join(dir, 'data');
  const configFile = path.join(dir, 'kiosk.config.json');
  writeFileSync(configFile, JSON.stringify(config));
  const env = { ...process.env };
  delete env.DISPLAY; // no Electron window: the kiosk serves its UI on 127.0.0.1, as on a server
  delete env.WAYLAND_DISPLAY;
  kiosk = spawn('npm', ['start', '--silent', '--', '--config', configFile, '--port', '0'], { cwd: REPO_ROOT, env, detached: true });
  kiosk.stdout!.on('data', (d) => (kioskOutput += d));
  kiosk.stderr!.on('data', (d) => (kioskOutput += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kiosk did not print its address:\n${kioskOutput}`)), 240_000);
    kiosk.stdout!.on('data', () => {
      const url = /(http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+)/.exec(kioskOutput)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    });
    kiosk.once('exit', (code) => reject(new Error(`kiosk exited with ${code}:\n${kioskOutput}`)));
  });
}

/** Watches the host's views beside the browser, to know who the simulated resident was. */
async function observe(url: string) {
  const { origin, hash } = new URL(url);
  const token = new URLSearchParams(hash.slice(1)).get('token')!;
  const socket = new WebSocket(`${origin.replace('http', 'ws')}/bridge`, [BRIDGE_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX + token]);
  const seen: ViewModel[] = [];
  socket.on('message', (data) => {
    const message = ServerMessage.parse(JSON.parse(data.toString()));
    if (message.type === 'view') seen.push(message.view);
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return { seen, close: () => socket.close() };
}

async function screenshot(page: Page, lang: string, name: string, counter: { n: number }) {
  const dir = path.join(ARTIFACTS, lang);
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${String(++counter.n).padStart(2, '0')}-${name}.png`) });
}

const run = existsSync(CHROMIUM) || process.env.CI ? describe : describe.skip;

run('a resident at the kiosk, in Chromium', () => {
  beforeAll(async () => {
    uiUrl = await startKioskLikeNpmStart();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (kiosk?.pid && kiosk.exitCode === null) process.kill(-kiosk.pid, 'SIGTERM');
  });

  const journeys = [
    {
      lang: 'zh-CN',
      toggle: null,
      start: '补办社保卡',
      placeId: '放置模拟身份证',
      confirm: '确认补办',
      takeCard: '取走新卡',
      removeId: '拿走身份证',
      texts: { identify: '请把身份证放在感应区', collect: '请取走您的新社保卡', receipt: '请取走凭条' },
    },
    {
      lang: 'en',
      toggle: 'English',
      start: 'Reissue a lost card',
      placeId: 'Place simulated ID card',
      confirm: 'Confirm',
      takeCard: 'Take the new card',
      removeId: 'Remove ID card',
      texts: { identify: 'Place your ID card on the reader', collect: 'Please take your new card', receipt: 'Please take your receipt' },
    },
  ] as const;

  for (const journey of journeys) {
    it(`walks the whole reissue in ${journey.lang} and leaves no trace on the attract screen`, async () => {
      const page = await browser.newPage({ viewport: { width: 1080, height: 1920 } });
      const observer = await observe(uiUrl);
      const shots = { n: 0 };
      try {
        await page.goto(uiUrl);
        const button = (name: string) => page.getByRole('button', { name });
        await expect.poll(() => button('补办社保卡').count(), { timeout: 15_000 }).toBe(1);
        // The secret leaves the address bar once the UI has it.
        expect(page.url()).not.toContain('token=');
        await screenshot(page, journey.lang, 'attract', shots);

        if (journey.toggle) {
          await button(journey.toggle).click();
          await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
        }
        await button(journey.start).click();
        await page.getByText(journey.texts.identify).first().waitFor();
        await screenshot(page, journey.lang, 'identify', shots);

        await button(journey.placeId).click();
        await button(journey.confirm).waitFor({ timeout: 15_000 });
        const resident = observer.seen.find((v) => v.screen === 'confirm')!.resident!;
        await expect.poll(() => page.locator('body').innerText()).toContain(resident.name);
        expect(await page.locator('body').innerText()).toContain(resident.maskedId);
        await screenshot(page, journey.lang, 'confirm', shots);

        await button(journey.confirm).click();
        await expect.poll(() => observer.seen.at(-1)?.screen, { timeout: 10_000 }).toBe('producing');
        await screenshot(page, journey.lang, 'producing', shots);

        await page.getByText(journey.texts.collect).first().waitFor({ timeout: 30_000 });
        await screenshot(page, journey.lang, 'collect', shots);
        await button(journey.takeCard).click();

        await page.getByText(journey.texts.receipt).first().waitFor({ timeout: 15_000 });
        await screenshot(page, journey.lang, 'receipt', shots);
        await button(journey.removeId).click();

        // Back to attract — in Chinese, whatever the last resident chose — with nothing of them.
        await button('补办社保卡').waitFor({ timeout: 20_000 });
        await screenshot(page, journey.lang, 'attract-after', shots);
        const html = await page.content();
        expect(html).not.toContain(resident.name);
        expect(html).not.toContain(resident.maskedId);
        expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
      } finally {
        observer.close();
        await page.close();
      }
    });
  }

  it('refuses the bridge to a page that does not hold the secret', async () => {
    const page = await browser.newPage();
    try {
      const origin = new URL(uiUrl).origin;
      await page.goto(`${origin}/`);
      // A string, not a function: the test file's own `WebSocket` import must not leak into the page.
      const wsUrl = `${origin.replace('http', 'ws')}/bridge`;
      const outcome = await page.evaluate(`new Promise((resolve) => {
        const socket = new window.WebSocket(${JSON.stringify(wsUrl)}, ['mashang.bridge.v1', 'token.0000']);
        socket.onopen = () => resolve('open');
        socket.onerror = () => resolve('refused');
      })`);
      expect(outcome).toBe('refused');
    } finally {
      await page.close();
    }
  });
});
