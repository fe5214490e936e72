/**
 * The GA/T 467 simulator on a pseudo-terminal, for `mashang sim-serial id-reader` and for the
 * real-stack tests (which open its path with the real `serialport`).
 *
 * Control lines: place [NAME] | remove | fault NAME | clear | status, plus unplug | replug.
 * The resident it places is fictional (makeSimPerson); only the masked number is printed.
 */
import { hostOnPty, type SerialSimulatorOptions, type SimulatorOnPty } from '../serial/pty-host.ts';
import { maskIdNumber } from './gat467-id-card-reader.ts';
import {
  GAT467_SIM_FAULT_NAMES,
  GAT467_SIM_UART,
  Gat467Simulator,
  parseGat467Fault,
} from './gat467-simulator.ts';
import { makeSimPerson } from './simulator.ts';

export interface IdReaderOnPty extends SimulatorOnPty {
  readonly simulator: Gat467Simulator;
}

const HELP = [
  'id-reader (GA/T 467) commands:',
  "  place [NAME]           put a fictional resident's ID card on the reader",
  '  remove                 take the card away',
  `  fault NAME             ${GAT467_SIM_FAULT_NAMES.join(' | ')} (slow:MS)`,
  '  clear                  no fault',
  '  status                 what lies on the reader, the fault',
].join('\n');

/**
 * Settings (`--set`): card=random|none (default random: a card lies on the reader at start);
 * district=NNNNNN, the administrative division the fictional residents' ID numbers come from
 * (default 330106; the embedded card centre charges a fee in some districts, e.g. 330108).
 */
export function startIdReaderOnPty(options: SerialSimulatorOptions): IdReaderOnPty {
  if (options.faults.length > 1)
    throw new RangeError('the id-reader simulator takes one --fault at a time');
  const fault = options.faults[0] === undefined ? null : parseGat467Fault(options.faults[0]);
  const card = options.settings.card ?? 'random';
  if (card !== 'random' && card !== 'none')
    throw new RangeError(`card=${card}: expected card=random or card=none`);
  const district = options.settings.district;
  if (district !== undefined && !/^\d{6}$/.test(district))
    throw new RangeError(`district=${district}: expected a 6-digit administrative division code`);

  const simulator = new Gat467Simulator({
    ...GAT467_SIM_UART,
    baudRate: options.baudRate ?? GAT467_SIM_UART.baudRate,
  });
  simulator.setFault(fault);
  const place = (name?: string) => {
    const person = makeSimPerson({ ...(name ? { name } : {}), ...(district ? { district } : {}) });
    simulator.placeCard(person);
    return `card placed: ${maskIdNumber(person.idNumber)}`;
  };
  if (card === 'random') place();

  const host = hostOnPty(
    'id-reader',
    options.link ? { link: options.link } : {},
    (port) => simulator.attach(port),
    ([command, argument]) => {
      switch (command) {
        case 'place':
          return place(argument);
        case 'remove':
          simulator.removeCard();
          return 'card removed';
        case 'fault':
          if (!argument) return `fault what? ${GAT467_SIM_FAULT_NAMES.join(', ')}`;
          simulator.setFault(parseGat467Fault(argument));
          return `fault: ${argument}`;
        case 'clear':
          simulator.setFault(null);
          return 'fault cleared';
        case 'status':
          return `card: ${simulator.cardPresent() ? 'on the reader' : 'none'}; fault: ${simulator.fault ? simulator.fault.kind : 'none'}; commands received: ${simulator.commandsReceived}`;
        default:
          return null;
      }
    },
    HELP,
  );
  return Object.assign(host, { simulator });
}
