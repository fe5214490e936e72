/**
 * Social-security cards on the real stack: read a personalised card, personalise a blank one with
 * the embedded card centre's steps through the PC/SC chip encoder, and check what we read against
 * scriptor (pcsc-tools), which talks to the same pcscd through its own PC/SC client.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describePcsc } from './describe-pcsc.ts';
import { Pcscd, scriptor } from './pcscd-fixture.ts';
import { openReissueApplication } from './card-centre-application.ts';
import {
  createPcscChipEncoder,
  type PcscChipEncoder,
} from '../../drivers/chip-encoder/pcsc-chip-encoder.ts';
import { SimulatedSsseCard } from '../../drivers/chip-encoder/sim-ssse-card.ts';
import {
  readRecordCommand,
  readSsseCard,
  selectSsseCommand,
} from '../../drivers/chip-encoder/ssse-application.ts';
import { makeSimPerson } from '../../drivers/id-reader/simulator.ts';
import { fromHex, hex, responseBytes } from '../../drivers/pcsc/apdu.ts';
import { CardBehaviour, type CardFaultMode } from '../../drivers/virtual-card/card-behaviour.ts';
import { VpcdCard } from '../../drivers/virtual-card/vpcd-card.ts';
import { EmbeddedCardCentre } from '../../kiosk/card-centre/embedded.ts';
import { personalise } from '../../kiosk/production/personalise.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const STATION = 'Virtual PCD 00 00';
const CARD_FILE = {
  identification: '330106D156000005A1B2C3D4E5F60718',
  cardType: '3',
  specVersion: '3.00',
  issueDate: '20210315',
  expiryDate: '20310315',
  cardNo: 'A87654321',
  idNumber: '33010619800101002X',
  name: '钱玉兰',
  sex: '2',
  nation: '01',
  birthplace: '330106',
  birthDate: '19800101',
};

describePcsc('social-security cards on pcscd + vpcd', () => {
  let pcscd: Pcscd;
  let encoder: PcscChipEncoder;
  const cards: VpcdCard[] = [];
  const children: ChildProcess[] = [];
  const signal = () => new AbortController().signal;

  beforeAll(async () => {
    pcscd = await Pcscd.start();
    encoder = createPcscChipEncoder({
      readerPattern: `^${STATION}$`,
      allowVirtualReaders: true,
      exchangeTimeoutMs: 2_000,
    });
  });
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGTERM');
    for (const card of cards.splice(0)) await card.remove();
    await encoder.manager.waitFor(
      'chip-encoder',
      (s) => s.state === 'no_card',
      AbortSignal.timeout(10_000),
    );
  });
  afterAll(async () => {
    await encoder?.close();
    await pcscd?.dispose();
  });

  async function insert(card: SimulatedSsseCard, fault: CardFaultMode | null = null) {
    const vpcd = new VpcdCard(new CardBehaviour(card, fault), { port: pcscd.port });
    cards.push(vpcd);
    await vpcd.insert();
    // pcscd sees it at its next poll of vpcd (every 400 ms).
    await encoder.manager.waitFor(
      'chip-encoder',
      (s) => s.state === 'ready',
      AbortSignal.timeout(10_000),
    );
    return vpcd;
  }

  async function session() {
    const opened = await encoder.connect(signal());
    if (!opened.ok) throw new Error(`connect: ${opened.error.kind}`);
    return opened.value;
  }

  it('reads a personalised card given to `mashang sim-card ssse FILE`', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ssse-card-')), 'card.json');
    writeFileSync(file, JSON.stringify(CARD_FILE));
    const child = spawn(
      process.execPath,
      [
        path.join(REPO_ROOT, 'kiosk/cli/mashang.mjs'),
        'sim-card',
        'ssse',
        file,
        '--port',
        String(pcscd.port),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(child);
    await new Promise<void>((resolve) =>
      child.stdout!.on('data', (chunk: Buffer) => /inserted/.test(chunk.toString()) && resolve()),
    );
    const chip = await session();
    const card = await readSsseCard(chip, signal());
    await chip.close();
    const { identification, cardType, specVersion, issueDate, expiryDate, cardNo, ...holder } =
      CARD_FILE;
    expect(card).toEqual({
      ok: true,
      value: {
        generation: 3,
        region: '330106',
        card: { identification, cardType, specVersion, issueDate, expiryDate, cardNo },
        holder,
      },
    });
  });

  it('reads the same bytes as scriptor', async () => {
    await insert(SimulatedSsseCard.personalised(CARD_FILE));
    const commands = [
      selectSsseCommand(),
      ...[1, 2, 3, 5, 6, 7].map((r) => readRecordCommand('EF05', r)),
      ...[1, 2, 4, 7].map((r) => readRecordCommand('EF06', r)),
    ];
    const chip = await session();
    const ours: string[] = [];
    for (const command of commands) {
      const answer = await chip.transmit(command, signal());
      if (!answer.ok) throw new Error(answer.error.kind);
      ours.push(hex(responseBytes(answer.value.data, answer.value.sw)));
    }
    await chip.close();
    const theirs = await scriptor(pcscd, STATION, commands.map(hex));
    expect(theirs).toEqual(ours);
    expect(ours[2]).toBe('0201339000'); // EF05 record 2, tag 02, card type "3"
  });

  it("personalises a blank card with the card centre's steps, and the card reads back what was written", async () => {
    await insert(new SimulatedSsseCard());
    const centre = new EmbeddedCardCentre();
    const person = makeSimPerson({ name: '孙秀英' });
    const applicationNo = await openReissueApplication(centre, person.idNumber);
    const chip = await session();
    expect(
      await personalise(chip, centre, { applicationNo, holder: person }, signal()),
    ).toMatchObject({ ok: true });
    expect(await readSsseCard(chip, signal())).toMatchObject({
      ok: true,
      value: { holder: { idNumber: person.idNumber, name: '孙秀英' } },
    });
    await chip.close();
  });

  it('personalises a T=0 card that answers a wrong Le with 6Cxx', async () => {
    await insert(new SimulatedSsseCard(), { kind: 't0Chaining' });
    const centre = new EmbeddedCardCentre();
    const person = makeSimPerson();
    const applicationNo = await openReissueApplication(centre, person.idNumber);
    const chip = await session();
    expect(
      await personalise(chip, centre, { applicationNo, holder: person }, signal()),
    ).toMatchObject({ ok: true });
    expect(await readSsseCard(chip, signal())).toMatchObject({
      ok: true,
      value: { holder: { idNumber: person.idNumber } },
    });
    await chip.close();
  });

  it('has a blank refuse UPDATE RECORD before external authentication', async () => {
    await insert(new SimulatedSsseCard());
    const chip = await session();
    expect(await chip.transmit(selectSsseCommand(), signal())).toMatchObject({
      ok: true,
      value: { sw: 0x9000 },
    });
    const update = await chip.transmit(fromHex('00DC023405' + '0903E5BCA0'), signal());
    expect(update).toMatchObject({ ok: true, value: { sw: 0x6982 } });
    await chip.close();
  });

  it('fails the personalisation of a card pulled mid-write, and the next blank is personalised', async () => {
    const centre = new EmbeddedCardCentre();
    const person = makeSimPerson();
    const applicationNo = await openReissueApplication(centre, person.idNumber);
    await insert(new SimulatedSsseCard(), { kind: 'removedMidApdu', afterApdus: 5 });
    const torn = await session();
    expect(
      await personalise(torn, centre, { applicationNo, holder: person }, signal()),
    ).toMatchObject({ ok: false, error: { kind: 'chip' } });
    await torn.close();
    await encoder.manager.waitFor(
      'chip-encoder',
      (s) => s.state === 'no_card',
      AbortSignal.timeout(10_000),
    );

    await insert(new SimulatedSsseCard());
    const next = await session();
    expect(
      await personalise(next, centre, { applicationNo, holder: person }, signal()),
    ).toMatchObject({ ok: true });
    await next.close();
  });
});
