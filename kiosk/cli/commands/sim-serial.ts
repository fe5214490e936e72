/**
 * `mashang sim-serial <device>`: a serial device simulator on a pseudo-terminal. It prints the
 * path the driver should open (configure the kiosk, or a test, with it) and runs until Ctrl+C.
 * Lines typed on standard input control it: `fault silence`, `remove`, `unplug`, `help`…
 *
 * Devices come from SERIAL_SIMULATORS (drivers/serial/simulators.ts): one line there adds one here.
 */
import { createInterface } from 'node:readline';
import { SERIAL_SIMULATORS, type SimulatorOnPty } from '../../../drivers/serial/simulators.ts';
import { UsageError, type Command } from '../command.ts';

function parseSettings(values: unknown): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const entry of (values as string[] | undefined) ?? []) {
    const at = entry.indexOf('=');
    if (at <= 0) throw new UsageError(`--set ${entry}: expected KEY=VALUE`);
    settings[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return settings;
}

function parseBaud(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const baud = Number(value);
  if (!Number.isInteger(baud) || baud <= 0)
    throw new UsageError(`--baud must be a positive whole number, got "${String(value)}"`);
  return baud;
}

export const simSerialCommand: Command = {
  summary:
    'run a serial device simulator on a pseudo-terminal and print the path the driver should open',
  usage: `mashang sim-serial <${Object.keys(SERIAL_SIMULATORS).join('|')}> [--fault NAME] [--link PATH] [--baud N] [--set KEY=VALUE]`,
  positionals: true,
  options: {
    fault: {
      type: 'string',
      multiple: true,
      description: 'start with this fault (type "help" once running for the list)',
    },
    link: {
      type: 'string',
      description:
        'keep a symlink at PATH pointing at the pty, across unplug/replug (like /dev/serial/by-id/…)',
    },
    baud: {
      type: 'string',
      description: "line speed the simulated device paces its bytes at (default: the device's own)",
    },
    set: {
      type: 'string',
      multiple: true,
      description: 'a device setting KEY=VALUE (id-reader: card=random|none, district=NNNNNN; card-printer: blanks=N, move-ms=N, command-timeout-ms=N, …)',
    },
  },
  async run(values, positionals) {
    const [device, ...extra] = positionals;
    const devices = Object.keys(SERIAL_SIMULATORS).join(', ');
    if (!device) throw new UsageError(`which device? one of: ${devices}`);
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    const start = SERIAL_SIMULATORS[device];
    if (!start) throw new UsageError(`no simulator for "${device}" (one of: ${devices})`);

    let simulator: SimulatorOnPty;
    try {
      const baudRate = parseBaud(values.baud);
      simulator = start({
        faults: (values.fault as string[] | undefined) ?? [],
        settings: parseSettings(values.set),
        ...(values.link ? { link: values.link as string } : {}),
        ...(baudRate ? { baudRate } : {}),
      });
    } catch (error) {
      if (error instanceof UsageError) throw error;
      // Bad fault names and settings are the operator's to fix; anything else is a bug.
      if (error instanceof RangeError || (error as NodeJS.ErrnoException).code)
        throw new UsageError((error as Error).message);
      throw error;
    }

    console.log(
      `${device} simulator on ${simulator.path}${simulator.path !== simulator.ptyPath ? ` (-> ${simulator.ptyPath})` : ''}`,
    );
    console.log(`Open ${simulator.path} with the driver. Type "help" for commands; Ctrl+C stops.`);

    const input =
      process.stdin.isTTY || process.stdin.readable
        ? createInterface({ input: process.stdin, terminal: false })
        : null;
    input?.on('line', (line) => {
      const reply = simulator.control(line);
      if (reply) console.log(reply);
    });
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    input?.close();
    simulator.close();
    return 0;
  },
};
