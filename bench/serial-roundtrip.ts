/**
 * Serial request/response round trip on a pseudo-terminal pair, three ways in the same run, on
 * the same pty, against the same GA/T 467 simulator (unpaced: we measure software, not baud):
 *
 *   raw fs     write(2)/read(2) on the pty with Node's fs: the floor
 *   serialport the `serialport` stream, bytes counted by hand
 *   driver     the kiosk's Gat467Driver.findCard(): serialport + RequestLink + codec
 *
 * Prints medians, 90th percentiles and the ratios to raw fs. Never passes or fails.
 * Run: npx tsx bench/serial-roundtrip.ts [iterations]
 */
import { spawnSync } from 'node:child_process';
import { closeSync, constants, openSync, read, writeSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { SerialPort } from 'serialport';
import { Gat467Driver } from '../drivers/id-reader/gat467-driver.ts';
import { encodeCommand } from '../drivers/id-reader/gat467-frame.ts';
import { GAT467_COMMANDS } from '../drivers/id-reader/gat467-commands.ts';
import { Gat467Simulator } from '../drivers/id-reader/gat467-simulator.ts';
import { makeSimPerson } from '../drivers/id-reader/simulator.ts';
import { ptyDevicePort } from '../drivers/serial/pty-host.ts';
import { openPtyPair } from '../drivers/serial/pty-pair.ts';
import { ReconnectingLine } from '../drivers/serial/reconnecting-line.ts';
import { openSerialLine } from '../drivers/serial/serial-transport.ts';

const ITERATIONS = Number(process.argv[2] ?? 2000);
const WARM_UP = Math.min(200, ITERATIONS);
/** The find-card answer: `AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97`. */
const ANSWER_BYTES = 15;
const FIND = encodeCommand({ ...GAT467_COMMANDS.findCard, data: new Uint8Array(0) });

const pair = openPtyPair();
const simulator = new Gat467Simulator({
  baudRate: Infinity,
  rxBufferBytes: 4096,
  flowControl: 'none',
});
simulator.attach(ptyDevicePort(pair));
simulator.placeCard(makeSimPerson());

async function measure(
  name: string,
  once: () => Promise<void>,
): Promise<{ name: string; median: number; p90: number }> {
  for (let i = 0; i < WARM_UP; i++) await once();
  const samples: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const start = performance.now();
    await once();
    samples.push((performance.now() - start) * 1000);
  }
  samples.sort((a, b) => a - b);
  return {
    name,
    median: samples[Math.floor(samples.length / 2)]!,
    p90: samples[Math.floor(samples.length * 0.9)]!,
  };
}

async function rawFs() {
  // The pty starts in cooked mode (line editing, echo): put it in raw mode as serialport does.
  const stty = spawnSync('stty', ['-F', pair.path, 'raw', '-echo']);
  if (stty.status !== 0) throw new Error(`stty failed: ${stty.stderr}`);
  const fd = openSync(pair.path, constants.O_RDWR | constants.O_NOCTTY);
  const buffer = Buffer.alloc(256);
  const golden = Buffer.from('aaaaaa9669000800009f0000000097', 'hex');
  const readSome = () =>
    new Promise<number>((resolve, reject) =>
      read(fd, buffer, 0, buffer.length, null, (e, n) => (e ? reject(e) : resolve(n))),
    );
  const result = await measure('raw fs', async () => {
    writeSync(fd, FIND);
    let got = 0;
    while (got < ANSWER_BYTES) got += await readSome();
  });
  // The loop measured real answers, not stray bytes: the last one is the find-card answer.
  if (!buffer.subarray(0, ANSWER_BYTES).equals(golden))
    throw new Error(`unexpected answer ${buffer.subarray(0, ANSWER_BYTES).toString('hex')}`);
  closeSync(fd);
  return result;
}

async function plainSerialport() {
  const port = new SerialPort({ path: pair.path, baudRate: 115_200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  let got = 0;
  let wake: (() => void) | null = null;
  port.on('data', (chunk: Buffer) => {
    got += chunk.length;
    if (got >= ANSWER_BYTES) wake?.();
  });
  const result = await measure('serialport', async () => {
    got = 0;
    const answered = new Promise<void>((resolve) => (wake = resolve));
    port.write(Buffer.from(FIND));
    await answered;
  });
  await new Promise<void>((resolve) => port.close(() => resolve()));
  return result;
}

async function driver() {
  const line = new ReconnectingLine(() => openSerialLine({ path: pair.path, baudRate: 115_200 }), {
    name: 'bench',
  });
  line.start();
  if (!(await line.whenOpen(5_000))) throw new Error('the driver could not open the pty');
  const reader = new Gat467Driver(line, { baudRate: Infinity });
  const result = await measure('driver findCard', async () => {
    const found = await reader.findCard();
    if (!found.ok) throw new Error(`findCard failed: ${JSON.stringify(found.error)}`);
  });
  await line.stop();
  return result;
}

const results = [await rawFs(), await plainSerialport(), await driver()];
pair.close();

const floor = results[0]!.median;
// Shared machines: a busy neighbour moves every figure; the ratios move less.
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(
  `serial round trip on a pty (${ITERATIONS} find-card exchanges each, ${WARM_UP} warm-up; µs)`,
);
console.log(
  `${'path'.padEnd(18)}${'median'.padStart(10)}${'p90'.padStart(10)}${'× raw fs'.padStart(10)}`,
);
for (const r of results) {
  console.log(
    `${r.name.padEnd(18)}${r.median.toFixed(1).padStart(10)}${r.p90.toFixed(1).padStart(10)}${(r.median / floor).toFixed(2).padStart(10)}`,
  );
}
console.log(`serialport / raw fs median ratio: ${(results[1]!.median / floor).toFixed(2)}`);
process.exit(0);
