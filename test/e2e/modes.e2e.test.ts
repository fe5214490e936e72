/**
 * Staff and technicians at the kiosk, end to end in Debian's Chromium, on a kiosk started as an
 * operator starts it (`mashang host`, the embedded default: every device simulated): staff cards
 * go in and out through the simulator strip, the PIN is typed on the on-screen keypad, everything
 * else is pressed by its accessible name.
 *
 * - a staff card and its PIN load a box of blanks (scanned label) into the ledger;
 * - a forged and a revoked staff card are refused with the reason;
 * - a staff card is refused while a resident's card is being produced (their screen stays);
 * - a technician runs every self-test on the simulated devices and prints the readiness report;
 * - a clerk resolves the stock discrepancy a resident's pre-flight found, and the kiosk serves again;
 * - a clerk counts the blanks in the hopper, and the count matches the records;
 * - a wrong PIN three times blocks the card (last: it blocks the staff card for good).
 *
 * On every screen reached: zero axe-core violations, legible type and large targets, nothing
 * wider or taller than the screen, the voice clip playing; screenshots in test-artifacts/e2e/modes/.
 */
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  selfTestIds,
  type Language,
  type ScreenId,
  type SelfTestId,
} from '../../kiosk/bridge/protocol.ts';
import { SIM_STAFF_CARDS } from '../../kiosk/modes/staff-card-device.ts';
import { openRecordsReadOnly } from '../../kiosk/store/store.ts';
import { catalogues, formatMessage, type MessageKey } from '../../kiosk/ui/i18n/messages.ts';
import { voicePromptFor } from '../../kiosk/ui/voice/prompts.ts';
import { connectBridge, spawnHost, type SpawnedHost } from '../support/spawned-host.ts';
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
import path from 'node:path';
import { SIMULATED_BLANKS } from '../../kiosk/host/devices.ts';

let kiosk: SpawnedHost;
let browser: Browser;
let pageUrl: string;

async function arrive(page: Page, screen: ScreenId, timeout = 30_000): Promise<void> {
  await page.locator(`.kiosk[data-screen="${screen}"]`).waitFor({ timeout });
}

/** Nothing wider than the screen either (the shared check looks at the height). */
async function overflow(page: Page): Promise<number> {
  return Number(
    await page.evaluate(
      `(() => { const s = document.querySelector('.resident .screen'); return s ? s.scrollWidth - s.clientWidth : 0; })()`,
    ),
  );
}

/** A person at the kiosk: checks each screen reached and keeps the problems, to list them all at once. */
class Visit {
  readonly problems: string[] = [];
  #shot = 0;

  constructor(
    readonly page: Page,
    readonly lang: Language,
    readonly orientation: Orientation,
    readonly name: string,
  ) {}

  text(key: MessageKey, params?: Record<string, string | number>): string {
    return formatMessage(catalogues[this.lang][key], params);
  }

  async screen(screen: ScreenId, options: { voice?: boolean } = {}): Promise<void> {
    const { page } = this;
    await arrive(page, screen);
    const label = `${String(++this.#shot).padStart(2, '0')}-${screen}`;
    if (options.voice !== false) {
      try {
        await waitForVoice(page, voicePromptFor({ screen, failure: null }, false), this.lang);
      } catch (error) {
        this.problems.push(`${label}: ${(error as Error).message}`);
      }
    }
    for (const orientation of [
      this.orientation,
      this.orientation === 'portrait' ? 'landscape' : 'portrait',
    ] as const) {
      await page.setViewportSize(ORIENTATIONS[orientation]);
      for (const violation of await axeViolations(page))
        this.problems.push(`${label} ${orientation}: axe ${violation}`);
      for (const p of await legibilityProblems(page))
        this.problems.push(`${label} ${orientation}: ${p.what} "${p.text}" is ${p.px}px`);
      const wide = await overflow(page);
      if (wide > 1) this.problems.push(`${label} ${orientation}: ${wide}px wider than the screen`);
      await screenshot(page, `modes/${this.name}/${orientation}/${label}.png`);
    }
    await page.setViewportSize(ORIENTATIONS[this.orientation]);
  }

  async press(key: MessageKey, params?: Record<string, string | number>): Promise<void> {
    await this.page.getByRole('button', { name: this.text(key, params), exact: true }).click();
  }

  /** A button of the simulator strip (bilingual label). */
  async sim(
    key: MessageKey,
    params: { zh?: Record<string, string>; en?: Record<string, string> } = {},
  ): Promise<void> {
    const label = `${formatMessage(catalogues['zh-CN'][key], params.zh)} / ${formatMessage(catalogues.en[key], params.en)}`;
    const button = this.page.getByRole('button', { name: label, exact: true });
    if ((await button.count()) === 0)
      await this.page.getByRole('button', { name: /^更多模拟 \/ More simulation$/ }).click();
    await button.click();
  }

  async insertCard(kind: keyof typeof SIM_STAFF_CARDS): Promise<void> {
    await this.sim('sim.placeStaffCard', {
      zh: { kind: catalogues['zh-CN'][`sim.card.${kind}`] },
      en: { kind: catalogues.en[`sim.card.${kind}`] },
    });
  }

  /** A clerk's staff card in, its PIN typed: on the staff home page. */
  async logInAsClerk(): Promise<void> {
    await this.insertCard('staff');
    await arrive(this.page, 'modePin');
    await this.typePin(SIM_STAFF_CARDS.staff.pin);
    await arrive(this.page, 'staffHome');
  }

  async typePin(pin: string): Promise<void> {
    const pad = this.page.getByRole('group', { name: this.text('mode.keypad') });
    for (const digit of pin) await pad.getByRole('button', { name: digit, exact: true }).click();
    await pad.getByRole('button', { name: this.text('mode.ok'), exact: true }).click();
  }

  /** Waits for the status line an operation leaves. */
  async result(key: MessageKey, params?: Record<string, string | number>): Promise<void> {
    await this.page
      .getByRole('status')
      .filter({ hasText: this.text(key, params) })
      .waitFor({ timeout: 60_000 });
  }
}

async function openPage(lang: Language, orientation: Orientation) {
  const page = await browser.newPage({ viewport: ORIENTATIONS[orientation] });
  const log = watchPage(page);
  await page.goto(pageUrl);
  await arrive(page, 'attract');
  // The kiosk keeps the language the last person chose until a resident session ends.
  const shown = (await page.locator('html').getAttribute('lang')) as Language;
  if (shown !== lang) {
    await page.getByRole('button', { name: catalogues[shown]['lang.switchTo'] }).click();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(lang);
  }
  return { page, log };
}

/** Whatever a failed test left: no mode, no card in any reader, no fault. */
async function leaveNothingBehind(): Promise<void> {
  const bridge = await connectBridge(kiosk);
  try {
    bridge.send({ type: 'event', event: { type: 'MODE_EXIT' } });
    for (const action of ['removeStaffCard', 'removeIdCard', 'clearFaults'] as const)
      bridge.send({ type: 'sim', sim: { action } });
    await bridge.waitForScreen('attract', 30_000).catch(() => {});
  } finally {
    bridge.close();
  }
}

function audit() {
  const records = openRecordsReadOnly(kiosk.dataDir);
  try {
    return records.audit.entries();
  } finally {
    records.close();
  }
}

/** The stock ledger as the records say now (a read-only snapshot; the host keeps writing). */
function ledger() {
  const records = openRecordsReadOnly(kiosk.dataDir);
  try {
    return { unresolved: records.ledger.unresolved(), entries: records.ledger.entries() };
  } finally {
    records.close();
  }
}

const run = chromiumAvailable() ? describe : describe.skip;

run('staff and technicians at the kiosk, in Chromium', () => {
  beforeAll(async () => {
    rmSync(path.join(ARTIFACTS, 'modes'), { recursive: true, force: true });
    await ensureBuilt();
    // The default hopper (100) with the simulated printer's 50 blanks: a simulated box of 50 fits.
    kiosk = await spawnHost();
    pageUrl = `${kiosk.origin}/#token=${kiosk.token}`;
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await kiosk?.stop();
  });

  it('lets a clerk with a staff card and its PIN load a box of blank cards (zh-CN, portrait)', async () => {
    const { page, log } = await openPage('zh-CN', 'portrait');
    const visit = new Visit(page, 'zh-CN', 'portrait', 'staff-load');
    try {
      await visit.insertCard('staff');
      await visit.screen('modePin');
      await visit.typePin(SIM_STAFF_CARDS.staff.pin);
      await visit.screen('staffHome');
      await visit.press('staffHome.load');
      await visit.screen('staffLoad');
      await visit.sim('sim.scanBoxLabel');
      await page.getByText(visit.text('staffLoad.scanned')).waitFor();
      const batch = await page.locator('#load-batch').inputValue();
      expect(await page.locator('#load-count').inputValue()).toBe('50');
      await visit.press('staffLoad.record');
      await arrive(page, 'staffHome');
      await visit.result('result.loaded', { batch, count: 50, inHopper: SIMULATED_BLANKS + 50 });
      await visit.screen('staffHome', { voice: false });
      expect(
        audit().find((a) => a.action === 'stock.load' && a.actor === 'staff:S0001')?.detail,
      ).toMatchObject({ batch, count: 50 });
      await visit.press('mode.exit');
      await arrive(page, 'attract');
      await visit.sim('sim.removeStaffCard');
      expect(visit.problems).toEqual([]);
      expect(log.messages).toEqual([]);
    } finally {
      await page.close();
      await leaveNothingBehind();
    }
  });

  it('refuses a forged and a revoked staff card, saying why, without asking for a PIN (en, landscape)', async () => {
    const { page, log } = await openPage('en', 'landscape');
    const visit = new Visit(page, 'en', 'landscape', 'refused');
    try {
      for (const kind of ['forged', 'revoked'] as const) {
        await visit.insertCard(kind);
        await visit.screen('modeRefused');
        await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe(
          visit.text(`modeRefused.${kind}.title`),
        );
        expect(await page.getByRole('group', { name: visit.text('mode.keypad') }).count()).toBe(0);
        await visit.press('mode.back');
        await arrive(page, 'attract');
        await visit.sim('sim.removeStaffCard');
      }
      expect(
        audit()
          .filter((a) => a.action === 'mode.refused')
          .map((a) => a.detail.reason),
      ).toEqual(['forged', 'revoked']);
      expect(visit.problems).toEqual([]);
      expect(log.messages).toEqual([]);
    } finally {
      await page.close();
      await leaveNothingBehind();
    }
  });

  it("refuses a staff card while a resident's card is being produced, and the resident's screen stays", async () => {
    const { page, log } = await openPage('zh-CN', 'portrait');
    const observer = await connectBridge(kiosk);
    try {
      await page.getByRole('button', { name: /^补办社保卡/ }).click();
      await arrive(page, 'identify');
      observer.send({ type: 'sim', sim: { action: 'placeIdCard' } });
      await arrive(page, 'verifying');
      const take = page.getByRole('button', { name: catalogues['zh-CN']['verifying.take'] });
      await expect.poll(() => take.isEnabled(), { timeout: 15_000 }).toBe(true);
      await take.click();
      await arrive(page, 'confirm');
      await page.getByRole('button', { name: catalogues['zh-CN']['confirm.confirm'] }).click();
      await arrive(page, 'producing');
      observer.send({ type: 'sim', sim: { action: 'placeStaffCard', kind: 'staff' } });
      await expect
        .poll(() =>
          audit().some((a) => a.action === 'mode.refused' && a.detail.reason === 'residentSession'),
        )
        .toBe(true);
      expect(await page.locator('.kiosk').getAttribute('data-screen')).toBe('producing');
      await screenshot(page, 'modes/during-production/portrait/producing-with-staff-card.png');
      // The resident finishes; the card left in opens nothing until it is taken out and put back.
      await arrive(page, 'collect', 60_000);
      observer.send({ type: 'sim', sim: { action: 'takeCard' } });
      await arrive(page, 'takeIdCard', 60_000);
      observer.send({ type: 'sim', sim: { action: 'removeIdCard' } });
      await arrive(page, 'attract');
      expect(observer.view()?.mode ?? null).toBeNull();
      observer.send({ type: 'sim', sim: { action: 'removeStaffCard' } });
      expect(log.messages).toEqual([]);
    } finally {
      observer.close();
      await page.close();
      await leaveNothingBehind();
    }
  });

  it('lets a technician run every self-test on the simulated devices and print the readiness report (en, landscape)', async () => {
    const { page, log } = await openPage('en', 'landscape');
    const visit = new Visit(page, 'en', 'landscape', 'technician');
    try {
      await visit.insertCard('technician');
      await visit.screen('modePin', { voice: false });
      await visit.typePin(SIM_STAFF_CARDS.technician.pin);
      await visit.screen('technicianHome');
      // Live status: a cover opened now shows without a reload.
      await visit.sim('sim.fault.card-printer.coverOpen');
      const printerState = page
        .getByRole('row', { name: new RegExp(`^${visit.text('device.card-printer')}`) })
        .locator('.device-state');
      await expect
        .poll(() => printerState.innerText())
        .toBe(`${visit.text('deviceState.fault')} · coverOpen`);
      await visit.screen('technicianHome', { voice: false });
      await visit.sim('sim.clearFaults');
      await expect.poll(() => printerState.innerText()).toBe(visit.text('deviceState.ready'));

      await visit.press('technicianHome.tests');
      await visit.screen('technicianTests');
      const helpers: Partial<Record<SelfTestId, () => Promise<void>>> = {
        idReader: () => visit.sim('sim.placeIdCard'),
        scanner: () => visit.sim('sim.scanPaid'),
      };
      for (const test of selfTestIds) {
        await visit.press(`selfTest.${test}.name`);
        await helpers[test]?.();
        const row = page
          .getByRole('listitem')
          .filter({
            has: page.getByRole('button', {
              name: visit.text(`selfTest.${test}.name`),
              exact: true,
            }),
          });
        await row
          .getByText(visit.text('testState.pass'), { exact: true })
          .or(row.getByText(visit.text('testState.fail'), { exact: true }))
          .waitFor({ timeout: 60_000 });
        expect(
          await row.getByText(visit.text('testState.pass'), { exact: true }).count(),
          test,
        ).toBe(1);
      }
      await visit.screen('technicianTests', { voice: false });
      await visit.sim('sim.removeIdCard');
      await visit.press('mode.back');
      await arrive(page, 'technicianHome');
      await visit.press('technicianHome.printReadiness');
      await visit.result('result.reportPrinted');
      await visit.screen('technicianHome', { voice: false });
      expect(
        audit()
          .filter((a) => a.action === 'selftest.run')
          .map((a) => [a.detail.test, a.detail.pass]),
      ).toEqual(selfTestIds.map((t) => [t, true]));
      expect(audit().find((a) => a.action === 'report.readiness')).toMatchObject({
        actor: 'technician:T0001',
        detail: { output: 'print', ok: true },
      });
      await visit.press('mode.exit');
      await arrive(page, 'attract');
      await visit.sim('sim.removeStaffCard');
      expect(visit.problems).toEqual([]);
      expect(log.messages).toEqual([]);
    } finally {
      await page.close();
      await leaveNothingBehind();
    }
  });

  it('lets a clerk resolve the stock discrepancy that keeps residents away, and the kiosk serves again (zh-CN, landscape)', async () => {
    const { page, log } = await openPage('zh-CN', 'landscape');
    const visit = new Visit(page, 'zh-CN', 'landscape', 'staff-todo');
    try {
      // The printer says its hopper is empty while the ledger says it holds blanks: the resident's
      // pre-flight check writes the discrepancy down, and residents are kept away from then on.
      await visit.sim('sim.fault.card-printer.feederEmpty');
      await page.getByRole('button', { name: /^补办社保卡/ }).click();
      await arrive(page, 'identify');
      await visit.sim('sim.placeIdCard');
      await arrive(page, 'verifying');
      const take = page.getByRole('button', { name: visit.text('verifying.take') });
      await expect.poll(() => take.isEnabled(), { timeout: 15_000 }).toBe(true);
      await take.click();
      await arrive(page, 'failed', 60_000);
      await visit.press('failed.back');
      await arrive(page, 'takeIdCard');
      await visit.sim('sim.removeIdCard');
      await arrive(page, 'outOfService');
      const [open] = ledger().unresolved;
      expect(open).toMatchObject({ reason: 'hopperEmptySignal' });
      // The clerk refills the hopper (the printer no longer says it is empty).
      await visit.sim('sim.clearFaults');

      await visit.logInAsClerk();
      await page.getByText(visit.text('staffHome.todoCount', { n: 1 }), { exact: true }).waitFor();
      await visit.press('staffHome.todo');
      await visit.screen('staffTodo');
      await page.getByText(visit.text('discrepancy.hopperEmptySignal'), { exact: true }).waitFor();
      await visit.press('staffTodo.resolve');
      // Why: a few preset reasons, nothing to type.
      await page.getByText(visit.text('staffTodo.why'), { exact: true }).waitFor();
      await visit.screen('staffTodo', { voice: false });
      await visit.press('resolveReason.countedCorrected');
      await visit.result('result.backInService');
      await page.getByText(visit.text('staffTodo.empty'), { exact: true }).waitFor();
      await visit.screen('staffTodo', { voice: false });

      expect(ledger().unresolved).toEqual([]);
      expect(ledger().entries.find((e) => e.kind === 'resolved')).toMatchObject({
        refersTo: open!.seq,
        reason: 'countedCorrected',
        actor: 'staff:S0001',
      });
      expect(audit().find((a) => a.action === 'stock.resolve')).toMatchObject({
        actor: 'staff:S0001',
        detail: { discrepancy: open!.seq, note: 'countedCorrected' },
      });

      await visit.press('mode.back');
      await arrive(page, 'staffHome');
      expect(await page.getByText(visit.text('staffHome.todoCount', { n: 1 })).count()).toBe(0);
      await visit.press('mode.exit');
      // In service again as soon as the clerk leaves: the start button, not "out of service".
      await arrive(page, 'attract');
      await visit.sim('sim.removeStaffCard');
      expect(visit.problems).toEqual([]);
      expect(log.messages).toEqual([]);
    } finally {
      await page.close();
      await leaveNothingBehind();
    }
  });

  it('lets a clerk count the blanks in the hopper: the count matches the records (zh-CN, portrait)', async () => {
    const { page, log } = await openPage('zh-CN', 'portrait');
    const visit = new Visit(page, 'zh-CN', 'portrait', 'staff-count');
    try {
      const records = openRecordsReadOnly(kiosk.dataDir);
      const expected = records.ledger.balance().inHopper;
      records.close();
      await visit.logInAsClerk();
      await visit.press('staffHome.count');
      await visit.screen('staffCount');
      await page.getByText(visit.text('staffCount.expected', { n: expected }), { exact: true }).waitFor();
      const pad = page.getByRole('group', { name: visit.text('mode.keypad') });
      for (const digit of String(expected))
        await pad.getByRole('button', { name: digit, exact: true }).click();
      expect(await page.locator('#hopper-counted').inputValue()).toBe(String(expected));
      await visit.press('staffCount.record');
      await arrive(page, 'staffHome');
      await visit.result('result.countMatches', { counted: expected });
      await visit.screen('staffHome', { voice: false });
      expect(audit().filter((a) => a.action === 'stock.count').at(-1)).toMatchObject({
        actor: 'staff:S0001',
        detail: { counted: expected, discrepancy: null },
      });
      expect(ledger().unresolved).toEqual([]);
      await visit.press('mode.exit');
      await arrive(page, 'attract');
      await visit.sim('sim.removeStaffCard');
      expect(visit.problems).toEqual([]);
      expect(log.messages).toEqual([]);
    } finally {
      await page.close();
      await leaveNothingBehind();
    }
  });

  it('blocks a staff card after three wrong PINs, saying how many tries are left (zh-CN, landscape)', async () => {
    const { page, log } = await openPage('zh-CN', 'landscape');
    const visit = new Visit(page, 'zh-CN', 'landscape', 'blocked');
    try {
      await visit.insertCard('staff');
      await arrive(page, 'modePin');
      await page.getByText(visit.text('modePin.triesLeft', { n: 3 })).waitFor();
      for (const left of [2, 1]) {
        await visit.typePin('000000');
        await page.getByText(visit.text('modePin.wrong', { n: left })).waitFor();
      }
      await visit.screen('modePin', { voice: false });
      await visit.typePin('000000');
      await visit.screen('modeRefused');
      await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe(
        visit.text('modeRefused.blocked.title'),
      );
      // Out and in again: still blocked, even before a PIN is asked.
      await visit.sim('sim.removeStaffCard');
      await arrive(page, 'attract');
      await visit.insertCard('staff');
      await arrive(page, 'modeRefused');
      await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe(
        visit.text('modeRefused.blocked.title'),
      );
      await visit.sim('sim.removeStaffCard');
      await arrive(page, 'attract');
      expect(visit.problems).toEqual([]);
      expect(log.messages).toEqual([]);
      // The PINs typed are nowhere in what the host printed (a longer number may contain the digits).
      expect(kiosk.output()).not.toMatch(/(?<!\d)000000(?!\d)/);
    } finally {
      await page.close();
      await leaveNothingBehind();
    }
  });
});
