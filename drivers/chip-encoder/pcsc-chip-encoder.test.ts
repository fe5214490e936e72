/**
 * The PC/SC chip encoder on the in-process virtual readers, relaying the embedded card centre's
 * personalisation (kiosk/production/personalise.ts) to a blank card and reading it back. The
 * same scenario runs on pcscd in test/pcsc.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedCardCentre } from '../../kiosk/card-centre/embedded.ts';
import { personalise } from '../../kiosk/production/personalise.ts';
import { openReissueApplication } from '../../test/pcsc/card-centre-application.ts';
import { makeSimPerson } from '../id-reader/simulator.ts';
import { CardBehaviour } from '../virtual-card/card-behaviour.ts';
import { InProcessPcsc } from '../virtual-card/in-process-pcsc.ts';
import { createPcscChipEncoder, type PcscChipEncoder } from './pcsc-chip-encoder.ts';
import { SimulatedSsseCard } from './sim-ssse-card.ts';
import { readSsseCard } from './ssse-application.ts';

const STATION = 'Mashang Simulated Reader 00';
const encoders: PcscChipEncoder[] = [];
afterEach(async () => {
  for (const encoder of encoders.splice(0)) await encoder.close();
});

function encoderOn(pcsc: InProcessPcsc, options: { allowVirtualReaders?: boolean } = {}) {
  const encoder = createPcscChipEncoder({
    readerPattern: 'Simulated Reader 00$',
    allowVirtualReaders: options.allowVirtualReaders ?? true,
    transport: pcsc,
    exchangeTimeoutMs: 300,
    cardArrivalTimeoutMs: 300,
  });
  encoders.push(encoder);
  return encoder;
}

describe('the chip encoder on PC/SC', () => {
  it("personalises a blank card with the card centre's steps, and the card reads back what was written", async () => {
    const pcsc = new InProcessPcsc();
    const encoder = encoderOn(pcsc);
    pcsc.insert(STATION, new CardBehaviour(new SimulatedSsseCard(), { kind: 't0Chaining' }));
    const centre = new EmbeddedCardCentre();
    const person = makeSimPerson({ name: '赵淑珍' });
    const applicationNo = await openReissueApplication(centre, person.idNumber);
    const signal = new AbortController().signal;
    const session = await encoder.connect(signal);
    if (!session.ok) throw new Error(session.error.kind);
    const result = await personalise(
      session.value,
      centre,
      { applicationNo, holder: person },
      signal,
    );
    expect(result.ok).toBe(true);
    const card = await readSsseCard(session.value, signal);
    expect(card).toMatchObject({
      ok: true,
      value: { holder: { idNumber: person.idNumber, name: '赵淑珍' } },
    });
    await session.value.close();
  });

  it('says there is no card when none arrives at the station in time', async () => {
    const encoder = encoderOn(new InProcessPcsc());
    expect(await encoder.connect(new AbortController().signal)).toEqual({
      ok: false,
      error: { kind: 'noCard' },
    });
    expect(encoder.status()).toEqual({ state: 'ready' });
  });

  it('is disconnected when its reader is a test reader on a kiosk not configured as simulated', async () => {
    const pcsc = new InProcessPcsc();
    const encoder = encoderOn(pcsc, { allowVirtualReaders: false });
    pcsc.insert(STATION, new CardBehaviour(new SimulatedSsseCard()));
    expect(await encoder.connect(new AbortController().signal)).toEqual({
      ok: false,
      error: { kind: 'noReader' },
    });
    expect(encoder.status()).toEqual({ state: 'disconnected' });
  });
});
