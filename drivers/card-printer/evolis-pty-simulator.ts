/**
 * The Evolis card printer simulator on a pseudo-terminal, for `mashang sim-serial card-printer`
 * and the real-stack tests (which open its path with the real `serialport`).
 *
 * Control lines: fault NAME | clear [NAME] | take | blanks N | empty-bin | status | png FILE,
 * plus unplug | replug.
 */
import { writeFileSync } from 'node:fs';
import { hostOnPty, type SerialSimulatorOptions, type SimulatorOnPty } from '../serial/pty-host.ts';
import { RIBBON_TYPES, type RibbonType } from './evolis-protocol.ts';
import {
  EVOLIS_SIM_FAULTS,
  EVOLIS_SIM_UART,
  EvolisSimulator,
  parseEvolisSimFault,
} from './evolis-simulator.ts';

export interface CardPrinterOnPty extends SimulatorOnPty {
  readonly simulator: EvolisSimulator;
}

const HELP = [
  'card-printer (Evolis) commands:',
  `  fault NAME             ${EVOLIS_SIM_FAULTS.join(' | ')} (slow:MS)`,
  '  clear [NAME]           clear one fault, or all (a cleared jam: the technician took the card out)',
  '  take                   the resident takes the card from the exit',
  '  blanks N               staff load N blanks into the feeder',
  '  empty-bin              staff empty the reject box',
  '  status                 feeder, ribbon, card position, reject box, faults',
  '  png FILE               write the last card printed to FILE',
].join('\n');

const number = (text: string | undefined, what: string) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`${what}: expected a whole number, got "${text}"`);
  return n;
};

/**
 * Settings (`--set`): blanks=N, ribbon=KO|YMCKO|…, move-ms=N, terminator=cr|none,
 * command-timeout-ms=N (drop a command left unfinished this long, as a printer does when its host
 * died mid-download; default never).
 */
export function startCardPrinterOnPty(options: SerialSimulatorOptions): CardPrinterOnPty {
  const { settings } = options;
  const ribbon = settings.ribbon ?? 'KO';
  if (!(RIBBON_TYPES as readonly string[]).includes(ribbon))
    throw new RangeError(`ribbon=${ribbon}: one of ${RIBBON_TYPES.join(', ')}`);
  const terminator = settings.terminator ?? 'cr';
  if (terminator !== 'cr' && terminator !== 'none')
    throw new RangeError(`terminator=${terminator}: expected cr or none`);
  const simulator = new EvolisSimulator({
    blanks: settings.blanks === undefined ? 100 : number(settings.blanks, 'blanks'),
    ribbon: ribbon as RibbonType,
    moveMs: settings['move-ms'] === undefined ? 300 : number(settings['move-ms'], 'move-ms'),
    terminateReplies: terminator === 'cr',
    ...(settings['command-timeout-ms'] === undefined
      ? {}
      : { commandTimeoutMs: number(settings['command-timeout-ms'], 'command-timeout-ms') }),
    uart: { ...EVOLIS_SIM_UART, baudRate: options.baudRate ?? EVOLIS_SIM_UART.baudRate },
  });
  for (const text of options.faults) {
    const { fault, delayMs } = parseEvolisSimFault(text);
    simulator.injectFault(fault, delayMs === undefined ? {} : { delayMs });
  }
  const status = () => {
    const s = simulator.state();
    return `blanks ${s.blanks}; card ${s.position}; ribbon ${s.ribbon} (${s.ribbonRemaining} left); reject box ${s.rejectBox}/${s.rejectBoxCapacity}; printed ${s.printed}, rejected ${s.rejected}; latched ${s.latchedError ?? 'none'}; faults ${s.faults.join(', ') || 'none'}`;
  };
  const host = hostOnPty(
    'card-printer',
    options.link ? { link: options.link } : {},
    (port) => simulator.attach(port),
    ([command, argument]) => {
      switch (command) {
        case 'fault': {
          if (!argument) return `fault what? ${EVOLIS_SIM_FAULTS.join(', ')}`;
          const { fault, delayMs } = parseEvolisSimFault(argument);
          simulator.injectFault(fault, delayMs === undefined ? {} : { delayMs });
          return `fault: ${argument}`;
        }
        case 'clear':
          if (argument) simulator.clearFault(parseEvolisSimFault(argument).fault);
          else simulator.clearAllFaults();
          return `cleared ${argument ?? 'every fault'}`;
        case 'take':
          return simulator.takeCard() ? 'card taken from the exit' : 'no card at the exit';
        case 'blanks':
          simulator.loadBlanks(number(argument, 'blanks'));
          return status();
        case 'empty-bin':
          return `emptied ${simulator.emptyRejectBox()} cards from the reject box`;
        case 'status':
          return status();
        case 'png': {
          const png = simulator.lastCardPng();
          if (!png) return 'no card printed yet';
          if (!argument) return 'png where? png FILE';
          writeFileSync(argument, png);
          return `last card written to ${argument}`;
        }
        default:
          return null;
      }
    },
    HELP,
  );
  return Object.assign(host, { simulator });
}
