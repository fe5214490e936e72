/**
 * How many round trips, and how many bytes, one reissue costs on the card-centre link, and how
 * long the embedded centre takes to handle each call on loopback (signing, SQLite, schemas).
 * Rural links add ~300 ms per round trip: the round-trip count is the figure that matters there.
 * Prints figures; never passes or fails.
 *
 *   npx tsx bench/card-centre-roundtrips.ts
 */
import { randomBytes } from 'node:crypto';
import { parseResponse } from '../drivers/chip-encoder/apdu.ts';
import { SimulatedSsseCard } from '../drivers/chip-encoder/sim-ssse-card.ts';
import { err, ok } from '../drivers/common/result.ts';
import { makeSimPerson } from '../drivers/id-reader/simulator.ts';
import { EmbeddedCardCentre } from '../kiosk/card-centre/embedded.ts';
import { HttpCardCentre, nodeHttpTransport } from '../kiosk/card-centre/http-client.ts';
import { CardCentreServer } from '../kiosk/card-centre/server.ts';
import { personalise } from '../kiosk/production/personalise.ts';

const RURAL_RTT_MS = 300;
const ROUNDS = 200;

const centre = new EmbeddedCardCentre();
const key = new Uint8Array(randomBytes(32));
const server = new CardCentreServer({ centre, kiosks: new Map([['bench', key]]) });
const url = await server.listen(0);
const transport = nodeHttpTransport();
const calls: { op: string; ms: number; bytes: number }[] = [];
const client = new HttpCardCentre({
  baseUrl: url,
  kioskId: 'bench',
  key,
  transport: {
    async send(request, signal) {
      const started = performance.now();
      const answer = await transport.send(request, signal);
      calls.push({
        op: new URL(request.url).pathname,
        ms: performance.now() - started,
        bytes: request.body.length + answer.body.length,
      });
      return answer;
    },
    close: () => transport.close(),
  },
});
const signal = new AbortController().signal;

async function reissue(): Promise<void> {
  const person = makeSimPerson();
  const lookup = await client.lookupPerson(person.idNumber, signal);
  if (!lookup.ok) throw new Error('lookup');
  const k = randomBytes(6).toString('hex');
  const photo = new Uint8Array(randomBytes(60_000));
  photo.set([0xff, 0xd8, 0xff, 0xe0]);
  await client.verifyFace(
    {
      key: `${k}:face`,
      idNumber: person.idNumber,
      photo: { mediaType: 'image/jpeg', data: photo },
    },
    signal,
  );
  await client.archivedPhoto(person.idNumber, signal);
  await client.reportLoss(
    { key: `${k}:loss`, idNumber: person.idNumber, cardNo: lookup.value.cards[0]!.cardNo },
    signal,
  );
  const application = await client.openApplication(
    { key: `${k}:application`, idNumber: person.idNumber, reason: '11' },
    signal,
  );
  if (!application.ok) throw new Error('application');
  const card = new SimulatedSsseCard();
  const session = {
    atr: card.atr,
    transmit: async (command: Uint8Array) => {
      const response = parseResponse(card.process(command));
      return response ? ok(response) : err({ kind: 'malformedResponse' as const, length: 0 });
    },
    close: async () => {},
  };
  const written = await personalise(
    session,
    client,
    { applicationNo: application.value.applicationNo, holder: person },
    signal,
  );
  if (!written.ok) throw new Error('personalise');
  await client.reportCardIssued(
    {
      key: `${k}:result`,
      applicationNo: application.value.applicationNo,
      identification: written.value.identification,
      outcome: 'issued',
    },
    signal,
  );
}

await reissue(); // warm-up
calls.length = 0;
for (let i = 0; i < ROUNDS; i++) await reissue();

const byOp = new Map<string, number[]>();
for (const c of calls)
  byOp.set(c.op.replace(/\/A\d+/, '/{applicationNo}'), [
    ...(byOp.get(c.op.replace(/\/A\d+/, '/{applicationNo}')) ?? []),
    c.ms,
  ]);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const perReissue = calls.length / ROUNDS;
const bytes = calls.reduce((sum, c) => sum + c.bytes, 0) / ROUNDS;
console.log(`card-centre link, ${ROUNDS} reissues on loopback (node ${process.version}):`);
for (const [op, ms] of byOp) console.log(`  ${op.padEnd(45)} median ${median(ms).toFixed(2)} ms`);
console.log(`  round trips per reissue: ${perReissue} (one personalisation plan per blank)`);
console.log(`  bytes per reissue (bodies, both ways): ${Math.round(bytes / 1024)} KiB`);
console.log(
  `  at ${RURAL_RTT_MS} ms per round trip: ~${((perReissue * RURAL_RTT_MS) / 1000).toFixed(1)} s of link latency per reissue`,
);
client.close();
await server.close();
centre.close();
