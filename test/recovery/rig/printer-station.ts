/**
 * The card printer and the chip on its contact station, as one device in a process of its own,
 * for the fault-injection test: the kiosk is killed and restarted, this process lives on.
 *
 *   node --import tsx test/recovery/rig/printer-station.ts '{"vpcdPort":N,"moveMs":M,"blanks":B}'
 *
 * The Evolis simulator runs on a pseudo-terminal exactly as `mashang sim-serial card-printer` runs
 * it (startCardPrinterOnPty). What links it to the chip encoder is this process: whenever the
 * simulator holds a card at its contact station, a fresh blank SSSE virtual card is inserted into
 * vpcd (pcscd's virtual reader, the kiosk's chip encoder), and it is removed when the card moves
 * on (to the print head, the exit or the reject box). The printer and its chip never existed as
 * one device in the repository before: the in-process simulators are linked by a callback
 * (devices.ts), `mashang sim-serial` and `mashang sim-card` not at all.
 *
 * It prints `PRINTER_STATION_READY {"path":…}` once the pty is up, then answers one JSON line on
 * standard output for each JSON line on standard input: {"id":1,"cmd":"state"} and so on.
 */
import { createInterface } from 'node:readline';
import { startCardPrinterOnPty } from '../../../drivers/card-printer/evolis-pty-simulator.ts';
import { CardBehaviour, faultFromName, type CardFaultMode, type FaultName } from '../../../drivers/virtual-card/card-behaviour.ts';
import { createPersonality } from '../../../drivers/virtual-card/personalities.ts';
import { VpcdCard } from '../../../drivers/virtual-card/vpcd-card.ts';

interface StationOptions {
  vpcdPort: number;
  moveMs: number;
  blanks: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as StationOptions;
const device = startCardPrinterOnPty({
  faults: [],
  // A host killed mid-download leaves half a command: dropped after 1 s, as the printer does.
  settings: { 'move-ms': String(options.moveMs), blanks: String(options.blanks), 'command-timeout-ms': '1000' },
});
const simulator = device.simulator;

/** Every card that reached a place, counted from the simulator's state changes. */
const arrivals = { contactStation: 0, exit: 0, rejectBox: 0 };
let lastPosition = simulator.state().position;
let lastRejected = simulator.state().rejected;
/** What the next blanks' chips do (`wrong-sw`: every personalisation fails at once). */
let chipFault: CardFaultMode | null = null;
let chip: VpcdCard | null = null;
let chipsInserted = 0;
/** Insertions and removals run one after the other, in the order the printer moved. */
let chipQueue: Promise<void> = Promise.resolve();
const chipErrors: string[] = [];

function onPrinterChange(): void {
  const state = simulator.state();
  if (state.position !== lastPosition) {
    if (state.position === 'contactStation') arrivals.contactStation++;
    if (state.position === 'exit') arrivals.exit++;
    lastPosition = state.position;
  }
  if (state.rejected !== lastRejected) {
    arrivals.rejectBox += state.rejected - lastRejected;
    lastRejected = state.rejected;
  }
  const atStation = state.position === 'contactStation';
  if (atStation && !chip) {
    const card = new VpcdCard(new CardBehaviour(createPersonality('blank-ssse'), chipFault), { port: options.vpcdPort });
    chip = card;
    chipsInserted++;
    chipQueue = chipQueue.then(() => card.insert()).catch((error: unknown) => void chipErrors.push(String(error)));
  } else if (!atStation && chip) {
    const card = chip;
    chip = null;
    chipQueue = chipQueue.then(() => card.remove()).catch((error: unknown) => void chipErrors.push(String(error)));
  }
}
simulator.onChange(onPrinterChange);

type Command =
  | { id: number; cmd: 'state' }
  | { id: number; cmd: 'take' }
  | { id: number; cmd: 'chipFault'; fault: FaultName | null; delayMs?: number }
  | { id: number; cmd: 'settle' };

async function answer(command: Command): Promise<object> {
  switch (command.cmd) {
    case 'state':
      return { state: simulator.state(), arrivals, chipInserted: chip !== null, chipsInserted, chipErrors, recent: simulator.recentCommands().slice(-20) };
    case 'take':
      return { taken: simulator.takeCard() };
    case 'chipFault':
      chipFault = command.fault ? faultFromName(command.fault, command.delayMs === undefined ? {} : { delayMs: command.delayMs }) : null;
      return { chipFault };
    case 'settle':
      // Waits until the chip link has caught up with the printer (a card inserted or removed).
      await chipQueue;
      return { chipInserted: chip !== null };
  }
}

const input = createInterface({ input: process.stdin, terminal: false });
input.on('line', (line) => {
  if (!line.trim()) return;
  const command = JSON.parse(line) as Command;
  void answer(command).then(
    (value) => process.stdout.write(`${JSON.stringify({ id: command.id, ok: true, ...value })}\n`),
    (error: unknown) => process.stdout.write(`${JSON.stringify({ id: command.id, ok: false, error: String(error) })}\n`),
  );
});
// The test going away (its stdin closing) ends the station too.
input.on('close', () => shutdown());
process.once('SIGTERM', () => shutdown());

function shutdown(): void {
  void (chip?.remove() ?? Promise.resolve()).finally(() => {
    device.close();
    process.exit(0);
  });
}

process.stdout.write(`PRINTER_STATION_READY ${JSON.stringify({ path: device.path })}\n`);
