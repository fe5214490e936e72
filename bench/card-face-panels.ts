/**
 * What a card face costs on its way to the printer, in milliseconds (median and p90, warm): an
 * RGBA face separated into printer panels (KO: resin + overlay; YMCKO at 5, 6, 7 bits per dot),
 * the panels framed as Evolis `Db` downloads, and one whole card through the driver to the
 * in-process simulator (feed, download, print, eject). Also the bytes each ribbon sends and what
 * that takes on a serial line. Prints figures; never passes or fails on time.
 *
 *   npx tsx bench/card-face-panels.ts [iterations]
 */
import { CARD_HEIGHT_DOTS, CARD_WIDTH_DOTS } from '../printer-templates/card-face/card-geometry.ts';
import {
  CARD_DOTS,
  panelDownloads,
  panelsFromRaster,
  type CardFacePanels,
} from '../drivers/card-printer/card-panels.ts';
import { encodeEvolisCommand } from '../drivers/card-printer/evolis-command.ts';
import { EvolisCardPrinter } from '../drivers/card-printer/evolis-driver.ts';
import { EvolisSimulator } from '../drivers/card-printer/evolis-simulator.ts';
import { MemorySocket } from '../drivers/card-printer/line/memory-socket.ts';
import { ReconnectingLine } from '../drivers/serial/reconnecting-line.ts';

const iterations = Number(process.argv[2] ?? 30);
const WARMUP = 3;

async function measure(name: string, run: () => unknown | Promise<unknown>) {
  for (let i = 0; i < WARMUP; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(times.length * q))]!;
  console.log(
    `${name.padEnd(48)} median ${at(0.5).toFixed(2).padStart(8)} ms   p90 ${at(0.9).toFixed(2).padStart(8)} ms`,
  );
}

/** A face with what a real one has: black text strokes, a colour photo area, white elsewhere. */
function sampleFace(): { width: number; height: number; rgba: Uint8Array } {
  const rgba = new Uint8Array(CARD_DOTS * 4).fill(255);
  for (let y = 0; y < CARD_HEIGHT_DOTS; y++) {
    for (let x = 0; x < CARD_WIDTH_DOTS; x++) {
      const i = (y * CARD_WIDTH_DOTS + x) * 4;
      if (x >= 760 && x < 970 && y >= 150 && y < 430)
        rgba.set([(x * 7) & 0xff, (y * 5) & 0xff, ((x + y) * 3) & 0xff], i);
      else if (x >= 330 && x < 730 && y >= 260 && y < 420 && y % 40 < 24 && (x >> 2) % 3 !== 0)
        rgba.set([0, 0, 0], i);
    }
  }
  return { width: CARD_WIDTH_DOTS, height: CARD_HEIGHT_DOTS, rgba };
}

const face = sampleFace();
const wire = (panels: CardFacePanels) =>
  panelDownloads(panels).map(({ panel, level, data }) =>
    encodeEvolisCommand({ mnemonic: 'Db', params: [panel, level], data }),
  );
const bytesOf = (panels: CardFacePanels) => wire(panels).reduce((n, b) => n + b.length, 0);

const sim = new EvolisSimulator({ moveMs: 0, blanks: 1_000_000 });
const socket = new MemorySocket('card-printer', (port) => sim.attach(port));
const driver = new EvolisCardPrinter({
  line: new ReconnectingLine(socket.opener, { name: 'card-printer' }),
  transport: 'simulated',
  baudRate: Infinity,
  timeouts: { statusPollMs: 3_600_000 },
});
driver.start();
await driver.whenReady(2_000);
const signal = new AbortController().signal;
const ko = panelsFromRaster(face, { ribbon: 'KO' });

console.log(
  `card face (${CARD_WIDTH_DOTS} × ${CARD_HEIGHT_DOTS}) → printer panels, ${iterations} iterations (node ${process.version})`,
);
await measure('RGBA → KO panels (k + o)', () => panelsFromRaster(face, { ribbon: 'KO' }));
for (const bits of [5, 6, 7] as const)
  await measure(`RGBA → YMCKO panels (dye ${bits} bits)`, () =>
    panelsFromRaster(face, { ribbon: 'YMCKO', dyeBits: bits }),
  );
await measure('KO panels → Db commands (wire bytes)', () => wire(ko));
await measure('one KO card via driver → in-process simulator', async () => {
  if (!(await driver.feedToContactStation(signal)).ok) throw new Error('feed failed');
  if (!(await driver.printFront(ko, signal)).ok) throw new Error('print failed');
  if (!(await driver.ejectToRejectBin(signal)).ok) throw new Error('eject failed');
});
console.log('');
for (const [name, panels] of [
  ['KO', ko],
  ['YMCKO 5 bits', panelsFromRaster(face, { ribbon: 'YMCKO', dyeBits: 5 })],
  ['YMCKO 7 bits', panelsFromRaster(face, { ribbon: 'YMCKO', dyeBits: 7 })],
] as const) {
  const bytes = bytesOf(panels);
  console.log(
    `${name.padEnd(14)} ${String(bytes).padStart(9)} bytes: ${((bytes * 10) / 115_200).toFixed(1)} s at 115 200 baud, ${((bytes * 10) / 9_600).toFixed(0)} s at 9 600`,
  );
}
await driver.close();
