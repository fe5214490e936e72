/**
 * A kiosk killed in the middle of a panel download leaves the card printer with half a command:
 * the printer's parser waits for the rest of the bitmap and would take the next kiosk's commands
 * for it. A printer drops an unfinished command after a moment of silence; so does the simulator
 * when asked to (`commandTimeoutMs`, `--set command-timeout-ms=N`: the recovery rig's printer), or
 * a kill inside a print would leave the restarted kiosk a printer that never answers (a random
 * kill in the fault-injection test can land mid-download).
 */
import { describe, expect, it } from 'vitest';
import { levelForBits, panelByteLength } from '../../drivers/card-printer/card-panels.ts';
import { encodeEvolisCommand } from '../../drivers/card-printer/evolis-command.ts';
import { EvolisSimulator } from '../../drivers/card-printer/evolis-simulator.ts';
import type { DevicePort } from '../../drivers/serial/byte-line.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a card printer left with half a command by a kiosk that died', () => {
  it('drops it after a moment of silence and answers the next kiosk', async () => {
    const simulator = new EvolisSimulator({ moveMs: 0, commandTimeoutMs: 150 });
    let send: (bytes: Uint8Array) => void = () => {};
    const replies: string[] = [];
    const port: DevicePort = {
      write: (bytes) => void replies.push(Buffer.from(bytes).toString('latin1')),
      onData: (listener) => void (send = listener),
      pause: () => {},
      resume: () => {},
      onClose: () => {},
    };
    simulator.attach(port);
    const firmware = encodeEvolisCommand({ mnemonic: 'Rfv', params: [] });

    // Half of a black panel's download, then nothing: the kiosk died here.
    const download = encodeEvolisCommand({ mnemonic: 'Db', params: ['k', levelForBits(1)], data: new Uint8Array(panelByteLength(1)) });
    send(download.subarray(0, Math.floor(download.length / 2)));
    // The next kiosk's first question arrives while the printer still waits for bitmap bytes.
    send(firmware);
    await sleep(50);
    expect(replies).toEqual([]);

    await sleep(300);
    send(firmware);
    await sleep(50);
    expect(replies.join('')).toContain('1.0.0-sim');
    expect(simulator.state().partialDropped).toBe(1);
  });
});
