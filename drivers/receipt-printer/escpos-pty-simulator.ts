/**
 * The ESC/POS receipt printer simulator on a pseudo-terminal, for `mashang sim-serial
 * receipt-printer` and the real-stack tests (which open its path with the real `serialport`).
 *
 * Control lines: fault NAME | clear [NAME] | paper | status | text | png FILE, plus unplug | replug.
 */
import { writeFileSync } from 'node:fs';
import { hostOnPty, type SerialSimulatorOptions, type SimulatorOnPty } from '../serial/pty-host.ts';
import {
  ESCPOS_SIM_FAULTS,
  ESCPOS_SIM_UART,
  EscPosSimulator,
  parseEscPosSimFault,
} from './escpos-simulator.ts';

export interface ReceiptPrinterOnPty extends SimulatorOnPty {
  readonly simulator: EscPosSimulator;
}

const HELP = [
  'receipt-printer (ESC/POS) commands:',
  `  fault NAME             ${ESCPOS_SIM_FAULTS.join(' | ')} (slow:MS)`,
  '  clear [NAME]           clear one fault, or all',
  '  paper                  staff load a fresh roll',
  '  status                 paper left, cover, receipts printed and spoiled, faults',
  '  text                   the last receipt, as text',
  '  png FILE               write the last receipt to FILE',
].join('\n');

/** Settings (`--set`): width=80|58, roll=DOTS (paper on the roll). */
export function startReceiptPrinterOnPty(options: SerialSimulatorOptions): ReceiptPrinterOnPty {
  const width = Number(options.settings.width ?? 80);
  if (width !== 80 && width !== 58)
    throw new RangeError(`width=${options.settings.width}: expected 80 or 58`);
  const roll = options.settings.roll === undefined ? undefined : Number(options.settings.roll);
  if (roll !== undefined && !(Number.isInteger(roll) && roll > 0))
    throw new RangeError(`roll=${options.settings.roll}: expected dots of paper`);
  const simulator = new EscPosSimulator({
    paperWidthMm: width,
    ...(roll !== undefined ? { rollDots: roll, nearEndDots: Math.floor(roll / 20) } : {}),
    uart: { ...ESCPOS_SIM_UART, baudRate: options.baudRate ?? ESCPOS_SIM_UART.baudRate },
  });
  for (const text of options.faults) {
    const { fault, delayMs } = parseEscPosSimFault(text);
    simulator.injectFault(fault, delayMs === undefined ? {} : { delayMs });
  }
  const status = () => {
    const s = simulator.state();
    return `paper ${s.paperLeftDots} dots; cover ${s.coverOpen ? 'open' : 'closed'}; printed ${s.jobsPrinted}, spoiled ${s.jobsSpoiled}; faults ${s.faults.join(', ') || 'none'}`;
  };
  const host = hostOnPty(
    'receipt-printer',
    options.link ? { link: options.link } : {},
    (port) => simulator.attach(port),
    ([command, argument]) => {
      switch (command) {
        case 'fault': {
          if (!argument) return `fault what? ${ESCPOS_SIM_FAULTS.join(', ')}`;
          const { fault, delayMs } = parseEscPosSimFault(argument);
          simulator.injectFault(fault, delayMs === undefined ? {} : { delayMs });
          return `fault: ${argument}`;
        }
        case 'clear':
          if (argument) simulator.clearFault(parseEscPosSimFault(argument).fault);
          else simulator.clearAllFaults();
          return `cleared ${argument ?? 'every fault'}`;
        case 'paper':
          simulator.loadPaper();
          return status();
        case 'status':
          return status();
        case 'text':
          return simulator.lastReceiptText()?.join('\n') ?? 'no receipt printed yet';
        case 'png': {
          const png = simulator.lastReceiptPng();
          if (!png) return 'no receipt printed yet';
          if (!argument) return 'png where? png FILE';
          writeFileSync(argument, png);
          return `last receipt written to ${argument}`;
        }
        default:
          return null;
      }
    },
    HELP,
  );
  return Object.assign(host, { simulator });
}
