/**
 * The embedded card centre's own records: one SQLite file, `<its data dir>/card-centre.db`, in
 * WAL mode — never under the kiosk's data directory (the centre is another system, with its own
 * data). Without a data directory the records live in memory (tests that build a centre directly).
 *
 * Residents are keyed by HMAC-SHA256(salt, ID number): the records never hold an ID number or a
 * name. The salt is the store's own, made when the store is created.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SEEDED_RESIDENTS, SEEDED_REVOCATIONS } from './seeds.ts';

export type CentreDb = Database.Database;

export const CARD_CENTRE_DB_FILE = 'card-centre.db';

/** Two processes may share a store (a standalone centre and a test reading it): wait briefly for locks. */
const BUSY_TIMEOUT_MS = 5_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS persons (
  person_key TEXT PRIMARY KEY,
  district TEXT NOT NULL,
  has_photo INTEGER NOT NULL,
  face_matches INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS cards (
  card_no TEXT PRIMARY KEY,
  person_key TEXT NOT NULL REFERENCES persons(person_key),
  status TEXT NOT NULL,
  identification TEXT,
  seq INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS cards_by_person ON cards(person_key);
CREATE TABLE IF NOT EXISTS loss_reports (
  id INTEGER PRIMARY KEY,
  card_no TEXT NOT NULL,
  kiosk_id TEXT NOT NULL,
  reported_at TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS applications (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  application_no TEXT NOT NULL UNIQUE,
  person_key TEXT NOT NULL REFERENCES persons(person_key),
  reason TEXT NOT NULL,
  fee_fen INTEGER NOT NULL,
  new_card_no TEXT NOT NULL,
  status TEXT NOT NULL,
  kiosk_id TEXT NOT NULL,
  opened_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS payments (
  order_no TEXT PRIMARY KEY,
  application_no TEXT,
  amount_fen INTEGER NOT NULL,
  behaviour TEXT NOT NULL,
  state TEXT NOT NULL,
  decline_reason TEXT,
  created_ms INTEGER NOT NULL,
  paid_at TEXT,
  reversed_at TEXT,
  refunded_fen INTEGER NOT NULL,
  kiosk_id TEXT NOT NULL,
  idempotency_key TEXT
) STRICT;
CREATE TABLE IF NOT EXISTS chip_results (
  id INTEGER PRIMARY KEY,
  application_no TEXT NOT NULL,
  identification TEXT NOT NULL,
  outcome TEXT NOT NULL,
  card_no TEXT,
  kiosk_id TEXT NOT NULL,
  reported_at TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS face_checks (
  id INTEGER PRIMARY KEY,
  person_key TEXT NOT NULL,
  result TEXT NOT NULL,
  kiosk_id TEXT NOT NULL,
  checked_at TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS idempotency (
  kiosk_id TEXT NOT NULL,
  key TEXT NOT NULL,
  operation TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  answer TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (kiosk_id, key)
) STRICT;
CREATE TABLE IF NOT EXISTS revocations (
  serial TEXT PRIMARY KEY,
  revoked_at TEXT NOT NULL,
  reason TEXT NOT NULL
) STRICT;
`;

export interface OpenedStore {
  db: CentreDb;
  salt: Buffer;
  /** The file, or null for a store in memory. */
  file: string | null;
}

/** Opens (creating when new) the centre's records and plants the seeded residents that are missing. */
export function openCentreStore(dataDir: string | null): OpenedStore {
  let file: string | null = null;
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    file = path.join(dataDir, CARD_CENTRE_DB_FILE);
  }
  const db = new Database(file ?? ':memory:', { timeout: BUSY_TIMEOUT_MS });
  try {
    if (file) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      chmodSync(file, 0o600);
    }
    db.pragma('foreign_keys = ON');
    db.exec(SCHEMA);
    const salt = db
      .transaction(() => {
        db.prepare(`INSERT OR IGNORE INTO meta (name, value) VALUES ('salt', ?)`).run(
          randomBytes(16).toString('hex'),
        );
        const value = Buffer.from(
          (db.prepare(`SELECT value FROM meta WHERE name = 'salt'`).get() as { value: string })
            .value,
          'hex',
        );
        plantSeeds(db, value);
        return value;
      })
      .immediate();
    return { db, salt, file };
  } catch (error) {
    db.close();
    throw error;
  }
}

export function personKey(salt: Uint8Array, idNumber: string): string {
  return createHmac('sha256', salt).update(idNumber).digest('hex');
}

function plantSeeds(db: CentreDb, salt: Buffer): void {
  const addPerson = db.prepare(
    'INSERT OR IGNORE INTO persons (person_key, district, has_photo, face_matches) VALUES (?, ?, ?, ?)',
  );
  const addCard = db.prepare(
    'INSERT OR IGNORE INTO cards (card_no, person_key, status, identification, seq) VALUES (?, ?, ?, NULL, ?)',
  );
  SEEDED_RESIDENTS.forEach((resident, i) => {
    const key = personKey(salt, resident.card.idNumber);
    addPerson.run(
      key,
      resident.card.idNumber.slice(0, 6),
      resident.centre.hasArchivedPhoto ? 1 : 0,
      resident.centre.faceMatches ? 1 : 0,
    );
    resident.centre.cards.forEach((card, j) =>
      addCard.run(card.cardNo, key, card.status, -(i * 10 + j)),
    );
  });
  const revoke = db.prepare(
    'INSERT OR IGNORE INTO revocations (serial, revoked_at, reason) VALUES (?, ?, ?)',
  );
  for (const r of SEEDED_REVOCATIONS) revoke.run(r.serial, r.revokedAt, r.reason);
}
