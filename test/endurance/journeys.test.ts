/**
 * Endurance in short (issue 12; bench/endurance.ts runs 1,000): 200 consecutive resident
 * journeys in one host process, through the bridge as the UI acts, every fifth with a fee paid by
 * payment code, the card centre in its own process. Fails on counts that grow with the journeys —
 * open file descriptors, active handles, pending timers, event listeners on live emitters, bridge
 * clients — and on what a journey must never leave behind: an unsettled session in the journal, a
 * stock ledger that does not balance. After the host stops, everything it opened is closed again.
 * Never on time or memory (those are the benchmark's figures).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startBenchKiosk, type BenchKiosk } from '../../bench/lib/bench-kiosk.ts';
import { census, installListenerCensus, type Census } from '../../bench/lib/census.ts';
import { endurance, type Checkpoint } from '../../bench/lib/endurance.ts';
import { Resident } from '../../bench/lib/resident.ts';

// Before anything is built: listeners and timers are watched from here on.
installListenerCensus();

const JOURNEYS = 200;
const EVERY = 25;
/**
 * How far a count may sit above where it was after the first 25 journeys: a census may catch a
 * printer status poll or a keep-alive socket in flight. A leak of one per journey is +175.
 */
const SLACK = { fds: 3, handles: 3, timers: 3, listeners: 10 } as const;

let kiosk: BenchKiosk | null = null;
let resident: Resident | null = null;
afterAll(async () => {
  await resident?.close();
  await kiosk?.stop();
});

const series = (checkpoints: Checkpoint[], f: (c: Checkpoint) => number) =>
  checkpoints.map((c) => `${c.journeys}:${f(c)}`).join(' ');

describe(`${JOURNEYS} journeys in one host process`, () => {
  it(
    'holds no more descriptors, handles, timers or listeners at the end than after the first 25; leaves every session settled and the ledger balanced; closes everything at stop',
    { timeout: 15 * 60_000 },
    async () => {
      const before: Census = await census();
      kiosk = await startBenchKiosk({ blanks: JOURNEYS + 20 });
      resident = await Resident.connect(kiosk.host.origin, kiosk.host.token);
      const checkpoints = await endurance(kiosk, resident, {
        journeys: JOURNEYS,
        every: EVERY,
        feeEvery: 5,
      });
      const warm = checkpoints[1]!;
      const last = checkpoints.at(-1)!;
      const report = [
        `fds ${series(checkpoints, (c) => c.fds)}`,
        `handles ${series(checkpoints, (c) => c.handles)}`,
        `timers ${series(checkpoints, (c) => c.timers)}`,
        `listeners ${series(checkpoints, (c) => c.listeners.listeners)}`,
        `at the end: timers ${JSON.stringify(last.timerCallbacks)}; listeners ${JSON.stringify(last.listeners.top)}; fds ${JSON.stringify(last.fdKinds)}`,
      ].join('\n');

      expect(last.journeys).toBe(JOURNEYS);
      expect(last.fds, report).toBeLessThanOrEqual(warm.fds + SLACK.fds);
      expect(last.handles, report).toBeLessThanOrEqual(warm.handles + SLACK.handles);
      expect(last.timers, report).toBeLessThanOrEqual(warm.timers + SLACK.timers);
      expect(last.listeners.listeners, report).toBeLessThanOrEqual(
        warm.listeners.listeners + SLACK.listeners,
      );
      // One bridge client (the simulated resident) the whole time: none piles up.
      expect(checkpoints.map((c) => c.bridgeClients)).toEqual(checkpoints.map(() => 1));
      // Every session settled (its sealed personal data deleted), the stock accounted for.
      expect(last.sessions).toBe(JOURNEYS);
      expect(last.unsettled).toBe(0);
      expect(last.ledger).toMatchObject({
        balanced: true,
        inProcess: 0,
        discrepancies: 0,
        issued: JOURNEYS,
      });

      await resident.close();
      resident = null;
      await kiosk.stop();
      kiosk = null;
      // Stopped: the host's ports, sockets, database, log file, device lines and timers are gone
      // (once the loop has turned: a closed handle leaves on the next one).
      await new Promise((resolve) => setTimeout(resolve, 200));
      const after = await census();
      const lasting = (c: Census) => c.handles - (c.resources.Immediate ?? 0);
      const left = `before ${JSON.stringify(before.fdKinds)} ${JSON.stringify(before.resources)} timers ${JSON.stringify(before.timerCallbacks)}\nafter ${JSON.stringify(after.fdKinds)} ${JSON.stringify(after.resources)} timers ${JSON.stringify(after.timerCallbacks)}`;
      expect(after.fds, left).toBeLessThanOrEqual(before.fds);
      expect(lasting(after), left).toBeLessThanOrEqual(lasting(before));
      expect(after.timers, left).toBeLessThanOrEqual(before.timers);
    },
  );
});
