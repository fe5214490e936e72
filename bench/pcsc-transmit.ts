/**
 * APDU round trip through the real stack — pcscd + vpcd with the TCP_NODELAY shim, the virtual
 * card in its own process (`mashang sim-card blank-ssse`) — measured three ways in one run:
 *   1. a minimal C loop over libpcsclite's SCardTransmit (bench/pcsc-loop.c, compiled here with cc);
 *   2. the raw `pcsclite` binding, as its README uses it;
 *   3. our driver: ReaderManager → CardSession.transmit (timeout, abort, status-byte check, 61xx/6Cxx).
 * Then the time to personalise one card end to end through the PC/SC chip encoder and the
 * embedded card centre. Prints figures; never passes or fails on them.
 *
 *   npx tsx bench/pcsc-transmit.ts [--count 2000] [--rounds 3]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  Pcscd,
  pcscStackProblems,
  PCSC_INSTALL_HINT,
  VPCD_READERS,
} from '../test/pcsc/pcscd-fixture.ts';
import { openReissueApplication } from '../test/pcsc/card-centre-application.ts';
import { createPcscChipEncoder } from '../drivers/chip-encoder/pcsc-chip-encoder.ts';
import { readRecordCommand, selectSsseCommand } from '../drivers/chip-encoder/ssse-application.ts';
import { makeSimPerson } from '../drivers/id-reader/simulator.ts';
import { hex } from '../drivers/pcsc/apdu.ts';
import { EmbeddedCardCentre } from '../kiosk/card-centre/embedded.ts';
import { personalise } from '../kiosk/production/personalise.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '3' },
    cards: { type: 'string', default: '30' },
  },
});
const COUNT = Number(values.count);
const ROUNDS = Number(values.rounds);
const CARDS = Number(values.cards);
const READER = VPCD_READERS[0];

/** SELECT the SSSE application once, then READ RECORD 1 of EF05 (the 识别码, 18 bytes + SW) in the loop. */
const SETUP = selectSsseCommand();
const LOOP = (() => {
  const command = readRecordCommand('EF05', 1);
  command[4] = 18; // exact Le: no 6Cxx round trip in any of the three
  return command;
})();

const problems = pcscStackProblems();
if (problems.length > 0) {
  console.error(`bench/pcsc-transmit: missing ${problems.join(', ')} — ${PCSC_INSTALL_HINT}`);
  process.exit(1);
}

const micros = (ns: number[]) => ns.map((n) => n / 1_000);
function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { median: at(0.5), p99: at(0.99) };
}

function buildCLoop(): string {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'mashang-bench-')), 'pcsc-loop');
  const built = spawnSync(
    'cc',
    [
      '-O2',
      '-o',
      out,
      path.join(REPO_ROOT, 'bench/pcsc-loop.c'),
      '-I/usr/include/PCSC',
      '-lpcsclite',
    ],
    { encoding: 'utf8' },
  );
  if (built.status !== 0) throw new Error(`cc failed:\n${built.stderr}`);
  return out;
}

async function cLoop(binary: string, pcscd: Pcscd): Promise<number[]> {
  const child = spawn(binary, [READER, String(COUNT), hex(SETUP), hex(LOOP)], {
    env: pcscd.clientEnv,
  });
  let out = '';
  let errors = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const code = await new Promise((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`C loop failed: ${errors}`);
  return out.trim().split('\n').map(Number);
}

interface RawReader {
  name: string;
  SCARD_SHARE_EXCLUSIVE: number;
  SCARD_LEAVE_CARD: number;
  on(event: string, listener: (...args: unknown[]) => void): void;
  connect(
    options: { share_mode: number },
    callback: (error: unknown, protocol: number) => void,
  ): void;
  transmit(
    data: Buffer,
    length: number,
    protocol: number,
    callback: (error: unknown, data: Buffer) => void,
  ): void;
  disconnect(disposition: number, callback: (error: unknown) => void): void;
  close(): void;
}
interface RawContext {
  on(event: string, listener: (...args: unknown[]) => void): void;
  close(): void;
}

/** The binding as its own README drives it: connect, then transmit with a callback. */
async function rawBinding(): Promise<number[]> {
  const pcsc = (createRequire(import.meta.url)('pcsclite') as () => RawContext)();
  pcsc.on('error', () => {});
  const readers: RawReader[] = [];
  const reader = await new Promise<RawReader>((resolve) =>
    pcsc.on('reader', (r) => {
      const found = r as RawReader;
      found.on('error', () => {});
      readers.push(found);
      if (found.name === READER) resolve(found);
    }),
  );
  const protocol = await new Promise<number>((resolve, reject) =>
    reader.connect({ share_mode: reader.SCARD_SHARE_EXCLUSIVE }, (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  const transmit = (apdu: Uint8Array) =>
    new Promise<Buffer>((resolve, reject) =>
      reader.transmit(Buffer.from(apdu), 258, protocol, (e, d) => (e ? reject(e) : resolve(d))),
    );
  await transmit(SETUP);
  const samples: number[] = [];
  const command = Buffer.from(LOOP);
  for (let i = 0; i < COUNT; i++) {
    const start = process.hrtime.bigint();
    await transmit(command);
    samples.push(Number(process.hrtime.bigint() - start));
  }
  await new Promise((resolve) => reader.disconnect(reader.SCARD_LEAVE_CARD, resolve));
  for (const r of readers) r.close();
  pcsc.close();
  return samples;
}

async function ourDriver(encoder: ReturnType<typeof createPcscChipEncoder>): Promise<number[]> {
  const signal = new AbortController().signal;
  const session = await encoder.connect(signal);
  if (!session.ok) throw new Error(`driver connect: ${session.error.kind}`);
  await session.value.transmit(SETUP, signal);
  const samples: number[] = [];
  for (let i = 0; i < COUNT; i++) {
    const start = process.hrtime.bigint();
    const answer = await session.value.transmit(LOOP, signal);
    samples.push(Number(process.hrtime.bigint() - start));
    if (!answer.ok) throw new Error(`driver transmit: ${answer.error.kind}`);
  }
  await session.value.close();
  return samples;
}

async function personalisations(
  encoder: ReturnType<typeof createPcscChipEncoder>,
): Promise<{ times: number[]; apdus: number }> {
  const centre = new EmbeddedCardCentre();
  const signal = new AbortController().signal;
  const times: number[] = [];
  let apdus = 0;
  for (let i = 0; i < CARDS; i++) {
    const person = makeSimPerson();
    const applicationNo = await openReissueApplication(centre, person.idNumber);
    const start = process.hrtime.bigint();
    const session = await encoder.connect(signal);
    if (!session.ok) throw new Error(`connect: ${session.error.kind}`);
    let count = 0;
    const counting = {
      ...session.value,
      transmit: (command: Uint8Array, s: AbortSignal) => (
        count++,
        session.value.transmit(command, s)
      ),
    };
    const result = await personalise(counting, centre, { applicationNo, holder: person }, signal);
    await session.value.close();
    times.push(Number(process.hrtime.bigint() - start));
    if (!result.ok) throw new Error(`personalisation failed: ${JSON.stringify(result.error)}`);
    apdus = count;
  }
  return { times, apdus };
}

async function main() {
  const cLoopBinary = buildCLoop();
  const pcscd = await Pcscd.start();
  let card: ChildProcess | null = null;
  const encoder = createPcscChipEncoder({
    readerPattern: `^${READER}$`,
    allowVirtualReaders: true,
  });
  try {
    card = spawn(
      process.execPath,
      [
        path.join(REPO_ROOT, 'kiosk/cli/mashang.mjs'),
        'sim-card',
        'blank-ssse',
        '--port',
        String(pcscd.port),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) =>
      card!.stdout!.on('data', (chunk: Buffer) => /inserted/.test(chunk.toString()) && resolve()),
    );
    await encoder.manager.waitFor(
      'chip-encoder',
      (s) => s.state === 'ready',
      AbortSignal.timeout(10_000),
    );

    const c: number[] = [];
    const raw: number[] = [];
    const driver: number[] = [];
    // Interleaved rounds, so drift on a busy machine falls on all three alike.
    for (let round = 0; round < ROUNDS; round++) {
      c.push(...micros(await cLoop(cLoopBinary, pcscd)));
      raw.push(...micros(await rawBinding()));
      driver.push(...micros(await ourDriver(encoder)));
    }
    const [sc, sraw, sdriver] = [summary(c), summary(raw), summary(driver)];
    const line = (label: string, s: { median: number; p99: number }) =>
      `  ${label.padEnd(28)} median ${s.median.toFixed(1).padStart(7)} µs   p99 ${s.p99.toFixed(1).padStart(7)} µs`;
    console.log(
      `PC/SC APDU round trip, READ RECORD (20-byte answer), pcscd + vpcd with the TCP_NODELAY shim, ${ROUNDS} × ${COUNT} each:`,
    );
    console.log(line('C SCardTransmit loop', sc));
    console.log(line('pcsclite binding (raw)', sraw));
    console.log(line('our driver (transmit)', sdriver));
    console.log(
      `  ratios (medians): binding/C ${(sraw.median / sc.median).toFixed(2)}   driver/binding ${(sdriver.median / sraw.median).toFixed(2)} (target ≤ 1.10)   driver/C ${(sdriver.median / sc.median).toFixed(2)}`,
    );

    const { times, apdus } = await personalisations(encoder);
    const sp = summary(micros(times).map((us) => us / 1_000));
    console.log(
      `Personalisation of one card end to end (connect, card-centre plan, ${apdus} APDUs incl. read-back, close), ${CARDS} cards: median ${sp.median.toFixed(2)} ms   p99 ${sp.p99.toFixed(2)} ms`,
    );
  } finally {
    card?.kill('SIGTERM');
    await encoder.close();
    await pcscd.dispose();
  }
}

await main();
