/**
 * The session journal: intent and outcome records, what is in doubt, and the personal data kept
 * for recovery — sealed on disk, gone (with every copy in the WAL) once the session settles.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { dbPath } from '../../kiosk/store/database.ts';
import type { KioskStore } from '../../kiosk/store/store.ts';
import { SessionRecords } from '../../kiosk/store/session-records.ts';
import { filesContaining, openStore, silentLogger } from './store-fixture.ts';

const ID_NUMBER = '33010619580101771X';
const CARD_NO = 'A98765432';

let open: KioskStore[] = [];
afterEach(() => {
  for (const store of open) store.close();
  open = [];
});

function fresh() {
  const opened = openStore();
  open.push(opened.store);
  return opened;
}

describe('the session journal', () => {
  it('writes "about to" before and "done" after, and a side effect without an outcome is in doubt', () => {
    const { store } = fresh();
    const records = new SessionRecords(store, silentLogger);
    const session = records.begin();
    const loss = records.intend('lossReported', 'loss', {}, 'reporting the loss', { open: { idNumber: ID_NUMBER, cardNo: CARD_NO } })!;
    records.conclude(loss, 'done', { alreadyReported: false });
    const feed = records.intend('blankTaken', 'feed:1', { attempt: 1 }, 'feeding a blank')!;

    expect(store.journal.records(session).map((r) => [r.step, r.kind, r.outcome])).toEqual([
      ['lossReported', 'intent', null],
      ['lossReported', 'outcome', 'done'],
      ['blankTaken', 'intent', null],
    ]);
    expect(store.journal.inDoubt(session)).toEqual([
      expect.objectContaining({ step: 'blankTaken', key: `${session}:feed:1`, intentSeq: feed.intentSeq, outcome: null }),
    ]);
    // An "unknown" outcome is in doubt too: recovery must ask the world.
    records.conclude(feed, 'unknown', { error: 'aborted' });
    expect(store.journal.inDoubt(session)).toEqual([expect.objectContaining({ step: 'blankTaken', outcome: 'unknown' })]);
  });

  it('refuses an outcome for a side effect that never had an intent, and the same outcome twice', () => {
    const { store } = fresh();
    const records = new SessionRecords(store, silentLogger);
    const session = records.begin();
    const loss = records.intend('lossReported', 'loss', {}, 'reporting the loss', { open: { idNumber: ID_NUMBER, cardNo: CARD_NO } })!;
    expect(() => store.write(() => store.journal.outcome(session, 'blankTaken', `${session}:feed:9`, 'done'))).toThrow(/no intent/);
    expect(records.conclude(loss, 'done')).toBe(true);
    expect(records.conclude(loss, 'failed')).toBe(false);
    expect(store.journal.outcomeOf(loss.key)).toBe('done');
  });

  it('is append-only: a record cannot be changed or deleted', () => {
    const { store } = fresh();
    const records = new SessionRecords(store, silentLogger);
    records.begin();
    records.intend('lossReported', 'loss', {}, 'reporting the loss', { open: { idNumber: ID_NUMBER, cardNo: CARD_NO } });
    expect(() => store.write(() => (store as unknown as { db: Database.Database }).db.prepare("UPDATE journal SET step = 'x'").run())).toThrow(/append-only/);
    expect(() => store.write(() => (store as unknown as { db: Database.Database }).db.prepare('DELETE FROM journal').run())).toThrow(/append-only/);
  });

  it('keeps what recovery needs of the resident sealed: never the plain ID number on disk, and it opens with the key', () => {
    const { store, dataDir, journalKey } = fresh();
    const records = new SessionRecords(store, silentLogger);
    const session = records.begin();
    records.intend('lossReported', 'loss', {}, 'reporting the loss', { open: { idNumber: ID_NUMBER, cardNo: CARD_NO } });
    store.close();
    open = [];
    expect(filesContaining(dataDir, ID_NUMBER)).toEqual([]);
    expect(filesContaining(dataDir, CARD_NO)).toEqual([]);

    const again = openStore(dataDir, { journalKey });
    open.push(again.store);
    expect(again.store.journal.sealedResident(session)).toEqual({ idNumber: ID_NUMBER, cardNo: CARD_NO });
    // With another key it does not open at all.
    again.store.close();
    open = [];
    const wrongKey = openStore(dataDir);
    open.push(wrongKey.store);
    expect(() => wrongKey.store.journal.sealedResident(session)).toThrow();
  });

  it('settles a finished session: its sealed data leaves the database file and the WAL', () => {
    const { store, dataDir } = fresh();
    const records = new SessionRecords(store, silentLogger);
    const session = records.begin();
    const loss = records.intend('lossReported', 'loss', {}, 'reporting the loss', { open: { idNumber: ID_NUMBER, cardNo: CARD_NO } })!;
    records.conclude(loss, 'done');
    const sealed = (store as unknown as { db: Database.Database }).db.prepare('SELECT sealed FROM session_sealed').get() as { sealed: Buffer };
    // A distinctive slice of the ciphertext: present on disk while the session is open.
    const ciphertext = sealed.sealed.subarray(29, 45);
    expect(filesContaining(dataDir, ciphertext).length).toBeGreaterThan(0);

    expect(records.end()).toEqual({ settled: true, outcome: 'notIssued' });
    expect(store.journal.session(session)).toMatchObject({ outcome: 'notIssued', settledAt: expect.any(String) });
    expect(store.journal.sealedResident(session)).toBeNull();
    expect(filesContaining(dataDir, ciphertext)).toEqual([]);
    // The records of what happened stay: they hold no personal data.
    expect(store.journal.records(session)).toHaveLength(2);
  });

  it('leaves a session in doubt unsettled, with its sealed data, for recovery', () => {
    const { store } = fresh();
    const records = new SessionRecords(store, silentLogger);
    const session = records.begin();
    records.intend('lossReported', 'loss', {}, 'reporting the loss', { open: { idNumber: ID_NUMBER, cardNo: CARD_NO } });
    const result = records.end();
    expect(result).toEqual({ settled: false, reason: expect.stringContaining('lossReported') });
    expect(store.journal.unsettled()).toEqual([
      expect.objectContaining({ id: session, holdsSealedData: true, inDoubt: [expect.objectContaining({ step: 'lossReported' })] }),
    ]);
    expect(store.journal.sealedResident(session)).toEqual({ idNumber: ID_NUMBER, cardNo: CARD_NO });
  });

  it('does not settle a session while one of its cards is still inside the printer', () => {
    const { store } = fresh();
    store.write(() => store.ledger.load({ count: 10, batch: 'B1', actor: 'staff:S1' }));
    const records = new SessionRecords(store, silentLogger);
    records.begin();
    const feed = records.intend('blankTaken', 'feed:1', {}, 'feeding', { open: { idNumber: ID_NUMBER, cardNo: CARD_NO } })!;
    records.conclude(feed, 'done', {}, (seq) => store.ledger.fed(1, { sessionId: feed.sessionId, journalSeq: seq, printer: { blanksInFeeder: 9, cardsPrinted: 0, cardsRejected: 0 } }));
    expect(records.end()).toEqual({ settled: false, reason: expect.stringContaining('still inside the printer') });
  });

  it('can be read by a second, read-only connection while the writer holds it', () => {
    const { store, dataDir } = fresh();
    const records = new SessionRecords(store, silentLogger);
    const session = records.begin();
    records.intend('lossReported', 'loss', {}, 'reporting the loss', { open: { idNumber: ID_NUMBER, cardNo: CARD_NO } });
    const reader = new Database(dbPath(dataDir), { readonly: true });
    expect(reader.prepare('SELECT count(*) AS n FROM journal WHERE session_id = ?').get(session)).toEqual({ n: 1 });
    reader.close();
  });
});
