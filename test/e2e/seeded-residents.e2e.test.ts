/**
 * Every seeded resident of the embedded card centre (kiosk/card-centre/seeds.ts) walked in
 * Debian's Chromium on a kiosk started as `npm start` starts it: the ones who get their card
 * (already reported lost, a rare character in the name), the ones sent to the counter (no card,
 * an expired ID card, no archived photo) — each told why, on their own screen, before anything is
 * taken — plus a production retried after a blank's chip fails, and a card nobody takes, which
 * is kept inside and the resident told how to claim it.
 *
 * The plain reissue, the fee-paying resident and the face mismatch are walked in
 * resident-journey.e2e.test.ts. Every screen reached here is checked the same way: screenshot,
 * voice, axe, legibility (test-artifacts/e2e/journey/<walk>/).
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FailureReason, Language } from '../../kiosk/bridge/protocol.ts';
import { seededResident } from '../../kiosk/card-centre/seeds.ts';
import { catalogues, formatMessage } from '../../kiosk/ui/i18n/messages.ts';
import {
  ARTIFACTS,
  chromiumAvailable,
  ensureBuilt,
  launchChromium,
  ORIENTATIONS,
  watchPage,
  type Orientation,
} from './kiosk-browser.ts';
import {
  arrive,
  backToAttract,
  expectNoTrace,
  observe,
  startKioskLikeNpmStart,
  Walk,
  type Observer,
  type StartedKiosk,
} from './journey-walk.ts';

/**
 * A card is kept inside 30 s after it comes out (the countdown shows from 15 s), so the card
 * nobody takes is quick to wait for; long enough for the other walks to check the collect screen.
 */
const TIMEOUTS = {
  idleSeconds: 90,
  idleWarningSeconds: 15,
  cardCollectSeconds: 30,
  // "Take your ID card" is said again every 3 s while it stays on the reader.
  idCardRemovalSeconds: 3,
};

let kiosk: StartedKiosk;
let browser: Browser;

const run = chromiumAvailable() ? describe : describe.skip;

/**
 * Opens the kiosk in a fresh page in the resident's language, starts, places the resident's ID
 * card (as the reader would read it) and takes the live photo.
 */
async function identify(
  walk: Walk,
  observer: Observer,
  card: { name: string; idNumber: string },
  atAttract: () => Promise<void> = async () => {},
): Promise<void> {
  const { page, lang } = walk;
  await page.goto(kiosk.url);
  await arrive(page, 'attract');
  await atAttract();
  if (lang === 'en') {
    await page.getByRole('button', { name: catalogues['zh-CN']['lang.switchTo'] }).click();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
  }
  await walk.press('attract.start');
  await walk.visit('identify');
  observer.send({ type: 'sim', sim: { action: 'placeIdCard', person: { name: card.name, idNumber: card.idNumber } } });
  await walk.visit('verifying');
  await walk.press('verifying.take');
}

/** From the new card at the slot: taken, the receipt, the ID card back, attract again. */
async function collectAndLeave(walk: Walk): Promise<void> {
  await walk.visit('collect');
  await walk.device('sim.takeCard');
  await walk.visit('receipt');
  await walk.visit('takeIdCard');
  await walk.device('sim.removeIdCard');
  await arrive(walk.page, 'attract');
}

run('every seeded resident at the kiosk, in Chromium', () => {
  beforeAll(async () => {
    for (const name of ['already-lost', 'rare-name', 'no-card', 'expired-id', 'no-photo', 'chip-retry', 'not-taken'])
      rmSync(path.join(ARTIFACTS, 'journey', name), { recursive: true, force: true });
    await ensureBuilt();
    kiosk = await startKioskLikeNpmStart(TIMEOUTS);
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    kiosk?.stop();
  });

  /** Runs one walk in its own page with a second bridge client watching, and cleans up after it. */
  async function walkWith(
    name: string,
    lang: Language,
    orientation: Orientation,
    body: (walk: Walk, observer: Observer, log: { messages: string[] }) => Promise<void>,
  ): Promise<void> {
    const page = await browser.newPage({ viewport: ORIENTATIONS[orientation] });
    const log = watchPage(page);
    const observer = await observe(kiosk.url);
    await backToAttract(observer);
    const walk = new Walk(page, lang, orientation, name);
    try {
      await body(walk, observer, log);
      expect(walk.problems).toEqual([]);
      expect(log.messages).toEqual([]);
    } finally {
      observer.close();
      await page.close();
    }
  }

  const completing: Array<{ resident: string; lang: Language; orientation: Orientation }> = [
    // Reported lost by phone already: no second loss report, the card is still made.
    { resident: 'already-lost', lang: 'zh-CN', orientation: 'portrait' },
    // 吴𠮷: 𠮷 is outside GBK; it goes in the chip's name-extension field, the face prints it.
    { resident: 'rare-name', lang: 'en', orientation: 'landscape' },
  ];

  for (const { resident: id, lang, orientation } of completing) {
    it(`${id}: gets the new card (${lang}, ${orientation})`, async () => {
      const { card } = seededResident(id);
      await walkWith(id, lang, orientation, async (walk, observer, log) => {
        await identify(walk, observer, card);
        await walk.visit('confirm', { stable: true });
        const body = await walk.page.locator('body').innerText();
        expect(body).toContain(card.name);
        const shown = observer.seen.findLast((v) => v.screen === 'confirm')!.resident!;
        if (id === 'already-lost') {
          expect(shown.cardStatus).toBe('reportedLost');
          expect(body).toContain(walk.text('confirm.alreadyReportedLost'));
        } else {
          expect(shown.cardStatus).toBe('normal');
          expect(body).not.toContain(walk.text('confirm.alreadyReportedLost'));
        }
        await walk.press('confirm.confirm');
        await walk.visit('producing');
        await collectAndLeave(walk);
        await expectNoTrace(walk.page, log, [card.name, card.idNumber, shown.maskedId]);
      });
    });
  }

  const toCounter: Array<{ resident: string; reason: FailureReason; lang: Language; orientation: Orientation }> = [
    { resident: 'no-card', reason: 'noCardOnFile', lang: 'en', orientation: 'landscape' },
    { resident: 'expired-id', reason: 'idExpired', lang: 'zh-CN', orientation: 'portrait' },
    { resident: 'no-photo', reason: 'noArchivedPhoto', lang: 'en', orientation: 'portrait' },
  ];

  for (const { resident: id, reason, lang, orientation } of toCounter) {
    it(`${id}: told "${reason}" on its own screen before anything is taken, and gets the ID card back (${lang})`, async () => {
      const { card } = seededResident(id);
      await walkWith(id, lang, orientation, async (walk, observer, log) => {
        await identify(walk, observer, card);
        await walk.visit('failed', { stable: true, voice: `failed.${reason}` });
        await expect(walk.page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe(walk.text(`failed.${reason}.title`));
        await expect(walk.page.locator('body').innerText()).resolves.toContain(walk.text(`failed.${reason}.advice`));
        // Sent away before confirming: never asked to confirm, to pay, or shown production.
        const screens = new Set(observer.seen.map((v) => v.screen));
        for (const never of ['confirm', 'payment', 'producing'] as const) expect(screens.has(never), never).toBe(false);
        expect(observer.seen.findLast((v) => v.screen === 'failed')!.failure).toEqual({ reason, refund: null });

        await walk.press('failed.back');
        await walk.visit('takeIdCard');
        await walk.device('sim.removeIdCard');
        await arrive(walk.page, 'attract');
        await expectNoTrace(walk.page, log, [card.name, card.idNumber]);
      });
    });
  }

  it('a blank whose chip is dead goes to the reject bin, and the card is made on the next one (en)', async () => {
    const { card } = seededResident('normal');
    await walkWith('chip-retry', 'en', 'landscape', async (walk, observer) => {
      // The technician's simulator strip: the next blank to reach the chip station is spoiled.
      await identify(walk, observer, card, () => walk.deviceFault('sim.fault.chip-encoder.spoiledBlank'));
      await walk.visit('confirm');
      await walk.press('confirm.confirm');

      await walk.visit('producing');
      // The second try is said on screen while it runs.
      const second = formatMessage(walk.text('producing.attempt'), { n: 2 });
      await walk.page.getByText(second).waitFor({ timeout: 30_000 });
      await collectAndLeave(walk);
      const attempts = observer.seen.filter((v) => v.production).map((v) => v.production!.attempt);
      expect(Math.max(...attempts)).toBe(2);
    });
  });

  it('a card nobody takes counts down, is kept inside, and the resident is told how to claim it (zh-CN)', async () => {
    const { card } = seededResident('normal');
    await walkWith('not-taken', 'zh-CN', 'portrait', async (walk, observer) => {
      await identify(walk, observer, card);
      await walk.visit('confirm');
      await walk.press('confirm.confirm');
      await walk.visit('producing');
      await walk.visit('collect');

      // The last seconds count down on screen before the card is taken back.
      const countdown = walk.page.getByRole('status').filter({ hasText: '收回机器里保管' });
      await countdown.waitFor({ timeout: 40_000 });
      await expect(countdown.innerText()).resolves.toMatch(/还剩 \d+ 秒/);

      await walk.visit('failed', { stable: true, voice: 'failed.cardNotCollected' });
      const failed = observer.seen.findLast((v) => v.screen === 'failed')!;
      expect(failed.failure).toEqual({ reason: 'cardNotCollected', refund: null });
      // The number to claim the card with, on screen.
      const transactionNo = failed.receipt!.transactionNo;
      await expect(walk.page.locator('body').innerText()).resolves.toContain(transactionNo);
      expect(observer.seen.at(-1)!.simulation!.cardAtExit).toBe(false);

      await walk.press('failed.back');
      await walk.visit('takeIdCard');
      // The ID card stays on the reader: the prompt ends, and is said again without a tap.
      const voice = walk.page.locator('audio[data-voice="takeIdCard"]');
      await expect.poll(() => voice.getAttribute('data-voice-state'), { timeout: 20_000 }).toBe('ended');
      await expect.poll(() => voice.getAttribute('data-voice-state'), { timeout: 20_000, interval: 100 }).toBe('playing');
      await walk.device('sim.removeIdCard');
      await arrive(walk.page, 'attract');
    });
  });
});
