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
  type ModeView,
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

/** A staff mode with nothing on screen yet; each mode screen's fixture adds what it shows. */
const MODE: ModeView = {
  role: 'staff',
  staffId: 'S0042',
  busy: false,
  pin: null,
  refusal: null,
  result: null,
  stock: null,
  load: null,
  todo: null,
  count: null,
  ribbonStep: null,
  devices: null,
  tests: null,
  apdu: null,
};
const TECHNICIAN: ModeView = { ...MODE, role: 'technician', staffId: 'T-007' };
const STOCK: NonNullable<ModeView['stock']> = {
  inHopper: 84,
  capacity: 100,
  binExpected: 3,
  binSince: '2026-01-05T09:00:00+08:00',
  rejectedSince: 2,
  retainedSince: 1,
  lastBinDifference: null,
  discrepancies: 0,
  outOfService: false,
  ribbonFaces: 212,
  ribbonSince: null,
  paper: 'nearEnd',
  paperSince: null,
};

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
  // Staff and technician modes: busy screens, the longest messages, a fault and a failed test.
  modeCheck: { mode: { ...MODE, busy: true } },
  modePin: { mode: { ...MODE, pin: { triesLeft: 2, wrong: true } } },
  modeRefused: { mode: { ...MODE, role: null, staffId: null, refusal: 'revocationUnavailable' } },
  staffHome: {
    mode: {
      ...MODE,
      stock: { ...STOCK, outOfService: true, discrepancies: 1 },
      todo: { count: 2, items: [] },
      result: { ok: true, code: 'loaded', params: { batch: 'B2026-0117', count: 50, inHopper: 84 } },
    },
  },
  staffLoad: {
    mode: {
      ...MODE,
      stock: STOCK,
      load: { draft: { batch: 'B2026-0117', serialFirst: 'SC00012001', serialLast: 'SC00012050', count: 50 }, scans: 1 },
      result: { ok: false, code: 'overCapacity', params: { inHopper: 84, count: 50, capacity: 100 } },
    },
  },
  staffRejectBin: {
    mode: { ...MODE, stock: STOCK, result: { ok: false, code: 'recordsUnavailable', params: {} } },
  },
  // The plain page: what the records expect, the keypad, and the last count's answer.
  staffCount: {
    mode: { ...MODE, stock: STOCK, result: { ok: false, code: 'recordsUnavailable', params: {} } },
  },
  staffConsumables: {
    mode: { ...MODE, stock: STOCK, ribbonStep: 'dispose', result: { ok: true, code: 'ribbonRemoved', params: { faces: 212 } } },
  },
  // One discrepancy (residents kept away) and one notice with the numbers a clerk matches a receipt with.
  staffTodo: {
    mode: {
      ...MODE,
      stock: { ...STOCK, outOfService: true, discrepancies: 1 },
      todo: {
        count: 2,
        items: [
          { type: 'discrepancy', seq: 17, at: '2026-01-05T09:12:00+08:00', reason: 'printerCountersMoved' },
          {
            type: 'notice',
            id: 4,
            at: '2026-01-05T10:40:00+08:00',
            kind: 'cardRetained',
            applicationNo: 'A2026010500042',
            transactionNo: 'K-0001-20260105104000-3F2A',
            orderNo: null,
          },
        ],
      },
      result: { ok: false, code: 'discrepancyAgain', params: { left: 1 } },
    },
  },
  technicianHome: {
    mode: {
      ...TECHNICIAN,
      devices: [
        { kind: 'id-reader', transport: 'serial:/dev/ttyUSB0', state: 'ready', detail: null, identity: { sam: '05.01-20250101-0012345678' }, errors: [] },
        {
          kind: 'card-printer',
          transport: 'serial:/dev/ttyUSB1',
          state: 'fault',
          detail: 'coverOpen',
          identity: { model: 'Evolis KC200 (Mashang simulator)', serial: 'SIM0000001', firmware: '1.0.0-sim' },
          errors: [
            { at: '2026-01-05T09:12:30+08:00', what: 'fault:coverOpen' },
            { at: '2026-01-05T08:02:10+08:00', what: 'fault:jam' },
          ],
        },
        { kind: 'chip-encoder', transport: 'pcsclite:/Chip/', state: 'ready', detail: null, identity: null, errors: [] },
        {
          kind: 'receipt-printer',
          transport: 'serial:/dev/ttyUSB2',
          state: 'warning',
          detail: 'paperNearEnd',
          identity: { model: 'Mashang TM-SIM80 (Mashang simulator)', serial: 'SIMR000001', firmware: '1.0.0-sim' },
          errors: [],
        },
        { kind: 'qr-scanner', transport: 'hid:0c2e:0b61', state: 'disconnected', detail: null, identity: null, errors: [{ at: '2026-01-05T09:14:00+08:00', what: 'disconnected' }] },
        { kind: 'staff-card-reader', transport: 'pcsclite:/Staff/', state: 'ready', detail: null, identity: { reader: 'Mashang Simulated Reader 01' }, errors: [] },
      ],
    },
  },
  technicianTests: {
    mode: {
      ...TECHNICIAN,
      tests: [
        { id: 'idReader', state: 'pass', code: 'read', params: {}, at: '2026-01-05T09:20:00+08:00' },
        { id: 'pcsc', state: 'pass', code: 'atr', params: { readers: 2, reader: 'Mashang Simulated Reader 01', atr: '3B8A014D415348414E472D5354F3' }, at: null },
        { id: 'cardPrinter', state: 'fail', code: 'fault', params: { fault: 'coverOpen' }, at: null },
        { id: 'testCard', state: 'running', code: null, params: {}, at: null },
        { id: 'cleaning', state: 'fail', code: 'due', params: {}, at: null },
        { id: 'receiptPrinter', state: 'notRun', code: null, params: {}, at: null },
        { id: 'scanner', state: 'fail', code: 'noScan', params: { seconds: 20 }, at: null },
        { id: 'cardCentre', state: 'fail', code: 'clockSkew', params: { skew: -305, ms: 84 }, at: null },
      ],
    },
  },
  technicianApdu: {
    mode: {
      ...TECHNICIAN,
      apdu: {
        readers: [
          { name: 'Mashang Simulated Reader 01', role: 'staff-card-reader', card: true },
          { name: 'Virtual PCD 00 00', role: 'chip-encoder', card: false },
        ],
        exchanges: [
          { reader: 'Mashang Simulated Reader 01', command: '00A4040009F04D415348414E4701', response: '9000', ok: true },
          { reader: 'Mashang Simulated Reader 01', command: '0020008106************', response: '63C2', ok: false },
        ],
      },
    },
  },
};

/** The view of each screen variant (a variant added to prompts.ts needs one: a compile error). */
const VARIANT_FIXTURES: Record<VoiceVariantId, Partial<ViewModel>> = {
  'verifying.retry': { verifying: { attempt: 2, maxAttempts: 3, checking: false } },
  'verifying.checking': { verifying: { attempt: 2, maxAttempts: 3, checking: true } },
  'payment.charging': { payment: { phase: 'charging', amountFen: 2000 } },
  'payment.declined': { payment: { phase: 'declined', amountFen: 2000 } },
  'payment.settling': { payment: { phase: 'settling', amountFen: 2000 } },
  // The count differs from the records: both numbers, the reasons to pick from, and cancel.
  'staffCount.why': {
    mode: {
      ...MODE,
      stock: { ...STOCK, outOfService: true, discrepancies: 1 },
      count: { counted: 82, ledger: 84, discrepancy: 23 },
      result: { ok: false, code: 'countDiffers', params: { counted: 82, ledger: 84, discrepancy: 23 } },
    },
  },
};

/** Failures that carry more than a message: the transaction number, where the money is. */
const FAILURE_EXTRAS: Partial<Record<FailureReason, Partial<ViewModel>>> = {
  productionFailed: { receipt: { transactionNo: 'T20250101-0008', printed: false } },
  paymentUnresolved: { receipt: { transactionNo: 'T20250101-0009', printed: false } },
  cardNotCollected: { receipt: { transactionNo: 'T20250101-0010', printed: false } },
  feeChanged: { receipt: { transactionNo: 'T20250101-0011', printed: false } },
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
    mode: null,
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
