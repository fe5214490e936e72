/**
 * Every screen of the protocol's screen list — each failure reason, the idle prompt — in both
 * languages and both kiosk orientations, in Debian's Chromium: the built UI served by the host's
 * own HTTP server and bridge, with the flow replaced by a fixture view per screen (so screens no
 * simulator can reach yet, like "out of service", are covered too).
 *
 * For each: zero axe-core violations, type and touch targets large enough, its voice clip loaded
 * and playing, no console output, and a screenshot in test-artifacts/e2e/screens/. The cases come
 * from `screenIds`, `failureReasons` and `voicePromptIds`: a screen added to the protocol is
 * covered without editing this file (give it a fixture below if it needs data to show).
 */
import { rmSync } from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  failureReasons,
  languages,
  screenIds,
  MAX_PHOTO_CHARS,
  type ClientMessage,
  type FailureReason,
  type Language,
  type ScreenId,
  type ViewModel,
} from '../../kiosk/bridge/protocol.ts';
import { BridgeServer } from '../../kiosk/bridge/server.ts';
import { createHttpServer } from '../../kiosk/host/http-server.ts';
import { statusPageKinds, statusPageUrl } from '../../kiosk/shell/status-page.ts';
import { catalogues } from '../../kiosk/ui/i18n/messages.ts';
import {
  voicePromptFor,
  voicePromptIds,
  type VoicePromptId,
  type VoiceVariantId,
} from '../../kiosk/ui/voice/prompts.ts';
import {
  ARTIFACTS,
  axeViolations,
  chromiumAvailable,
  ensureBuilt,
  launchChromium,
  legibilityProblems,
  ORIENTATIONS,
  REPO_ROOT,
  screenshot,
  voiceReport,
  waitForVoice,
  watchPage,
  type Orientation,
} from './kiosk-browser.ts';

const TOKEN = 'e2e'.repeat(16);

/** What a screen needs to show something real; a screen not listed renders from the bare view. */
const FIXTURES: Partial<Record<ScreenId, Partial<ViewModel>>> = {
  identify: { step: { index: 1, total: 5 } },
  verifying: {
    step: { index: 1, total: 5 },
    verifying: { attempt: 1, maxAttempts: 3, checking: false },
  },
  lookup: { step: { index: 2, total: 5 } },
  confirm: {
    step: { index: 2, total: 5 },
    resident: { name: '王秀英', maskedId: '3301**********482X', cardStatus: 'normal' },
    fee: { amountFen: 0 },
  },
  producing: {
    step: { index: 3, total: 5 },
    production: { stage: 'writingChip', stagesDone: 2, attempt: 1 },
  },
  payment: { step: { index: 3, total: 5 }, payment: { phase: 'awaitingCode', amountFen: 2000 } },
  collect: { step: { index: 4, total: 5 } },
  receipt: {
    step: { index: 5, total: 5 },
    receipt: { transactionNo: 'T20250101-0007', printed: true },
  },
  takeIdCard: { step: { index: 5, total: 5 } },
};

/** The view of each screen variant (a variant added to prompts.ts needs one: a compile error). */
const VARIANT_FIXTURES: Record<VoiceVariantId, Partial<ViewModel>> = {
  'verifying.retry': { verifying: { attempt: 2, maxAttempts: 3, checking: false } },
  'verifying.checking': { verifying: { attempt: 2, maxAttempts: 3, checking: true } },
  'payment.charging': { payment: { phase: 'charging', amountFen: 2000 } },
  'payment.declined': { payment: { phase: 'declined', amountFen: 2000 } },
  'payment.settling': { payment: { phase: 'settling', amountFen: 2000 } },
};

/** Failures that carry more than a message: the transaction number, where the money is. */
const FAILURE_EXTRAS: Partial<Record<FailureReason, Partial<ViewModel>>> = {
  productionFailed: { receipt: { transactionNo: 'T20250101-0008', printed: false } },
  paymentUnresolved: { receipt: { transactionNo: 'T20250101-0009', printed: false } },
};

function fixture(screen: ScreenId, lang: Language, extra: Partial<ViewModel> = {}): ViewModel {
  return {
    screen,
    lang,
    step: null,
    idle: null,
    resident: null,
    fee: null,
    production: null,
    verifying: null,
    payment: null,
    failure: null,
    receipt: null,
    kiosk: { id: 'E2E-001', siteName: '马上村便民服务中心' },
    settings: { voice: true },
    simulation: null,
    ...FIXTURES[screen],
    ...extra,
  };
}

interface ScreenCase {
  name: string;
  /** Built when shown (the idle prompt's times are relative to now). */
  view: (lang: Language) => ViewModel;
  voice: VoicePromptId;
}

function screenCases(): ScreenCase[] {
  const cases: ScreenCase[] = [];
  for (const screen of screenIds) {
    if (screen === 'failed') {
      // Without a reason (the host always gives one today), and with each.
      cases.push({
        name: 'failed',
        view: (lang) => fixture('failed', lang),
        voice: voicePromptFor({ screen, failure: null }, false),
      });
      for (const reason of failureReasons) {
        // A failed production after payment: the number to give the counter, the money pending.
        const refund = reason === 'productionFailed' ? 'pending' : null;
        cases.push({
          name: `failed-${reason}`,
          view: (lang) =>
            fixture('failed', lang, { failure: { reason, refund }, ...FAILURE_EXTRAS[reason] }),
          voice: voicePromptFor({ screen, failure: { reason } }, false),
        });
      }
    } else {
      const view = (lang: Language) => fixture(screen, lang);
      cases.push({ name: screen, view, voice: voicePromptFor(view('zh-CN'), false) });
    }
  }
  for (const [variant, extra] of Object.entries(VARIANT_FIXTURES) as Array<
    [VoiceVariantId, Partial<ViewModel>]
  >) {
    const screen = variant.split('.')[0] as ScreenId;
    const view = (lang: Language) => fixture(screen, lang, extra);
    cases.push({
      name: variant.replace('.', '-'),
      view,
      voice: voicePromptFor(view('zh-CN'), false),
    });
  }
  cases.push({
    name: 'idle-prompt',
    view: (lang) =>
      fixture('confirm', lang, {
        idle: { warnAt: Date.now() - 1_000, deadlineAt: Date.now() + 600_000 },
      }),
    voice: 'idle',
  });
  return cases;
}

const run = chromiumAvailable() ? describe : describe.skip;

run('every screen, in Chromium', () => {
  let server: http.Server;
  let bridge: BridgeServer;
  let current: ViewModel = fixture('attract', 'zh-CN');
  const received: ClientMessage[] = [];
  let pageUrl: string;
  let browser: Browser;

  const show = (view: ViewModel) => {
    current = view;
    bridge.broadcast(view);
  };

  beforeAll(async () => {
    // This run's pictures only: a renamed or removed screen leaves no stale shot behind.
    rmSync(path.join(ARTIFACTS, 'screens'), { recursive: true, force: true });
    await ensureBuilt();
    const logger = pino({ level: 'silent' });
    bridge = new BridgeServer({
      token: TOKEN,
      origin: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      logger,
      currentView: () => current,
      onMessage: (message) => received.push(message),
    });
    server = createHttpServer({
      uiDir: path.join(REPO_ROOT, 'dist/ui'),
      bridge,
      logger,
      health: () => ({ status: 'ready' }),
      metrics: async () => ({ contentType: 'text/plain', body: '' }),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    pageUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/#token=${TOKEN}`;
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await bridge?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('covers every voice prompt with a screen case', () => {
    expect(new Set(screenCases().map((c) => c.voice))).toEqual(new Set(voicePromptIds));
  });

  for (const lang of languages) {
    it(`shows every screen in ${lang}: axe-clean, legible, spoken, in both orientations`, async () => {
      const page = await browser.newPage({ viewport: ORIENTATIONS.portrait });
      const pageLog = watchPage(page);
      const problems: string[] = [];
      try {
        show(fixture('attract', lang));
        await page.goto(pageUrl);
        for (const screenCase of screenCases()) {
          await page.setViewportSize(ORIENTATIONS.portrait);
          show(screenCase.view(lang));
          // The voice prompt is unique per case: once it plays, this case's view is on screen.
          try {
            await waitForVoice(page, screenCase.voice, lang);
          } catch (error) {
            problems.push(`${screenCase.name}: ${(error as Error).message}`);
            continue;
          }
          expect(await page.locator('html').getAttribute('lang')).toBe(lang);
          for (const orientation of Object.keys(ORIENTATIONS) as Orientation[]) {
            await page.setViewportSize(ORIENTATIONS[orientation]);
            const where = `${screenCase.name} ${orientation}`;
            for (const violation of await axeViolations(page))
              problems.push(`${where}: axe ${violation}`);
            for (const p of await legibilityProblems(page))
              problems.push(`${where}: ${p.what} "${p.text}" is ${p.px}px`);
            await screenshot(page, `screens/${orientation}/${lang}/${screenCase.name}.png`);
          }
        }
        expect(problems).toEqual([]);
        expect(pageLog.messages).toEqual([]);
      } finally {
        await page.close();
      }
    });
  }

  it("shows the shell's own pages (starting, please wait, out of service) axe-clean and legible", async () => {
    const page = await browser.newPage({ viewport: ORIENTATIONS.portrait });
    const problems: string[] = [];
    try {
      for (const kind of statusPageKinds) {
        await page.goto(statusPageUrl(kind));
        for (const orientation of Object.keys(ORIENTATIONS) as Orientation[]) {
          await page.setViewportSize(ORIENTATIONS[orientation]);
          for (const violation of await axeViolations(page))
            problems.push(`${kind} ${orientation}: axe ${violation}`);
          for (const p of await legibilityProblems(page, 'body'))
            problems.push(`${kind} ${orientation}: ${p.what} "${p.text}" is ${p.px}px`);
          await screenshot(page, `screens/${orientation}/shell-${kind}.png`);
        }
      }
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('has checks that do fail: axe, type size, touch targets and scrolling catch a broken page', async () => {
    const page = await browser.newPage({ viewport: ORIENTATIONS.landscape });
    try {
      show(fixture('identify', 'zh-CN'));
      await page.goto(pageUrl);
      await waitForVoice(page, 'identify', 'zh-CN');
      expect(await axeViolations(page)).toEqual([]);
      expect(await legibilityProblems(page)).toEqual([]);
      await page.evaluate(`(() => {
        const main = document.querySelector('main');
        const tiny = document.createElement('p');
        tiny.style.fontSize = '18px';
        tiny.style.color = '#999';
        tiny.textContent = '小字';
        const icon = document.createElement('button');
        icon.innerHTML = '<svg width="40" height="40"></svg>';
        main.append(tiny, icon);
      })()`);
      const violations = (await axeViolations(page)).map((v) => v.split(':')[0]);
      expect(violations).toEqual(expect.arrayContaining(['button-name', 'color-contrast']));
      expect((await legibilityProblems(page)).map((p) => p.what)).toEqual(['text', 'button']);
      await page.evaluate(
        `document.querySelector('main').append(Object.assign(document.createElement('div'), { style: 'height: 3000px' }))`,
      );
      expect((await legibilityProblems(page)).map((p) => p.what)).toContain('scrolling screen');
    } finally {
      await page.close();
    }
  });

  it('takes the live photo with the camera and sends it to the host, and nowhere else', async () => {
    const page = await browser.newPage({ viewport: ORIENTATIONS.portrait });
    const pageLog = watchPage(page);
    try {
      show(fixture('verifying', 'zh-CN'));
      await page.goto(pageUrl);
      await waitForVoice(page, 'verifying', 'zh-CN');
      const take = page.getByRole('button', { name: catalogues['zh-CN']['verifying.take'] });
      // Chromium's fake camera: enabled once frames arrive.
      await expect.poll(() => take.isEnabled(), { timeout: 15_000 }).toBe(true);
      received.length = 0;
      await take.click();
      await expect.poll(() => received.length).toBe(1);
      const message = received[0]!;
      expect(message.type === 'event' && message.event.type).toBe('PHOTO');
      const photo =
        message.type === 'event' && message.event.type === 'PHOTO' ? message.event.photo : '';
      expect(photo).toMatch(/^data:image\/jpeg;base64,/);
      expect(photo.length).toBeGreaterThan(5_000);
      expect(photo.length).toBeLessThan(MAX_PHOTO_CHARS);
      const traces = String(
        await page.evaluate(
          'JSON.stringify([location.href, document.title, { ...sessionStorage }, { ...localStorage }])',
        ),
      );
      expect(traces).not.toContain(photo.slice(30, 90));
      expect(pageLog.messages).toEqual([]);
      // The host moves on: the camera is released with the screen.
      show(fixture('verifying', 'zh-CN', VARIANT_FIXTURES['verifying.checking']));
      await waitForVoice(page, 'verifying.checking', 'zh-CN');
      expect(await page.locator('video').count()).toBe(0);
    } finally {
      await page.close();
    }
  });

  it('lets the resident hear a prompt again, or stop it, with one button', async () => {
    const page = await browser.newPage({ viewport: ORIENTATIONS.portrait });
    try {
      show(fixture('identify', 'zh-CN'));
      await page.goto(pageUrl);
      await waitForVoice(page, 'identify', 'zh-CN');
      const zh = catalogues['zh-CN'];
      // While it speaks, the button stops it…
      await page.getByRole('button', { name: zh['voice.stop'] }).click();
      await expect.poll(async () => (await voiceReport(page))?.state).toBe('stopped');
      expect(await page.evaluate('document.querySelector("audio").paused')).toBe(true);
      // …and then plays it again.
      await page.getByRole('button', { name: zh['voice.repeat'] }).click();
      await expect.poll(async () => (await voiceReport(page))?.state).toBe('playing');
      await page.getByRole('button', { name: zh['voice.stop'] }).waitFor();
    } finally {
      await page.close();
    }
  });

  it('stays silent, with no voice button, when staff turned voice off', async () => {
    const page = await browser.newPage({ viewport: ORIENTATIONS.landscape });
    try {
      show({ ...fixture('identify', 'zh-CN'), settings: { voice: false } });
      await page.goto(pageUrl);
      await page.getByRole('heading', { name: catalogues['zh-CN']['identify.title'] }).waitFor();
      expect(await page.locator('audio').count()).toBe(0);
      expect(
        await page.getByRole('button', { name: catalogues['zh-CN']['voice.repeat'] }).count(),
      ).toBe(0);
      // Voice back on: the same screen speaks.
      show(fixture('identify', 'zh-CN'));
      await waitForVoice(page, 'identify', 'zh-CN');
    } finally {
      await page.close();
    }
  });
});
