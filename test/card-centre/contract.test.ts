/**
 * The card-centre contract: the kiosk's HTTP client against the embedded card centre over real
 * HTTP on 127.0.0.1 — every operation, and the ambiguous cases a rural link produces (committed
 * but the connection dropped, payments that stay unknown, retries exhausted). Every answer on
 * the wire is checked against the committed OpenAPI document (ajv, not the code's own schemas).
 *
 * One centre serves the whole file; at the end its records must hold exactly one loss report,
 * one application and one payment per logical request the tests made.
 */
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { parseResponse } from '../../drivers/chip-encoder/apdu.ts';
import type { ChipSession } from '../../drivers/chip-encoder/chip-encoder.ts';
import { holderName } from '../../drivers/chip-encoder/holder-name.ts';
import { SimulatedSsseCard } from '../../drivers/chip-encoder/sim-ssse-card.ts';
import { readSsseCard } from '../../drivers/chip-encoder/ssse-application.ts';
import { err, ok } from '../../drivers/common/result.ts';
import { makeSimPerson } from '../../drivers/id-reader/simulator.ts';
import { CARD_STATUS, type CardCentre } from '../../kiosk/card-centre/card-centre.ts';
import { openApiDocument } from '../../kiosk/card-centre/openapi.ts';
import { seededResident, SIMULATED_PAYMENT_CODES } from '../../kiosk/card-centre/seeds.ts';
import { settlePayment } from '../../kiosk/card-centre/settle-payment.ts';
import { personalise } from '../../kiosk/production/personalise.ts';
import { cameraJpeg, OPENAPI_FILE, startCentre, type CentreHarness } from './harness.ts';

const signal = new AbortController().signal;
let h: CentreHarness;
let sequence = 0;
const key = (what: string) => `contract-${++sequence}:${what}`;
const orderNo = () => `K01-${Date.now()}-${++sequence}`;

/** What the tests asked for, each once as a resident would: the records must match it exactly. */
const logical = {
  losses: [] as string[],
  applications: [] as string[],
  payments: [] as string[],
  reservedOrders: [] as string[],
};

beforeAll(async () => {
  h = await startCentre({
    centre: { userPayingMs: 8_000 },
    client: { timeouts: { pay: 400, reportLoss: 400, openApplication: 400 } },
  });
});
afterAll(async () => h?.stop());

function chipSession(card = new SimulatedSsseCard()): ChipSession {
  return {
    atr: card.atr,
    transmit: async (command) => {
      const response = parseResponse(card.process(command));
      return response ? ok(response) : err({ kind: 'malformedResponse', length: 0 });
    },
    close: async () => {},
  };
}

/** A resident with a normal card reports it lost and opens a reissue: what step 6 of the journey does. */
async function register(centre: CardCentre, person: { idNumber: string }) {
  const lookup = await centre.lookupPerson(person.idNumber, signal);
  if (!lookup.ok) throw new Error(`lookup: ${JSON.stringify(lookup.error)}`);
  const card = lookup.value.cards.find((c) => c.status === CARD_STATUS.normal)!;
  const loss = await centre.reportLoss(
    { key: key('loss'), idNumber: person.idNumber, cardNo: card.cardNo },
    signal,
  );
  expect(loss).toEqual({ ok: true, value: { alreadyReported: false } });
  logical.losses.push(card.cardNo);
  const application = await centre.openApplication(
    { key: key('application'), idNumber: person.idNumber, reason: '11' },
    signal,
  );
  if (!application.ok) throw new Error(`application: ${JSON.stringify(application.error)}`);
  logical.applications.push(application.value.applicationNo);
  return { cardNo: card.cardNo, ...application.value };
}

describe('the API document', () => {
  it('is a valid OpenAPI 3.1 document, and the committed copy is the one the code generates', async () => {
    const validator = new Validator();
    const result = await validator.validate(OPENAPI_FILE);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    // Compared as data, so a formatter may lay the file out as it likes.
    expect(
      parse(readFileSync(OPENAPI_FILE, 'utf8')),
      'regenerate: mashang card-centre --openapi kiosk/card-centre/openapi.yaml',
    ).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });

  it('documents the request signature and idempotency for integrators', () => {
    const text = readFileSync(OPENAPI_FILE, 'utf8');
    expect(text).toContain('MASHANG-HMAC-SHA256-v1');
    expect(text).toContain('Idempotency-Key');
    for (const id of h.checker.operationIds()) expect(text).toContain(`operationId: ${id}`);
  });
});

describe('looking a person up', () => {
  it("answers each seeded resident's cards with the status codes of PROTOCOLS.md §1, the fee and the centre's date", async () => {
    const normal = await h.client.lookupPerson(seededResident('normal').card.idNumber, signal);
    expect(normal).toEqual({
      ok: true,
      value: {
        cards: [{ cardNo: 'A10000001', status: '1' }],
        hasArchivedPhoto: true,
        reissueFeeFen: 0,
        today: '20250301',
      },
    });
    const lost = await h.client.lookupPerson(seededResident('already-lost').card.idNumber, signal);
    expect(lost.ok && lost.value.cards).toEqual([{ cardNo: 'A10000002', status: '2' }]);
    const noCard = await h.client.lookupPerson(seededResident('no-card').card.idNumber, signal);
    expect(noCard.ok && noCard.value.cards).toEqual([]);
    const noPhoto = await h.client.lookupPerson(seededResident('no-photo').card.idNumber, signal);
    expect(noPhoto.ok && noPhoto.value.hasArchivedPhoto).toBe(false);
    const feeDistrict = await h.client.lookupPerson(
      seededResident('fee-district').card.idNumber,
      signal,
    );
    expect(feeDistrict.ok && feeDistrict.value.reissueFeeFen).toBe(2_000);
  });

  it('judges dates by its own clock, in China time (16:30 UTC is already the next day)', async () => {
    h.clock.advance(14.5 * 3_600_000); // 2025-03-01T16:30Z = 2025-03-02 00:30 in China
    const time = await h.client.centreTime(signal);
    expect(time).toEqual({
      ok: true,
      value: { now: '2025-03-02T00:30:00+08:00', today: '20250302', timeZone: 'Asia/Shanghai' },
    });
    const expired = await h.client.lookupPerson(seededResident('expired-id').card.idNumber, signal);
    expect(expired.ok && expired.value.today).toBe('20250302');
    expect(seededResident('expired-id').card.validTo! < '20250302').toBe(true);
  });

  it('refuses an ID number that fails its check digit, as a refusal and not a crash', async () => {
    const good = makeSimPerson().idNumber;
    const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    expect(await h.client.lookupPerson(bad, signal)).toMatchObject({
      ok: false,
      error: { kind: 'rejected', code: 'INVALID_ID' },
    });
    expect(await h.client.lookupPerson('not a number', signal)).toMatchObject({
      ok: false,
      error: { kind: 'rejected', code: 'INVALID_REQUEST' },
    });
  });
});

describe('verifying identity with a live photo', () => {
  it("matches the holder, does not match someone else's face, and asks again for a photo with no face in it", async () => {
    const photo = { mediaType: 'image/jpeg' as const, data: cameraJpeg() };
    const match = await h.client.verifyFace(
      { key: key('face'), idNumber: seededResident('normal').card.idNumber, photo },
      signal,
    );
    expect(match).toMatchObject({ ok: true, value: { result: 'match' } });
    const other = await h.client.verifyFace(
      { key: key('face'), idNumber: seededResident('face-mismatch').card.idNumber, photo },
      signal,
    );
    expect(other).toMatchObject({ ok: true, value: { result: 'noMatch' } });
    const blank = await h.client.verifyFace(
      {
        key: key('face'),
        idNumber: seededResident('normal').card.idNumber,
        photo: { mediaType: 'image/jpeg', data: cameraJpeg(600) },
      },
      signal,
    );
    expect(blank).toEqual({ ok: true, value: { result: 'retry', reason: 'noFace' } });
    const mislabelled = await h.client.verifyFace(
      {
        key: key('face'),
        idNumber: seededResident('normal').card.idNumber,
        photo: { mediaType: 'image/png', data: cameraJpeg() },
      },
      signal,
    );
    expect(mislabelled).toEqual({ ok: true, value: { result: 'retry', reason: 'poorQuality' } });
  });

  it('counts a repeated check (same key) once', async () => {
    const before = h.centre.stats.faceChecks;
    const request = {
      key: key('face'),
      idNumber: seededResident('normal').card.idNumber,
      photo: { mediaType: 'image/jpeg' as const, data: cameraJpeg() },
    };
    const first = await h.client.verifyFace(request, signal);
    const again = await h.client.verifyFace(request, signal);
    expect(again).toEqual(first);
    expect(h.centre.stats.faceChecks).toBe(before + 1);
  });
});

describe('the archived photo', () => {
  it("is a PNG of the card face's photo box, the same for the same person", async () => {
    const id = seededResident('normal').card.idNumber;
    const photo = await h.client.archivedPhoto(id, signal);
    if (!photo.ok) throw new Error(JSON.stringify(photo.error));
    const png = Buffer.from(photo.value.data);
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([
      photo.value.width,
      photo.value.height,
    ]);
    const again = await h.client.archivedPhoto(id, signal);
    expect(again.ok && Buffer.from(again.value.data).equals(png)).toBe(true);
  });

  it('is refused for a person with no photo on file', async () => {
    const photo = await h.client.archivedPhoto(seededResident('no-photo').card.idNumber, signal);
    expect(photo).toMatchObject({
      ok: false,
      error: { kind: 'rejected', code: 'NO_ARCHIVED_PHOTO' },
    });
  });
});

describe('a loss report and a reissue application', () => {
  it('reports the card lost once: a card already reported lost is not reported again', async () => {
    const person = seededResident('normal').card;
    const loss = await h.client.reportLoss(
      { key: key('loss'), idNumber: person.idNumber, cardNo: 'A10000001' },
      signal,
    );
    expect(loss).toEqual({ ok: true, value: { alreadyReported: false } });
    logical.losses.push('A10000001');
    const lost = seededResident('already-lost').card;
    const again = await h.client.reportLoss(
      { key: key('loss'), idNumber: lost.idNumber, cardNo: 'A10000002' },
      signal,
    );
    expect(again).toEqual({ ok: true, value: { alreadyReported: true } });
    const notTheirs = await h.client.reportLoss(
      { key: key('loss'), idNumber: person.idNumber, cardNo: 'A10000002' },
      signal,
    );
    expect(notTheirs).toMatchObject({
      ok: false,
      error: { kind: 'rejected', code: 'NO_SUCH_CARD' },
    });
  });

  it("opens a reissue only after the loss is reported, and gives a person's open application back instead of a second one", async () => {
    const fresh = makeSimPerson();
    const early = await h.client.openApplication(
      { key: key('application'), idNumber: fresh.idNumber, reason: '11' },
      signal,
    );
    expect(early).toMatchObject({
      ok: false,
      error: { kind: 'rejected', code: 'LOSS_NOT_REPORTED' },
    });
    const registered = await register(h.client, fresh);
    expect(registered.feeFen).toBe(0);
    const again = await h.client.openApplication(
      { key: key('application'), idNumber: fresh.idNumber, reason: '11' },
      signal,
    );
    expect(again).toEqual({
      ok: true,
      value: {
        applicationNo: registered.applicationNo,
        feeFen: 0,
        newCardNo: registered.newCardNo,
      },
    });
    const none = await h.client.openApplication(
      { key: key('application'), idNumber: seededResident('no-card').card.idNumber, reason: '11' },
      signal,
    );
    expect(none).toMatchObject({ ok: false, error: { kind: 'rejected', code: 'NO_CARD_HELD' } });
  });

  it('answers a repeated key with the first answer, and refuses the same key for a different request', async () => {
    const person = makeSimPerson();
    const lookup = await h.client.lookupPerson(person.idNumber, signal);
    const cardNo = lookup.ok ? lookup.value.cards[0]!.cardNo : '';
    const lossKey = key('loss');
    const first = await h.client.reportLoss(
      { key: lossKey, idNumber: person.idNumber, cardNo },
      signal,
    );
    logical.losses.push(cardNo);
    // Had the centre run it again, the card would now be "already reported".
    const repeat = await h.client.reportLoss(
      { key: lossKey, idNumber: person.idNumber, cardNo },
      signal,
    );
    expect(first).toEqual({ ok: true, value: { alreadyReported: false } });
    expect(repeat).toEqual(first);
    const other = await h.client.reportLoss(
      {
        key: lossKey,
        idNumber: seededResident('face-mismatch').card.idNumber,
        cardNo: 'A10000008',
      },
      signal,
    );
    expect(other).toMatchObject({
      ok: false,
      error: { kind: 'rejected', code: 'IDEMPOTENCY_KEY_REUSED' },
    });
  });
});

describe("personalisation through the centre's HSM", () => {
  it("writes a blank chip that checks the cryptogram, then the result makes the new card the person's card", async () => {
    const person = makeSimPerson({ name: '孙桂芳' });
    const { applicationNo, newCardNo, cardNo } = await register(h.client, person);
    const card = new SimulatedSsseCard();
    const written = await personalise(
      chipSession(card),
      h.client,
      { applicationNo, holder: person },
      signal,
    );
    expect(written).toEqual({
      ok: true,
      value: { identification: Buffer.from(card.identification).toString('hex').toUpperCase() },
    });
    // The chip holds the card number the centre chose (EF05 record 7).
    const record = card.process(new Uint8Array([0x00, 0xb2, 0x07, 0x2c, 0x00]));
    expect(Buffer.from(record.subarray(2, 11)).toString('ascii')).toBe(newCardNo);

    const status = await h.client.applicationStatus(applicationNo, signal);
    expect(status).toMatchObject({
      ok: true,
      value: { status: 'ready', feeFen: 0, paidFen: 0, newCardNo },
    });
    const reported = await h.client.reportCardIssued(
      {
        key: key('result'),
        applicationNo,
        identification: written.ok ? written.value.identification : '',
        outcome: 'issued',
        cardNo: newCardNo,
      },
      signal,
    );
    expect(reported).toEqual({ ok: true, value: undefined });
    const after = await h.client.lookupPerson(person.idNumber, signal);
    expect(after.ok && after.value.cards).toEqual([
      { cardNo: newCardNo, status: CARD_STATUS.normal },
      { cardNo, status: CARD_STATUS.cancelled },
    ]);
    const closed = await h.client.applicationStatus(applicationNo, signal);
    expect(closed).toMatchObject({ ok: true, value: { status: 'issued' } });
  });

  it('cancels a spoiled chip, refuses a second issued chip, and refuses a holder who is not the applicant', async () => {
    const person = makeSimPerson();
    const { applicationNo } = await register(h.client, person);
    const stranger = makeSimPerson();
    const plan = await h.client.personalisationPlan(
      {
        applicationNo,
        identification: '330100D15600000501020304050607F8',
        challenge: '0102030405060708',
        holder: stranger,
      },
      signal,
    );
    expect(plan).toMatchObject({ ok: false, error: { kind: 'rejected', code: 'HOLDER_MISMATCH' } });

    const spoiled = new SimulatedSsseCard();
    const spoiledId = Buffer.from(spoiled.identification).toString('hex').toUpperCase();
    expect(
      await h.client.reportCardIssued(
        { key: key('result'), applicationNo, identification: spoiledId, outcome: 'spoiled' },
        signal,
      ),
    ).toEqual({
      ok: true,
      value: undefined,
    });
    const good = new SimulatedSsseCard();
    const written = await personalise(
      chipSession(good),
      h.client,
      { applicationNo, holder: person },
      signal,
    );
    expect(written.ok).toBe(true);
    const goodId = Buffer.from(good.identification).toString('hex').toUpperCase();
    expect(
      (
        await h.client.reportCardIssued(
          { key: key('result'), applicationNo, identification: goodId, outcome: 'issued' },
          signal,
        )
      ).ok,
    ).toBe(true);
    const second = await h.client.reportCardIssued(
      { key: key('result'), applicationNo, identification: spoiledId, outcome: 'issued' },
      signal,
    );
    expect(second).toMatchObject({
      ok: false,
      error: { kind: 'rejected', code: 'ALREADY_ISSUED' },
    });
    expect(await h.client.applicationStatus(applicationNo, signal)).toMatchObject({
      ok: true,
      value: { status: 'issued', spoiledChips: 1 },
    });
  });

  it('writes a name with a character outside GBK to the name extension, and reads back the full name', async () => {
    const rare = seededResident('rare-name').card;
    expect(rare.name).toBe('吴𠮷');
    const { applicationNo } = await register(h.client, rare);
    const card = new SimulatedSsseCard();
    const written = await personalise(
      chipSession(card),
      h.client,
      { applicationNo, holder: rare },
      signal,
    );
    expect(written.ok).toBe(true);
    // EF06 record 3 (SFI 6) holds tag 4E: 吴𠮷 in GB 18030, padded with 00 to 20 bytes.
    expect(card.snapshot().records['6:3']).toBe(`4E14CEE29534B235${'00'.repeat(14)}`);
    const read = await readSsseCard(chipSession(card), signal);
    expect(read).toMatchObject({
      ok: true,
      value: { holder: { idNumber: rare.idNumber, name: '吴□', nameExtension: '吴𠮷' } },
    });
    expect(read.ok && holderName(read.value.holder)).toBe('吴𠮷');
  });

  it('keeps a name wholly in GBK out of the name extension: no record 3 is written', async () => {
    const person = makeSimPerson({ name: '王秀英' });
    const { applicationNo } = await register(h.client, person);
    const card = new SimulatedSsseCard();
    const written = await personalise(
      chipSession(card),
      h.client,
      { applicationNo, holder: person },
      signal,
    );
    expect(written.ok).toBe(true);
    expect(card.snapshot().records['6:3']).toBeUndefined();
    expect(card.snapshot().records['6:2']).toBe(`091ECDF5D0E3D3A2${'00'.repeat(24)}`);
  });

  it('refuses to personalise a name too long for the name extension', async () => {
    // Six characters of four bytes and one of two: 26 bytes of GB 18030, the extension holds 20.
    const person = makeSimPerson({ name: '王𠮷𠮷𠮷𠮷𠮷𠮷' });
    const { applicationNo } = await register(h.client, person);
    const card = new SimulatedSsseCard();
    const written = await personalise(
      chipSession(card),
      h.client,
      { applicationNo, holder: person },
      signal,
    );
    expect(written).toEqual({
      ok: false,
      error: { kind: 'cardCentre', detail: 'NAME_NOT_ENCODABLE' },
    });
    // Nothing was written to the chip.
    expect(Object.keys(card.snapshot().records)).toEqual(['5:1']);
  });
});

describe('the fee', () => {
  it('payment unknown, then paid: the resident confirms on their phone while the kiosk queries', async () => {
    const person = makeSimPerson({ district: '330108' });
    const { applicationNo, feeFen } = await register(h.client, person);
    expect(feeFen).toBe(2_000);
    const unpaid = await personalise(
      chipSession(),
      h.client,
      { applicationNo, holder: person },
      signal,
    );
    expect(unpaid).toEqual({
      ok: false,
      error: { kind: 'cardCentre', detail: 'PAYMENT_REQUIRED' },
    });

    const order = orderNo();
    const pay = await h.client.pay(
      {
        orderNo: order,
        applicationNo,
        amountFen: feeFen,
        paymentCode: SIMULATED_PAYMENT_CODES.paidAfterConfirming,
      },
      signal,
    );
    logical.payments.push(order);
    expect(pay).toMatchObject({
      ok: true,
      value: { orderNo: order, state: 'paying', amountFen: 2_000 },
    });
    // Each wait between queries lets three seconds pass at the centre.
    const settled = await settlePayment(h.client, order, {
      signal,
      pollIntervalMs: 3_000,
      sleep: async (ms) => {
        h.clock.advance(ms);
        return true;
      },
    });
    expect(settled).toMatchObject({
      ok: true,
      value: { outcome: 'paid', payment: { state: 'paid', refundedFen: 0 } },
    });
    expect(await h.client.applicationStatus(applicationNo, signal)).toMatchObject({
      ok: true,
      value: { status: 'ready', paidFen: 2_000 },
    });
    expect(
      (await personalise(chipSession(), h.client, { applicationNo, holder: person }, signal)).ok,
    ).toBe(true);
  });

  it('payment unknown, then reversed: the resident never confirms, and nothing stays charged', async () => {
    const person = makeSimPerson({ district: '330108' });
    const { applicationNo, feeFen } = await register(h.client, person);
    const order = orderNo();
    const pay = await h.client.pay(
      {
        orderNo: order,
        applicationNo,
        amountFen: feeFen,
        paymentCode: SIMULATED_PAYMENT_CODES.neverConfirmed,
      },
      signal,
    );
    logical.payments.push(order);
    expect(pay).toMatchObject({ ok: true, value: { state: 'paying' } });
    // While it is unsettled, a second payment for the same application is refused.
    const second = orderNo();
    const twice = await h.client.pay(
      {
        orderNo: second,
        applicationNo,
        amountFen: feeFen,
        paymentCode: SIMULATED_PAYMENT_CODES.paid,
      },
      signal,
    );
    expect(twice).toMatchObject({
      ok: false,
      error: { kind: 'rejected', code: 'PAYMENT_IN_PROGRESS' },
    });

    const settled = await settlePayment(h.client, order, {
      signal,
      maxQueries: 3,
      sleep: async () => true,
    });
    expect(settled).toMatchObject({
      ok: true,
      value: { outcome: 'reversed', payment: { state: 'reversed', refundedFen: 0 } },
    });
    expect(await h.client.queryPayment(order, signal)).toMatchObject({
      ok: true,
      value: { state: 'reversed' },
    });
    expect(await h.client.applicationStatus(applicationNo, signal)).toMatchObject({
      ok: true,
      value: { status: 'awaitingPayment', paidFen: 0 },
    });
  });

  it('a pay call that times out (the centre charged, the answer never came) is settled by query as paid, charged once', async () => {
    const person = makeSimPerson({ district: '330108' });
    const { applicationNo, feeFen } = await register(h.client, person);
    const order = orderNo();
    h.faults.hangAfterCommit.set('pay', 'always');
    try {
      const pay = await h.client.pay(
        {
          orderNo: order,
          applicationNo,
          amountFen: feeFen,
          paymentCode: SIMULATED_PAYMENT_CODES.paid,
        },
        signal,
      );
      logical.payments.push(order);
      expect(pay).toEqual({
        ok: false,
        error: { kind: 'timeout', operation: 'pay', afterMs: 400, attempts: 3 },
      });
    } finally {
      h.faults.hangAfterCommit.clear();
    }
    const settled = await settlePayment(h.client, order, { signal, sleep: async () => true });
    expect(settled).toMatchObject({ ok: true, value: { outcome: 'paid' } });
    expect(h.centre.records().payments.filter((p) => p.orderNo === order)).toEqual([
      { orderNo: order, applicationNo, state: 'paid', amountFen: 2_000, refundedFen: 0 },
    ]);
  });

  it('a pay answer lost after commit is recovered by the retry: the same payment, not a second one', async () => {
    const person = makeSimPerson({ district: '330108' });
    const { applicationNo, feeFen } = await register(h.client, person);
    const order = orderNo();
    h.faults.dropAfterCommit.set('pay', 'first');
    const before = h.exchanges.length;
    const pay = await h.client.pay(
      {
        orderNo: order,
        applicationNo,
        amountFen: feeFen,
        paymentCode: SIMULATED_PAYMENT_CODES.paid,
      },
      signal,
    );
    h.faults.dropAfterCommit.clear();
    logical.payments.push(order);
    expect(pay).toMatchObject({ ok: true, value: { orderNo: order, state: 'paid' } });
    // Only the retry's exchange completed; the first attempt's connection was dropped.
    expect(h.exchanges.slice(before).filter((e) => e.url.endsWith('/v1/payments'))).toHaveLength(1);
    expect(
      h.centre.records().payments.filter((p) => p.applicationNo === applicationNo),
    ).toHaveLength(1);
  });

  it('a reversal that reaches the centre before its payment reserves the order: the late payment is never charged', async () => {
    const person = makeSimPerson({ district: '330108' });
    const { applicationNo, feeFen } = await register(h.client, person);
    const order = orderNo();
    expect(await h.client.queryPayment(order, signal)).toMatchObject({
      ok: false,
      error: { kind: 'rejected', code: 'NO_SUCH_ORDER' },
    });
    const reversed = await h.client.reversePayment(
      { orderNo: order, reason: 'unknownOutcome' },
      signal,
    );
    expect(reversed).toMatchObject({
      ok: true,
      value: { orderNo: order, state: 'reversed', applicationNo: null, refundedFen: 0 },
    });
    logical.reservedOrders.push(order);
    const late = await h.client.pay(
      {
        orderNo: order,
        applicationNo,
        amountFen: feeFen,
        paymentCode: SIMULATED_PAYMENT_CODES.paid,
      },
      signal,
    );
    expect(late).toMatchObject({ ok: true, value: { state: 'reversed', refundedFen: 0 } });
    expect(await h.client.applicationStatus(applicationNo, signal)).toMatchObject({
      ok: true,
      value: { paidFen: 0, status: 'awaitingPayment' },
    });
  });

  it('refunds a paid fee in full when no card can be made, and declines a code without funds', async () => {
    const person = makeSimPerson({ district: '330108' });
    const { applicationNo, feeFen } = await register(h.client, person);
    const poor = orderNo();
    const declined = await h.client.pay(
      {
        orderNo: poor,
        applicationNo,
        amountFen: feeFen,
        paymentCode: SIMULATED_PAYMENT_CODES.insufficientFunds,
      },
      signal,
    );
    logical.payments.push(poor);
    expect(declined).toMatchObject({
      ok: true,
      value: { state: 'declined', declineReason: 'insufficientFunds' },
    });
    const wrongAmount = await h.client.pay(
      {
        orderNo: orderNo(),
        applicationNo,
        amountFen: 1,
        paymentCode: SIMULATED_PAYMENT_CODES.paid,
      },
      signal,
    );
    expect(wrongAmount).toMatchObject({
      ok: false,
      error: { kind: 'rejected', code: 'AMOUNT_MISMATCH' },
    });
    const order = orderNo();
    expect(
      await h.client.pay(
        {
          orderNo: order,
          applicationNo,
          amountFen: feeFen,
          paymentCode: SIMULATED_PAYMENT_CODES.paid,
        },
        signal,
      ),
    ).toMatchObject({
      ok: true,
      value: { state: 'paid' },
    });
    logical.payments.push(order);
    const refund = await h.client.reversePayment(
      { orderNo: order, reason: 'productionFailed' },
      signal,
    );
    expect(refund).toMatchObject({ ok: true, value: { state: 'reversed', refundedFen: 2_000 } });
    const repeat = await h.client.reversePayment(
      { orderNo: order, reason: 'productionFailed' },
      signal,
    );
    expect(repeat).toEqual(refund);
  });

  it('charges nothing for a free application', async () => {
    const { applicationNo } = await register(h.client, makeSimPerson());
    const pay = await h.client.pay(
      {
        orderNo: orderNo(),
        applicationNo,
        amountFen: 0,
        paymentCode: SIMULATED_PAYMENT_CODES.paid,
      },
      signal,
    );
    expect(pay).toMatchObject({ ok: false, error: { kind: 'rejected', code: 'NO_FEE_DUE' } });
  });
});

describe('when the connection fails', () => {
  it('committed but the connection dropped: the retry gets the first answer, for every kind of record', async () => {
    const person = makeSimPerson();
    const lookup = await h.client.lookupPerson(person.idNumber, signal);
    const cardNo = lookup.ok ? lookup.value.cards[0]!.cardNo : '';
    for (const op of ['reportLoss', 'openApplication', 'reportCardResult'] as const)
      h.faults.dropAfterCommit.set(op, 'first');
    try {
      const loss = await h.client.reportLoss(
        { key: key('loss'), idNumber: person.idNumber, cardNo },
        signal,
      );
      logical.losses.push(cardNo);
      expect(loss).toEqual({ ok: true, value: { alreadyReported: false } });
      const application = await h.client.openApplication(
        { key: key('application'), idNumber: person.idNumber, reason: '11' },
        signal,
      );
      if (!application.ok) throw new Error(JSON.stringify(application.error));
      logical.applications.push(application.value.applicationNo);
      const card = new SimulatedSsseCard();
      const written = await personalise(
        chipSession(card),
        h.client,
        { applicationNo: application.value.applicationNo, holder: person },
        signal,
      );
      if (!written.ok) throw new Error(JSON.stringify(written.error));
      const result = await h.client.reportCardIssued(
        {
          key: key('result'),
          applicationNo: application.value.applicationNo,
          identification: written.value.identification,
          outcome: 'issued',
        },
        signal,
      );
      expect(result).toEqual({ ok: true, value: undefined });
      expect(
        h.centre
          .records()
          .cardResults.filter((r) => r.applicationNo === application.value.applicationNo),
      ).toHaveLength(1);
    } finally {
      h.faults.dropAfterCommit.clear();
    }
    expect(h.centre.records().lossReports.filter((r) => r.cardNo === cardNo)).toHaveLength(1);
  });

  it('retries exhausted while the centre is unavailable: a typed failure, nothing recorded; the same key later does it once', async () => {
    const person = makeSimPerson();
    const lookup = await h.client.lookupPerson(person.idNumber, signal);
    const cardNo = lookup.ok ? lookup.value.cards[0]!.cardNo : '';
    const lossKey = key('loss');
    h.faults.unavailableNext = 3;
    const failed = await h.client.reportLoss(
      { key: lossKey, idNumber: person.idNumber, cardNo },
      signal,
    );
    expect(failed).toEqual({
      ok: false,
      error: { kind: 'unreachable', detail: 'the card centre answered HTTP 503', attempts: 3 },
    });
    expect(h.centre.records().lossReports.filter((r) => r.cardNo === cardNo)).toHaveLength(0);
    const later = await h.client.reportLoss(
      { key: lossKey, idNumber: person.idNumber, cardNo },
      signal,
    );
    logical.losses.push(cardNo);
    expect(later).toEqual({ ok: true, value: { alreadyReported: false } });
  });

  it('retries exhausted on timeouts after the centre committed: the outcome is unknown, and the repeat later finds the one application', async () => {
    const person = makeSimPerson();
    const lookup = await h.client.lookupPerson(person.idNumber, signal);
    const cardNo = lookup.ok ? lookup.value.cards[0]!.cardNo : '';
    await h.client.reportLoss({ key: key('loss'), idNumber: person.idNumber, cardNo }, signal);
    logical.losses.push(cardNo);
    const applicationKey = key('application');
    const applicationsBefore = h.centre.records().applications.length;
    h.faults.hangAfterCommit.set('openApplication', 'always');
    let timedOut;
    try {
      timedOut = await h.client.openApplication(
        { key: applicationKey, idNumber: person.idNumber, reason: '11' },
        signal,
      );
    } finally {
      h.faults.hangAfterCommit.clear();
    }
    expect(timedOut).toEqual({
      ok: false,
      error: { kind: 'timeout', operation: 'openApplication', afterMs: 400, attempts: 3 },
    });
    expect(h.centre.records().applications).toHaveLength(applicationsBefore + 1);
    const later = await h.client.openApplication(
      { key: applicationKey, idNumber: person.idNumber, reason: '11' },
      signal,
    );
    if (!later.ok) throw new Error(JSON.stringify(later.error));
    logical.applications.push(later.value.applicationNo);
    expect(h.centre.records().applications.at(-1)!.applicationNo).toBe(later.value.applicationNo);
    expect(h.centre.records().applications).toHaveLength(applicationsBefore + 1);
  });

  it('gives up on a centre that is not there, and stops at once when the kiosk aborts', async () => {
    const nowhere = h.makeClient({ baseUrl: 'http://127.0.0.1:1' });
    const failed = await nowhere.centreTime(signal);
    expect(failed).toMatchObject({
      ok: false,
      error: { kind: 'unreachable', attempts: 3, detail: expect.stringMatching(/ECONNREFUSED/) },
    });

    h.faults.hangAfterCommit.set('staffRevocations', 'always');
    try {
      const leaving = new AbortController();
      const pending = h
        .makeClient({ timeouts: { staffRevocations: 600_000 } })
        .staffRevocations(leaving.signal);
      setTimeout(() => leaving.abort(), 20);
      expect(await pending).toEqual({
        ok: false,
        error: { kind: 'unreachable', detail: 'aborted by the kiosk', attempts: 1 },
      });
    } finally {
      h.faults.hangAfterCommit.clear();
    }
  });
});

describe('answers the kiosk cannot trust', () => {
  it('an answer that breaks the schema is a malformed failure naming the field', async () => {
    const id = seededResident('normal').card.idNumber;
    h.checker.ignoring = true;
    onTestFinished(() => {
      h.checker.ignoring = false;
    });
    h.faults.corruptNext('lookupPerson', (body) => {
      const b = body as { cards: { status: string }[] };
      b.cards[0]!.status = '7';
      return b;
    });
    expect(await h.client.lookupPerson(id, signal)).toMatchObject({
      ok: false,
      error: { kind: 'malformed', operation: 'lookupPerson', field: 'cards[0].status' },
    });
    h.faults.corruptNext('centreTime', (body) => ({ ...(body as object), today: undefined }));
    expect(await h.client.centreTime(signal)).toMatchObject({
      ok: false,
      error: { kind: 'malformed', field: 'today' },
    });
    h.faults.corruptNext('staffRevocations', () => 'not an object');
    expect(await h.client.staffRevocations(signal)).toMatchObject({
      ok: false,
      error: { kind: 'malformed', field: '(body)' },
    });
    h.faults.corruptNext('queryPayment', () => ({ refused: true }));
    expect(await h.client.queryPayment('K01-nothing-here', signal)).toMatchObject({
      ok: false,
      error: { kind: 'malformed', field: 'code' },
    });
  });

  it('an answer altered on the way is refused by its signature', async () => {
    h.tamper.next = (body) =>
      Buffer.from(body.toString('utf8').replace('"status":"1"', '"status":"9"'));
    const answer = await h.client.lookupPerson(
      seededResident('face-mismatch').card.idNumber,
      signal,
    );
    expect(answer).toMatchObject({
      ok: false,
      error: { kind: 'malformed', field: 'x-mashang-signature' },
    });
  });

  it('a kiosk with the wrong key, or one the centre does not know, is refused', async () => {
    const wrongKey = h.makeClient({ key: new Uint8Array(32).fill(7) });
    expect(await wrongKey.centreTime(signal)).toMatchObject({
      ok: false,
      error: { kind: 'rejected', code: 'UNAUTHENTICATED' },
    });
    const stranger = h.makeClient({ kioskId: 'not-enrolled' });
    expect(await stranger.centreTime(signal)).toMatchObject({
      ok: false,
      error: { kind: 'rejected', code: 'UNAUTHENTICATED' },
    });
  });

  it("a kiosk whose clock is two hours wrong (after a power failure) learns the centre's time and goes on", async () => {
    const centreNow = h.clock.now().getTime();
    const lagging = h.makeClient({ now: () => centreNow - 2 * 3_600_000 });
    const revocations = await lagging.staffRevocations(signal);
    expect(revocations).toMatchObject({
      ok: true,
      value: { revoked: [{ serial: '0A1B2C3D4E5F0001', reason: 'lost' }] },
    });
    expect(Math.abs(lagging.clockOffsetMs - 2 * 3_600_000)).toBeLessThan(1_000);
  });
});

describe('after every test above', () => {
  it('every answer on the wire matched the OpenAPI document, and every operation answered at least once', () => {
    expect(h.checker.problems).toEqual([]);
    expect([...h.checker.answered].sort()).toEqual(h.checker.operationIds().sort());
  });

  it('the centre holds exactly one loss report, one application and one payment per logical request', () => {
    const records = h.centre.records();
    expect(records.lossReports.map((r) => r.cardNo).sort()).toEqual([...logical.losses].sort());
    expect(records.applications.map((a) => a.applicationNo).sort()).toEqual(
      [...logical.applications].sort(),
    );
    const payments = records.payments.filter((p) => p.applicationNo !== null).map((p) => p.orderNo);
    expect(payments.sort()).toEqual([...logical.payments].sort());
    expect(records.payments.filter((p) => p.applicationNo === null).map((p) => p.orderNo)).toEqual(
      logical.reservedOrders,
    );
    expect(records.lossReports.every((r) => r.kioskId === 'test-kiosk-01')).toBe(true);
  });
});
