/**
 * What the resident-journey walks in Chromium share: a kiosk started as `npm start` starts it, a
 * second bridge client that watches the views and acts as the devices, and a Walk that checks each
 * screen it reaches (screenshot, voice, axe, legibility, both orientations).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import WebSocket from 'ws';
import {
  BRIDGE_SUBPROTOCOL,
  ClientMessage,
  ServerMessage,
  TOKEN_SUBPROTOCOL_PREFIX,
  type Language,
  type ScreenId,
  type ViewModel,
} from '../../kiosk/bridge/protocol.ts';
import { catalogues, type MessageKey } from '../../kiosk/ui/i18n/messages.ts';
import { voicePromptFor, type VoicePromptId } from '../../kiosk/ui/voice/prompts.ts';
import {
  axeViolations,
  legibilityProblems,
  ORIENTATIONS,
  REPO_ROOT,
  screenshot,
  waitForVoice,
  type Orientation,
} from './kiosk-browser.ts';

/** A kiosk process started as `npm start` starts it; `url` carries the per-start secret. */
export interface StartedKiosk {
  url: string;
  output: () => string;
  stop: () => void;
}

/**
 * Starts the kiosk as `npm start` does (set-up, then `mashang start`), on its own port and data,
 * with the given timeouts (seconds) over those of kiosk.config.json.
 */
export async function startKioskLikeNpmStart(timeouts: Record<string, number>): Promise<StartedKiosk> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mashang-e2e-'));
  const config = JSON.parse(readFileSync(path.join(REPO_ROOT, 'kiosk.config.json'), 'utf8'));
  config.dataDir = path.join(dir, 'data');
  config.timeouts = { ...config.timeouts, ...timeouts };
  const configFile = path.join(dir, 'kiosk.config.json');
  writeFileSync(configFile, JSON.stringify(config));
  const env = { ...process.env };
  delete env.DISPLAY; // no Electron window: the kiosk serves its UI on 127.0.0.1, as on a server
  delete env.WAYLAND_DISPLAY;
  const kiosk = spawn('npm', ['start', '--silent', '--', '--config', configFile, '--port', '0'], {
    cwd: REPO_ROOT,
    env,
    detached: true,
  });
  let output = '';
  kiosk.stdout!.on('data', (d) => (output += d));
  kiosk.stderr!.on('data', (d) => (output += d));
  const stop = () => {
    if (kiosk.pid && kiosk.exitCode === null) process.kill(-kiosk.pid, 'SIGTERM');
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`kiosk did not print its address:\n${output}`)),
      240_000,
    );
    kiosk.stdout!.on('data', () => {
      const found = /(http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+)/.exec(output)?.[1];
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    kiosk.once('exit', (code) => reject(new Error(`kiosk exited with ${code}:\n${output}`)));
  });
  return { url, output: () => output, stop };
}

/**
 * The host's views beside the browser (to know who the simulated resident was), and a second
 * authenticated client that can act as a device or a resident without touching the page.
 */
export async function observe(url: string) {
  const { origin, hash } = new URL(url);
  const token = new URLSearchParams(hash.slice(1)).get('token')!;
  const socket = new WebSocket(`${origin.replace('http', 'ws')}/bridge`, [
    BRIDGE_SUBPROTOCOL,
    TOKEN_SUBPROTOCOL_PREFIX + token,
  ]);
  const seen: ViewModel[] = [];
  socket.on('message', (data) => {
    const message = ServerMessage.parse(JSON.parse(data.toString()));
    if (message.type === 'view') seen.push(message.view);
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return {
    seen,
    send: (message: ClientMessage) => socket.send(JSON.stringify(ClientMessage.parse(message))),
    close: () => socket.close(),
  };
}

export type Observer = Awaited<ReturnType<typeof observe>>;

/**
 * Brings the kiosk back to attract whatever a previous (failed) test left: the next test starts
 * where a resident would. Uses the bridge like a resident and the devices would.
 */
export async function backToAttract(observer: Observer): Promise<void> {
  const until = Date.now() + 60_000;
  for (;;) {
    const screen = observer.seen.at(-1)?.screen;
    if (screen === 'attract') return;
    if (Date.now() > until) throw new Error(`the kiosk did not get back to attract (on ${screen})`);
    if (screen === 'takeIdCard') observer.send({ type: 'sim', sim: { action: 'removeIdCard' } });
    else if (screen === 'collect') observer.send({ type: 'sim', sim: { action: 'takeCard' } });
    else if (screen === 'identify' || screen === 'confirm' || screen === 'failed') {
      observer.send({ type: 'event', event: { type: 'CANCEL' } });
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The screen as the page shows it. */
export async function screenOf(page: Page): Promise<string | null> {
  return page.locator('.kiosk').getAttribute('data-screen');
}

export async function arrive(page: Page, screen: ScreenId, timeout = 30_000): Promise<void> {
  await page.locator(`.kiosk[data-screen="${screen}"]`).waitFor({ timeout });
}

/**
 * One walk through the kiosk: checks each screen it reaches and keeps the problems, so a failure
 * lists all of them at once.
 */
export class Walk {
  readonly problems: string[] = [];
  #shot = 0;

  constructor(
    readonly page: Page,
    readonly lang: Language,
    readonly orientation: Orientation,
    readonly name: string,
  ) {}

  text(key: MessageKey): string {
    return catalogues[this.lang][key];
  }

  /**
   * Arrives at `screen` and checks it: screenshot first (a screen like the receipt moves on by
   * itself), then its voice, axe and legibility. A stable screen is also shot in the other
   * orientation.
   */
  async visit(
    screen: ScreenId,
    options: { stable?: boolean; voice?: VoicePromptId } = {},
  ): Promise<void> {
    const { page } = this;
    await arrive(page, screen);
    const label = `${String(++this.#shot).padStart(2, '0')}-${screen}`;
    await screenshot(page, `journey/${this.name}/${this.orientation}/${label}.png`);
    const voice = options.voice ?? voicePromptFor({ screen, failure: null }, false);
    try {
      await waitForVoice(page, voice, this.lang);
    } catch (error) {
      // A slow machine may have shown the idle prompt already: then that is what speaks.
      if ((await page.getByRole('dialog').count()) === 0)
        this.problems.push(`${label}: ${(error as Error).message}`);
    }
    for (const violation of await axeViolations(page))
      this.problems.push(`${label}: axe ${violation}`);
    for (const p of await legibilityProblems(page))
      this.problems.push(`${label}: ${p.what} "${p.text}" is ${p.px}px`);
    if (options.stable) {
      const other: Orientation = this.orientation === 'portrait' ? 'landscape' : 'portrait';
      await page.setViewportSize(ORIENTATIONS[other]);
      for (const violation of await axeViolations(page))
        this.problems.push(`${label} ${other}: axe ${violation}`);
      for (const p of await legibilityProblems(page))
        this.problems.push(`${label} ${other}: ${p.what} "${p.text}" is ${p.px}px`);
      await screenshot(page, `journey/${this.name}/${other}/${label}.png`);
      await page.setViewportSize(ORIENTATIONS[this.orientation]);
    }
  }

  /** Presses a button of the resident's screen, answering "are you still there?" first if it shows. */
  async press(key: MessageKey): Promise<void> {
    const { page } = this;
    if ((await page.getByRole('dialog').count()) > 0) {
      await page.getByRole('button', { name: this.text('idle.continue') }).click();
    }
    // The start button also carries its English name under the Chinese one: match the start.
    const name = new RegExp(`^${this.text(key).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
    await page.getByRole('button', { name }).click();
  }

  /** The simulator strip (bilingual labels; stands in for the resident's hands on the devices). */
  async device(
    key:
      'sim.placeIdCard' | 'sim.takeCard' | 'sim.removeIdCard' | 'sim.scanPaid' | 'sim.scanDeclined',
  ): Promise<void> {
    await this.page.getByRole('button', { name: simLabel(key) }).click();
  }

  /** A fault from the strip's folded part ("More simulation"), e.g. the next blank's dead chip. */
  async deviceFault(key: MessageKey): Promise<void> {
    await this.page.getByRole('button', { name: simLabel('sim.more') }).click();
    await this.page.getByRole('button', { name: simLabel(key) }).click();
  }
}

/** A simulator strip button's name: bilingual whatever the resident's language. */
function simLabel(key: MessageKey): string {
  return `${catalogues['zh-CN'][key]} / ${catalogues.en[key]}`;
}

/** Nothing of the resident in the page's title, URL, storage or console. */
export async function expectNoTrace(page: Page, log: { messages: string[] }, traces: string[]) {
  const title = await page.title();
  expect([catalogues['zh-CN']['app.title'], catalogues.en['app.title']]).toContain(title);
  const storage = String(
    await page.evaluate(
      'JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } })',
    ),
  );
  expect(Object.keys(JSON.parse(storage).session)).toEqual(['mashang.bridgeToken']);
  expect(JSON.parse(storage).local).toEqual({});
  for (const trace of traces) {
    expect(page.url()).not.toContain(trace);
    expect(storage).not.toContain(trace);
    for (const message of log.messages) expect(message).not.toContain(trace);
  }
}

