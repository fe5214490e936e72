import { readdirSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeSimPerson } from '../../drivers/id-reader/simulator.ts';
import { EmbeddedCardCentre } from './embedded.ts';
import { SEEDED_RESIDENTS, seededResident } from './seeds.ts';

describe("the embedded card centre's records", () => {
  it('survive a restart: a repeated key still gets the first answer, and nothing is done twice', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'mashang-centre-'));
    const person = makeSimPerson();
    const first = new EmbeddedCardCentre({ dataDir });
    const lookup = await first.lookupPerson(person.idNumber);
    const cardNo = lookup.ok ? lookup.value.cards[0]!.cardNo : '';
    await first.reportLoss({ key: 'k-loss', idNumber: person.idNumber, cardNo });
    const opened = await first.openApplication({
      key: 'k-app',
      idNumber: person.idNumber,
      reason: '11',
    });
    first.close();

    const again = new EmbeddedCardCentre({ dataDir });
    expect(
      await again.openApplication({ key: 'k-app', idNumber: person.idNumber, reason: '11' }),
    ).toEqual(opened);
    expect(await again.reportLoss({ key: 'k-loss', idNumber: person.idNumber, cardNo })).toEqual({
      ok: true,
      value: { alreadyReported: false },
    });
    expect(again.stats).toMatchObject({ lossReports: 1, applications: 1 });
    // The person is the same person after the restart (the salt is the store's own).
    expect(await again.lookupPerson(person.idNumber)).toMatchObject({
      ok: true,
      value: { cards: [{ cardNo, status: '2' }] },
    });
    again.close();
  });

  it('hold no ID number and no name, only salted keys', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'mashang-centre-'));
    const centre = new EmbeddedCardCentre({ dataDir });
    const person = makeSimPerson({ name: '钱秀兰' });
    const lookup = await centre.lookupPerson(person.idNumber);
    const cardNo = lookup.ok ? lookup.value.cards[0]!.cardNo : '';
    await centre.reportLoss({ key: 'k-loss', idNumber: person.idNumber, cardNo });
    const application = await centre.openApplication({
      key: 'k-app',
      idNumber: person.idNumber,
      reason: '11',
    });
    if (!application.ok) throw new Error('no application');
    const plan = await centre.personalisationPlan({
      applicationNo: application.value.applicationNo,
      identification: '330100D156000005A1A2A3A4A5A6A7A8',
      challenge: '0102030405060708',
      holder: person,
    });
    expect(plan.ok).toBe(true);
    centre.close();
    const secrets = [
      person.idNumber,
      person.name,
      ...SEEDED_RESIDENTS.flatMap((r) => [r.card.idNumber, r.card.name]),
    ];
    for (const file of readdirSync(dataDir)) {
      const bytes = readFileSync(path.join(dataDir, file));
      for (const secret of secrets)
        expect(bytes.includes(Buffer.from(secret)), `${file} holds ${secret.slice(0, 2)}…`).toBe(
          false,
        );
    }
  });

  it("knows a seeded resident's state without being told, and can be told not to know strangers", async () => {
    const centre = new EmbeddedCardCentre({ knowsEveryone: false });
    expect(await centre.lookupPerson(seededResident('already-lost').card.idNumber)).toMatchObject({
      ok: true,
      value: { cards: [{ cardNo: 'A10000002', status: '2' }] },
    });
    expect(await centre.lookupPerson(makeSimPerson().idNumber)).toMatchObject({
      ok: false,
      error: { kind: 'rejected', code: 'PERSON_NOT_FOUND' },
    });
    centre.close();
  });
});
