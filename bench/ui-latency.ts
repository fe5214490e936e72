/**
 * UI latency (issue 12): from a device event — the ID card placed, the new card taken, the ID card
 * taken away — to the next screen painted in Chromium (Debian's, with the kiosk shell's switches).
 *
 * The host runs in this process on the simulated devices (printer moves instant, its card-taken
 * poll and the ID reader's poll at their service rates); the UI is the built one (dist/ui), served
 * by the host and talking over the bridge. A simulated resident acts through a second bridge client,
 * as the simulator panel does. Three instants per screen change, on one clock
 * (performance.timeOrigin + performance.now(), in Node and in the page):
 *   - the device event (the resident's action sent),
 *   - the host sending the new view (its bridge broadcast),
 *   - the screen painted: the page's MutationObserver sees `data-screen` change, then the first
 *     animation frame after it, then a task after that frame (the frame has been produced).
 * UI latency = painted − sent by the host; the device-event figure adds the device's polling and
 * work. Never passes or fails.
 *
 *   npx tsx bench/ui-latency.ts [--short 40] [--journeys 8]
 */
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { chromiumArgs } from '../kiosk/shell/policy.ts';
import { onBroadcast, startBenchKiosk } from './lib/bench-kiosk.ts';
import {
  footer,
  header,
  headline,
  median,
  ms,
  p95,
  quantile,
  table,
  type Headline,
} from './lib/report.ts';
import { Resident, residentFor, type ResidentAction } from './lib/resident.ts';
import { ensureUiBuilt } from './lib/ui-build.ts';

const { values } = parseArgs({
  options: {
    short: { type: 'string', default: '40' },
    journeys: { type: 'string', default: '8' },
  },
});
const SHORT = Number(values.short);
const JOURNEYS = Number(values.journeys);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TARGET_P95 = 100;

header('UI latency: device event → next screen painted in Chromium');
if (!existsSync(CHROMIUM)) {
  console.log(`skipped: no Chromium at ${CHROMIUM} (sudo apt-get install chromium fonts-noto-cjk)`);
  footer();
  process.exit(0);
}
await ensureUiBuilt();

const epoch = () => performance.timeOrigin + performance.now();

/** Runs in the page before its own scripts: times each bridge message's arrival and each screen's paint. */
const PAGE_PROBE = `(() => {
  const now = () => performance.timeOrigin + performance.now();
  const bench = { messages: [], paints: [] };
  window.__bench = bench;
  const Real = window.WebSocket;
  function Probed(url, protocols) {
    const socket = new Real(url, protocols);
    socket.addEventListener('message', (event) => {
      const at = now();
      try {
        const message = JSON.parse(event.data);
        if (message.type === 'view') bench.messages.push({ screen: message.view.screen, at });
      } catch {}
    });
    return socket;
  }
  Probed.prototype = Real.prototype;
  for (const k of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) Probed[k] = Real[k];
  window.WebSocket = Probed;
  let shown = null;
  const look = () => {
    const element = document.querySelector('.kiosk[data-screen]');
    const screen = element ? element.getAttribute('data-screen') : null;
    if (!screen || screen === shown) return;
    shown = screen;
    const record = { screen, mutatedAt: now(), frameAt: 0, paintedAt: 0, superseded: false };
    bench.paints.push(record);
    requestAnimationFrame(() => {
      record.frameAt = now();
      record.superseded = shown !== screen;
      const channel = new MessageChannel();
      channel.port1.onmessage = () => { record.paintedAt = now(); };
      channel.port2.postMessage(0);
    });
  };
  new MutationObserver(look).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-screen'] });
})();`;

interface Sent {
  screen: string;
  at: number;
}
interface Action {
  action: ResidentAction | 'START' | 'CANCEL';
  at: number;
}
interface PageRecords {
  messages: { screen: string; at: number }[];
  paints: {
    screen: string;
    mutatedAt: number;
    frameAt: number;
    paintedAt: number;
    superseded: boolean;
  }[];
}

// moveMs 1: printer moves take a millisecond but its card-taken poll runs at the service rate;
// the receipt screen stays 300 ms (5 s in service) so it is painted before the next one.
const kiosk = await startBenchKiosk({ moveMs: 1, receiptShownMs: 300 });
const sent: Sent[] = [];
let lastScreen = '';
const offBroadcast = onBroadcast((view) => {
  if (view.screen === lastScreen) return;
  lastScreen = view.screen;
  sent.push({ screen: view.screen, at: epoch() });
});
const actions: Action[] = [];
const note = (action: Action['action']) => actions.push({ action, at: epoch() });

const browser = await chromium.launch({
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
    '--mute-audio',
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
  ],
});
const page = await browser.newPage({ viewport: { width: 1080, height: 1920 } });
await page.addInitScript(PAGE_PROBE);
await page.goto(kiosk.host.uiUrl);
await page.locator('.kiosk[data-screen="attract"]').waitFor({ timeout: 30_000 });

const resident = await Resident.connect(kiosk.host.origin, kiosk.host.token);
const onScreen = (screen: string) => resident.waitFor((v) => v.screen === screen);
/** The resident's moment: the device's poll meets the event at a random phase. */
const moment = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 300));
/** Lets the page paint what it was sent before the next action. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 120));

// Short visits: START, place the ID card, then leave (CANCEL → take the ID card away).
for (let i = 0; i < SHORT; i++) {
  const person = residentFor(500 + i);
  note('START');
  resident.event('START');
  await onScreen('identify');
  await moment();
  note('placeIdCard');
  resident.sim({ action: 'placeIdCard', person });
  await onScreen('verifying');
  await settle();
  note('CANCEL');
  resident.event('CANCEL');
  await onScreen('takeIdCard');
  await moment();
  note('removeIdCard');
  resident.sim({ action: 'removeIdCard' });
  await onScreen('attract');
  await settle();
}
// Whole journeys: the new card taken too.
for (let i = 0; i < JOURNEYS; i++) {
  await resident.journey({
    person: residentFor(600 + i),
    cardFirst: false,
    snapshot: () => 0,
    think: (action) =>
      action === 'placeIdCard' || action === 'takeCard' || action === 'removeIdCard'
        ? Math.random() * 300
        : action === 'photo'
          ? 150
          : 0,
    onAction: note,
  });
  await settle();
}

const records = (await page.evaluate('window.__bench')) as PageRecords;
offBroadcast();
await resident.close();
await browser.close();
await kiosk.stop();

// Match each screen the host sent with the page's paint of it (the first after the send).
interface Change {
  screen: string;
  sentAt: number;
  arrivedAt: number | null;
  paintedAt: number | null;
  superseded: boolean;
}
const changes: Change[] = [];
/** A page record of `screen` at or after the send (a few ms of slack for the two clocks), before the same screen is sent again. */
const SLACK_MS = 5;
sent.forEach((s, index) => {
  const until = sent.slice(index + 1).find((n) => n.screen === s.screen)?.at ?? Infinity;
  const arrived = records.messages.find(
    (m) => m.screen === s.screen && m.at >= s.at - SLACK_MS && m.at < until,
  );
  const paint = records.paints.find(
    (p) => p.screen === s.screen && p.mutatedAt >= s.at - SLACK_MS && p.mutatedAt < until,
  );
  changes.push({
    screen: s.screen,
    sentAt: s.at,
    arrivedAt: arrived ? arrived.at : null,
    paintedAt: paint && paint.paintedAt > 0 ? paint.paintedAt : null,
    superseded: paint?.superseded ?? true,
  });
});
const painted = changes.filter((c) => c.paintedAt !== null && !c.superseded);
const uiLatency = painted.map((c) => c.paintedAt! - c.sentAt);
const transit = changes.filter((c) => c.arrivedAt !== null).map((c) => c.arrivedAt! - c.sentAt);
const render = painted.filter((c) => c.arrivedAt !== null).map((c) => c.paintedAt! - c.arrivedAt!);

/** A device event's screen: the first screen sent after the action, and its paint. */
const EVENT_SCREENS: Partial<Record<Action['action'], { label: string; screens: string[] }>> = {
  placeIdCard: {
    label: 'ID card placed → ID read → verifying screen',
    screens: ['verifying', 'failed'],
  },
  takeCard: { label: 'new card taken → receipt screen', screens: ['receipt'] },
  removeIdCard: { label: 'ID card taken away → attract screen', screens: ['attract'] },
};
const rows: (string | number)[][] = [];
const eventHeadlines: Headline[] = [];
for (const [action, { label, screens }] of Object.entries(EVENT_SCREENS) as [
  Action['action'],
  { label: string; screens: string[] },
][]) {
  const toPaint: number[] = [];
  const toSend: number[] = [];
  const sendToPaint: number[] = [];
  for (const a of actions.filter((x) => x.action === action)) {
    const change = changes.find((c) => c.sentAt >= a.at && screens.includes(c.screen));
    if (!change || change.paintedAt === null) continue;
    toPaint.push(change.paintedAt - a.at);
    toSend.push(change.sentAt - a.at);
    sendToPaint.push(change.paintedAt - change.sentAt);
  }
  rows.push([
    label,
    toPaint.length,
    ms(median(toSend)),
    ms(median(sendToPaint)),
    ms(p95(sendToPaint)),
    ms(median(toPaint)),
    ms(p95(toPaint)),
  ]);
  eventHeadlines.push({
    figure: `${label}: event → painted, median / p95 (device time included)`,
    value: `${ms(median(toPaint))} / ${ms(p95(toPaint))}`,
  });
}

console.log(
  `${SHORT} short visits (START, ID card, leave) and ${JOURNEYS} whole journeys; ${changes.length} screen changes sent, ${painted.length} painted (the others replaced before a frame)`,
);
console.log(
  table(
    ['UI latency, host sends the view → screen painted', 'n', 'median', 'p95', 'max'],
    [
      [
        `every screen change (target p95 ≤ ${TARGET_P95} ms)`,
        uiLatency.length,
        ms(median(uiLatency)),
        ms(p95(uiLatency)),
        ms(quantile(uiLatency, 1)),
      ],
      [
        '  of which: the bridge (host send → page receives)',
        transit.length,
        ms(median(transit), 2),
        ms(p95(transit), 2),
        ms(quantile(transit, 1), 2),
      ],
      [
        '  of which: React render + frame (page receives → painted)',
        render.length,
        ms(median(render)),
        ms(p95(render)),
        ms(quantile(render, 1)),
      ],
    ],
  ),
);
console.log(
  '\nby device event (device time included: the reader polls every 100 ms and reads 1.3 kB at 115 200 baud; the printer looks for the card every 100 ms):',
);
console.log(
  table(
    [
      'device event',
      'n',
      'event → host sends (median)',
      'send → painted (median)',
      'send → painted (p95)',
      'event → painted (median)',
      'event → painted (p95)',
    ],
    rows,
  ),
);
console.log(
  "(the resident waited a random 0–300 ms before each device event, so the devices' polls met it at a random phase)",
);
headline('ui-latency', [
  {
    figure: 'UI latency, host sends the view → screen painted in Chromium, median / p95',
    value: `${ms(median(uiLatency))} / ${ms(p95(uiLatency))}`,
    target: `p95 ≤ ${TARGET_P95} ms`,
  },
  ...eventHeadlines,
]);
footer();
