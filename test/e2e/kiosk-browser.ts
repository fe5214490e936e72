/**
 * What the end-to-end tests share: Debian's Chromium launched as the kiosk shell configures its
 * engine, the UI build, and the checks every screen must pass — axe-core (zero violations), type
 * size and touch targets, the voice clip loaded and playing — plus a screenshot per screen.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { AxeResults } from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Language } from '../../kiosk/bridge/protocol.ts';
import { chromiumArgs } from '../../kiosk/shell/policy.ts';
import { voiceFileStem, type VoicePromptId } from '../../kiosk/ui/voice/prompts.ts';
import { REPO_ROOT } from './build-once.ts';

export { ensureBuilt, REPO_ROOT } from './build-once.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts/e2e');

/** The two common kiosk screens, at 1080p. */
export const ORIENTATIONS = {
  portrait: { width: 1080, height: 1920 },
  landscape: { width: 1920, height: 1080 },
} as const;
export type Orientation = keyof typeof ORIENTATIONS;

/** The floor for a resident reading alone: body text at 1080p, and fingers. */
export const MIN_TEXT_PX = 24;
export const MIN_TARGET_PX = 64;

/** Whether the Chromium tests can run here; on a laptop without Chromium they skip (CI fails). */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  const message = `Chromium not found at ${CHROMIUM}: install it with "sudo apt-get install chromium fonts-noto-cjk" (npm test does this itself as root)`;
  if (process.env.CI) throw new Error(message);
  console.warn(`skipping the end-to-end test: ${message}`);
  return false;
}

/** Chromium with the kiosk shell's own switches (autoplay without a tap, no pinch zoom). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      ...chromiumArgs(),
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // No sound card on a test machine: the audio pipeline still runs (and reports playing).
      '--mute-audio',
      // Chromium's own fake camera (a moving test pattern), and no permission prompt: the kiosk
      // shell grants the camera to the host's page (policy.ts) and refuses everything else.
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
    ],
  });
}

/**
 * Collects what the page says on its console and every CSP violation: a kiosk page has nothing
 * to say (and must never print a resident's data), and a CSP violation is a broken feature.
 */
export function watchPage(page: Page): { messages: string[] } {
  const messages: string[] = [];
  page.on('console', (message) => messages.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => messages.push(`pageerror: ${error.message}`));
  return { messages };
}

// ---------------------------------------------------------------------------------------------
// Checks run on every screen.

const axeSource = readFileSync(path.join(REPO_ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');

/**
 * axe-core on the whole page, WCAG 2.x A/AA/AAA-contrast and best practices. The script is
 * evaluated over the DevTools protocol, so the page's CSP (no inline scripts) stays as it is.
 * Returns the violations, each as "rule: target (summary)" for a readable failure.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  const loaded = await page.evaluate('typeof window.axe === "object"');
  if (!loaded) await page.evaluate(axeSource);
  const results = (await page.evaluate(`window.axe.run(document, {
    resultTypes: ['violations'],
    rules: { 'color-contrast-enhanced': { enabled: true } },
  })`)) as AxeResults;
  return results.violations.flatMap((violation) =>
    violation.nodes.map(
      (node) =>
        `${violation.id}: ${node.target.join(' ')} (${node.failureSummary?.split('\n')[1]?.trim() ?? violation.help})`,
    ),
  );
}

export interface LegibilityProblem {
  what: string;
  text: string;
  px: number;
}

/**
 * Every visible text of the resident's screen (and the idle prompt) at least MIN_TEXT_PX, every
 * button at least MIN_TARGET_PX each way, and the screen fits without scrolling. The simulator strip stands in for hardware and is not
 * checked. Meant for 1080p windows (the theme scales type with the screen's short side).
 */
export async function legibilityProblems(
  page: Page,
  roots = '.resident, .overlay',
): Promise<LegibilityProblem[]> {
  return page.evaluate(`(() => {
    const problems = [];
    const roots = [...document.querySelectorAll(${JSON.stringify(roots)})];
    for (const root of roots) {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent.trim();
        const element = node.parentElement;
        if (!text || !element || element.closest('.visually-hidden')) continue;
        if (element.getClientRects().length === 0) continue;
        const px = parseFloat(getComputedStyle(element).fontSize);
        if (px < ${MIN_TEXT_PX}) problems.push({ what: 'text', text: text.slice(0, 40), px });
      }
      for (const button of root.querySelectorAll('button')) {
        const box = button.getBoundingClientRect();
        const px = Math.min(box.width, box.height);
        if (px < ${MIN_TARGET_PX}) problems.push({ what: 'button', text: button.textContent.trim().slice(0, 40), px });
      }
    }
    // Nothing below the fold: a resident does not know to scroll.
    const screen = document.querySelector('.resident .screen');
    if (screen && screen.scrollHeight > screen.clientHeight + 1) {
      problems.push({ what: 'scrolling screen', text: screen.className, px: screen.scrollHeight - screen.clientHeight });
    }
    return problems;
  })()`);
}

export interface VoiceReport {
  prompt: string | null;
  src: string;
  readyState: number;
  state: string | null;
  played: number;
  duration: number;
  error: number | null;
}

/** The voice element's state as the page sees it (null when no clip is on the page). */
export async function voiceReport(page: Page): Promise<VoiceReport | null> {
  return page.evaluate(`(() => {
    const audio = document.querySelector('audio[data-voice]');
    if (!audio) return null;
    return {
      prompt: audio.dataset.voice ?? null,
      src: audio.currentSrc,
      readyState: audio.readyState,
      state: audio.dataset.voiceState ?? null,
      played: audio.played.length,
      duration: audio.duration,
      error: audio.error ? audio.error.code : null,
    };
  })()`);
}

/**
 * Waits until the clip of `prompt` in `lang` has loaded its source and is playing (or has played
 * to the end), and returns what the page reported. Throws with the last report otherwise.
 */
export async function waitForVoice(
  page: Page,
  prompt: VoicePromptId,
  lang: Language,
  timeoutMs = 10_000,
): Promise<VoiceReport> {
  const expectedSrc = `/voice/${lang}/${voiceFileStem(prompt)}.`;
  let last: VoiceReport | null = null;
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    last = await voiceReport(page);
    if (
      last &&
      last.prompt === prompt &&
      last.src.includes(expectedSrc) &&
      last.readyState >= 2 && // HAVE_CURRENT_DATA: the source loaded and decoded
      last.duration > 0.5 &&
      (last.state === 'playing' || last.state === 'ended') &&
      last.played > 0
    ) {
      return last;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`voice "${prompt}" (${lang}) did not load and play: ${JSON.stringify(last)}`);
}

export async function screenshot(page: Page, file: string): Promise<string> {
  const full = path.join(ARTIFACTS, file);
  mkdirSync(path.dirname(full), { recursive: true });
  // Animations frozen at their start, the text caret hidden: the same screen, the same picture.
  await page.screenshot({ path: full, animations: 'disabled', caret: 'hide' });
  return full;
}
