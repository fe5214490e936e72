import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { SimulatedCardPrinter } from '../../drivers/card-printer/simulator.ts';
import { SimulatedChipEncoder } from '../../drivers/chip-encoder/simulator.ts';
import { makeSimPerson } from '../../drivers/id-reader/simulator.ts';
import { EmbeddedCardCentre } from '../card-centre/embedded.ts';
import type { CardCentre } from '../card-centre/card-centre.ts';
import { personalise } from './personalise.ts';

async function blankAtStation() {
  const printer = new SimulatedCardPrinter({ moveMs: 0 });
  const encoder = new SimulatedChipEncoder(() => printer.cardAtContactStation());
  await printer.feedToContactStation(new AbortController().signal);
  encoder.insertBlank();
  const session = await encoder.connect();
  if (!session.ok) throw new Error('no session');
  return session.value;
}

async function openApplication(centre: EmbeddedCardCentre, idNumber: string) {
  // A reissue for a lost card needs the loss reported first.
  const person = await centre.lookupPerson(idNumber);
  if (!person.ok) throw new Error('no person');
  await centre.reportLoss({ key: 'k0', idNumber, cardNo: person.value.cards[0]!.cardNo });
  const application = await centre.openApplication({ key: 'k1', idNumber, reason: '11' });
  if (!application.ok) throw new Error('no application');
  return application.value.applicationNo;
}

describe('relaying the card centre\'s personalisation to the chip', () => {
  it('writes the holder into EF06 and verifies it by reading it back', async () => {
    const centre = new EmbeddedCardCentre();
    const person = makeSimPerson({ name: '赵淑珍' });
    const session = await blankAtStation();
    const signal = new AbortController().signal;
    const result = await personalise(session, centre, { applicationNo: await openApplication(centre, person.idNumber), holder: person }, signal);
    expect(result.ok).toBe(true);
    // Read EF06 records 1 and 2 ourselves (P2 = 6 << 3 | 4 = 0x34).
    const idRecord = await session.transmit(new Uint8Array([0x00, 0xb2, 0x01, 0x34, 0x00]), signal);
    const nameRecord = await session.transmit(new Uint8Array([0x00, 0xb2, 0x02, 0x34, 0x00]), signal);
    if (!idRecord.ok || !nameRecord.ok) throw new Error('read failed');
    expect(Buffer.from(idRecord.value.data.subarray(2)).toString('ascii')).toBe(person.idNumber);
    expect(iconv.decode(Buffer.from(nameRecord.value.data.subarray(2)), 'gbk').replace(/\0+$/, '')).toBe('赵淑珍');
  });

  it('stops at the first step the chip does not accept (a wrong cryptogram)', async () => {
    const real = new EmbeddedCardCentre();
    const person = makeSimPerson();
    const applicationNo = await openApplication(real, person.idNumber);
    const tampered: CardCentre = Object.assign(Object.create(real), {
      personalisationPlan: async (request: Parameters<CardCentre["personalisationPlan"]>[0]) => {
        const plan = await real.personalisationPlan(request);
        if (!plan.ok) return plan;
        const [auth, ...rest] = plan.value.steps;
        return { ok: true, value: { steps: [{ ...auth!, apdu: auth!.apdu.slice(0, -2) + '00' }, ...rest] } };
      },
    });
    const result = await personalise(await blankAtStation(), tampered, { applicationNo, holder: person }, new AbortController().signal);
    expect(result).toEqual({ ok: false, error: { kind: 'mismatch', step: 0, sw: '6982' } });
  });

  it('refuses to write a holder who is not the application\'s', async () => {
    const centre = new EmbeddedCardCentre();
    const applicationNo = await openApplication(centre, makeSimPerson().idNumber);
    const stranger = makeSimPerson({ idNumber: '11010519491231002X' });
    const result = await personalise(await blankAtStation(), centre, { applicationNo, holder: stranger }, new AbortController().signal);
    expect(result).toEqual({ ok: false, error: { kind: 'cardCentre', detail: 'HOLDER_MISMATCH' } });
  });
});
