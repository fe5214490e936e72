/**
 * The resident's journeys end to end in Debian's Chromium (the engine Electron embeds, with the
 * kiosk shell's switches), on a kiosk started exactly as `npm start` starts it, walked by the
 * buttons' accessible names in both languages: the whole reissue (live photo, confirmation, a
 * declined then a good payment code, production, collection, receipt), an ID card that cannot be
 * read, a face that does not match, a screen changed by a device with no tap, and the inactivity
 * prompt and timeout.
 *
 * On every screen reached: zero axe-core violations, legible type and large targets, the voice
 * clip loaded and playing, and a screenshot (test-artifacts/e2e/journey/). Nothing personal in
 * the title, storage, URL or console. Every screen of the screen list, including those no
 * simulator reaches, is also checked from fixtures in screens.e2e.test.ts.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idNumberCheckDigit } from '../../drivers/id-reader/id-card-record.ts';
import type { Language } from '../../kiosk/bridge/protocol.ts';
import { seededResident } from '../../kiosk/card-centre/seeds.ts';
import { catalogues } from '../../kiosk/ui/i18n/messages.ts';
import {
  ARTIFACTS,
  axeViolations,
  chromiumAvailable,
  ensureBuilt,
  launchChromium,
  legibilityProblems,
  ORIENTATIONS,
  screenshot,
  waitForVoice,
  watchPage,
  type Orientation,
} from './kiosk-browser.ts';
import {
  arrive,
  backToAttract,
  expectNoTrace,
  observe,
  screenOf,
  startKioskLikeNpmStart,
  Walk,
  type StartedKiosk,
} from './journey-walk.ts';

/**
 * Inactivity: the prompt comes 8 s after the last tap and the session ends 16 s later. Short, so
 * the idle test is quick; the walks below answer the prompt if a slow machine lets it appear.
 */
const TIMEOUTS = {
  idleSeconds: 24,
  idleWarningSeconds: 16,
  cardCollectSeconds: 120,
  idCardRemovalSeconds: 60,
};

let kiosk: StartedKiosk;
let uiUrl: string;
let browser: Browser;

const run = chromiumAvailable() ? describe : describe.skip;

run('a resident at the kiosk, in Chromium', () => {
  beforeAll(async () => {
    // This run's pictures only: a renamed or removed screen leaves no stale shot behind.
    rmSync(path.join(ARTIFACTS, 'journey'), { recursive: true, force: true });
    await ensureBuilt();
    kiosk = await startKioskLikeNpmStart(TIMEOUTS);
    uiUrl = kiosk.url;
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    kiosk?.stop();
  });

  const journeys: Array<{ lang: Language; orientation: Orientation; resident: string | null }> = [
    // A random resident of the kiosk's own (free) district.
    { lang: 'zh-CN', orientation: 'portrait', resident: null },
    // A resident of a district that charges ¥20: the payment step, a declined code first.
    { lang: 'en', orientation: 'landscape', resident: 'fee-district' },
  ];

  for (const { lang, orientation, resident: seeded } of journeys) {
    it(`walks the whole reissue in ${lang} (${orientation}${seeded ? `, ${seeded}` : ''}) and leaves no trace`, async () => {
      const page = await browser.newPage({ viewport: ORIENTATIONS[orientation] });
      const log = watchPage(page);
      const observer = await observe(uiUrl);
      await backToAttract(observer);
      const walk = new Walk(page, lang, orientation, `reissue-${lang}`);
      try {
        await page.goto(uiUrl);
        await arrive(page, 'attract');
        // The secret leaves the address bar once the UI has it.
        expect(page.url()).not.toContain('token=');
        if (lang === 'en') {
          await page.getByRole('button', { name: catalogues['zh-CN']['lang.switchTo'] }).click();
          await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
        }
        await walk.visit('attract', { stable: true });

        await walk.press('attract.start');
        await walk.visit('identify', { stable: true });

        if (seeded) {
          const { card } = seededResident(seeded);
          observer.send({
            type: 'sim',
            sim: { action: 'placeIdCard', person: { name: card.name, idNumber: card.idNumber } },
          });
        } else {
          await walk.device('sim.placeIdCard');
        }
        // The live photo: Chromium's fake camera stands in for the resident's face.
        await walk.visit('verifying', { stable: true });
        await walk.press('verifying.take');

        await walk.visit('confirm', { stable: true });
        const resident = observer.seen.findLast((v) => v.screen === 'confirm')!.resident!;
        const body = await page.locator('body').innerText();
        expect(body).toContain(resident.name);
        expect(body).toContain(resident.maskedId);
        await walk.press('confirm.confirm');

        if (seeded === 'fee-district') {
          await walk.visit('payment', { stable: true });
          await walk.device('sim.scanDeclined');
          await walk.visit('payment', { voice: 'payment.declined', stable: true });
          await walk.press('payment.retry');
          await walk.visit('payment');
          await walk.device('sim.scanPaid');
        }
        await walk.visit('producing');
        await walk.visit('collect', { stable: true });

        await walk.device('sim.takeCard');
        await walk.visit('receipt');
        // The ID card is still on the reader: the kiosk asks for it before anything else.
        await walk.visit('takeIdCard', { stable: true });
        await walk.device('sim.removeIdCard');

        // Back to attract — in Chinese, whatever the last resident chose — with nothing of them.
        await arrive(page, 'attract');
        await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('zh-CN');
        await screenshot(page, `journey/reissue-${lang}/${orientation}/99-attract-after.png`);
        const html = await page.content();
        expect(html).not.toContain(resident.name);
        expect(html).not.toContain(resident.maskedId);
        await expectNoTrace(page, log, [resident.name, resident.maskedId]);
        expect(walk.problems).toEqual([]);
        expect(log.messages).toEqual([]);
      } finally {
        observer.close();
        await page.close();
      }
    });
  }

  const failures: Array<{
    lang: Language;
    orientation: Orientation;
    reason: 'idUnreadable' | 'faceMismatch';
  }> = [
    { lang: 'zh-CN', orientation: 'portrait', reason: 'idUnreadable' },
    { lang: 'en', orientation: 'landscape', reason: 'faceMismatch' },
  ];

  for (const { lang, orientation, reason } of failures) {
    it(`tells a resident what went wrong (${reason}), in ${lang}, and gives their ID card back`, async () => {
      const page = await browser.newPage({ viewport: ORIENTATIONS[orientation] });
      const log = watchPage(page);
      const observer = await observe(uiUrl);
      await backToAttract(observer);
      const walk = new Walk(page, lang, orientation, `${reason}-${lang}`);
      try {
        await page.goto(uiUrl);
        await arrive(page, 'attract');
        if (lang === 'en')
          await page.getByRole('button', { name: catalogues['zh-CN']['lang.switchTo'] }).click();
        await walk.press('attract.start');
        await arrive(page, 'identify');
        let person: { name: string; idNumber: string };
        if (reason === 'idUnreadable') {
          // A card whose record does not decode (its ID number fails the check digit): a worn card.
          const first17 = '33010619450307002';
          person = {
            name: '李桂兰',
            idNumber: first17 + (idNumberCheckDigit(first17) === '1' ? '2' : '1'),
          };
          observer.send({ type: 'sim', sim: { action: 'placeIdCard', person } });
        } else {
          // Someone else's ID card: the live photo never matches the archive.
          const { card } = seededResident('face-mismatch');
          person = { name: card.name, idNumber: card.idNumber };
          observer.send({ type: 'sim', sim: { action: 'placeIdCard', person } });
          await walk.visit('verifying');
          await walk.press('verifying.take');
        }
        await walk.visit('failed', { stable: true, voice: `failed.${reason}` });
        await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe(
          walk.text(`failed.${reason}.title`),
        );
        await walk.press('failed.back');
        await walk.visit('takeIdCard', { stable: true });
        await walk.device('sim.removeIdCard');
        await arrive(page, 'attract');
        await expectNoTrace(page, log, [person.name, person.idNumber]);
        expect(walk.problems).toEqual([]);
        expect(log.messages).toEqual([]);
      } finally {
        observer.close();
        await page.close();
      }
    });
  }

  it('speaks when a device changes the screen, with no tap on the page at all', async () => {
    const page = await browser.newPage({ viewport: ORIENTATIONS.portrait });
    const log = watchPage(page);
    const observer = await observe(uiUrl);
    await backToAttract(observer);
    // Counts every tap, click or key the page receives (none may happen in this test).
    await page.addInitScript(`window.__inputs = 0;
      for (const type of ['pointerdown', 'mousedown', 'touchstart', 'keydown', 'click']) {
        window.addEventListener(type, () => window.__inputs++, true);
      }`);
    try {
      await page.goto(uiUrl);
      await arrive(page, 'attract');
      await waitForVoice(page, 'attract', 'zh-CN');
      // The resident and the ID reader act through the bridge; the page is never touched.
      observer.send({ type: 'event', event: { type: 'START' } });
      await arrive(page, 'identify');
      await waitForVoice(page, 'identify', 'zh-CN');
      // The ID reader reads the card: the screen changes, and speaks, with no tap.
      observer.send({ type: 'sim', sim: { action: 'placeIdCard' } });
      await arrive(page, 'verifying');
      await waitForVoice(page, 'verifying', 'zh-CN');
      expect(await page.evaluate('window.__inputs')).toBe(0);

      observer.send({ type: 'event', event: { type: 'CANCEL' } });
      await arrive(page, 'takeIdCard');
      await waitForVoice(page, 'takeIdCard', 'zh-CN');
      observer.send({ type: 'sim', sim: { action: 'removeIdCard' } });
      await arrive(page, 'attract');
      expect(log.messages).toEqual([]);
    } finally {
      observer.close();
      await page.close();
    }
  });

  it('asks "are you still there?" before the timeout, and ends the session when nobody answers', async () => {
    const page = await browser.newPage({ viewport: ORIENTATIONS.landscape });
    const log = watchPage(page);
    const walk = new Walk(page, 'zh-CN', 'landscape', 'idle');
    const observer = await observe(uiUrl);
    await backToAttract(observer);
    try {
      await page.goto(uiUrl);
      await arrive(page, 'attract');
      await walk.press('attract.start');
      await arrive(page, 'identify');

      // The prompt comes by itself, speaks, counts down, and offers one large "continue".
      const dialog = page.getByRole('dialog', { name: walk.text('idle.title') });
      await dialog.waitFor({ timeout: 60_000 });
      await waitForVoice(page, 'idle', 'zh-CN');
      await expect(dialog.innerText()).resolves.toMatch(/还剩 \d+ 秒/);
      expect(await axeViolations(page)).toEqual([]);
      expect(await legibilityProblems(page)).toEqual([]);
      await screenshot(page, 'journey/idle/landscape/01-still-there.png');
      await page.getByRole('button', { name: walk.text('idle.continue') }).click();
      await expect.poll(() => dialog.count()).toBe(0);
      expect(await screenOf(page)).toBe('identify');

      // Nobody answers the second time: the session ends on its own, back to the start.
      await dialog.waitFor({ timeout: 60_000 });
      await arrive(page, 'attract', 60_000);
      await waitForVoice(page, 'attract', 'zh-CN');
      expect(log.messages).toEqual([]);
    } finally {
      observer.close();
      await page.close();
    }
  });

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
