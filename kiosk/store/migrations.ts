/**
 * The records' schema, as a list of migrations: `PRAGMA user_version` says how many are applied.
 * Append a migration; never edit one that has shipped.
 *
 * Append-only tables refuse UPDATE and DELETE with triggers, so even a bug in the host cannot
 * rewrite history through the normal path (a person with the file can, which is what the audit
 * chain and the copy of its head at the card centre are for).
 */

const appendOnly = (table: string, what: string) => `
CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
  BEGIN SELECT RAISE(ABORT, '${what} is append-only'); END;
CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
  BEGIN SELECT RAISE(ABORT, '${what} is append-only'); END;
`;

const V1 = `
-- One row per resident session that touched the world (its first side effect opened it).
-- No personal data: the id is random; application and transaction numbers are the card centre's.
CREATE TABLE sessions (
  id             TEXT PRIMARY KEY,
  opened_at      TEXT NOT NULL,
  centre_date    TEXT,
  application_no TEXT,
  transaction_no TEXT,
  settled_at     TEXT,
  outcome        TEXT
) STRICT;

-- What recovery needs of the resident, sealed with the journal key (AES-256-GCM); the row is
-- deleted (secure_delete, then a TRUNCATE checkpoint) when the session settles.
CREATE TABLE session_sealed (
  session_id TEXT PRIMARY KEY REFERENCES sessions(id),
  sealed     BLOB NOT NULL
) STRICT;

-- Intent and outcome records around every side effect: "about to do STEP with KEY", then
-- "STEP with KEY done / failed / unknown". An intent without an outcome is in doubt.
CREATE TABLE journal (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id TEXT NOT NULL REFERENCES sessions(id),
  step       TEXT NOT NULL,
  key        TEXT NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('intent', 'outcome')),
  outcome    TEXT CHECK ((kind = 'intent' AND outcome IS NULL)
                      OR (kind = 'outcome' AND outcome IN ('done', 'failed', 'unknown'))),
  detail     TEXT NOT NULL DEFAULT '{}',
  at         TEXT NOT NULL,
  UNIQUE (key, kind)
) STRICT;
CREATE INDEX journal_by_session ON journal (session_id, seq);
${appendOnly('journal', 'the session journal')}

-- Every movement of an accountable blank card, append-only.
CREATE TABLE stock_ledger (
  seq            INTEGER PRIMARY KEY AUTOINCREMENT,
  at             TEXT NOT NULL,
  centre_date    TEXT,
  kind           TEXT NOT NULL CHECK (kind IN
                   ('load', 'fed', 'issued', 'rejected', 'retained', 'count', 'correction', 'discrepancy', 'resolved')),
  count          INTEGER NOT NULL,
  batch          TEXT,
  serial_first   TEXT,
  serial_last    TEXT,
  session_id     TEXT REFERENCES sessions(id),
  journal_seq    INTEGER REFERENCES journal(seq),
  identification TEXT,
  reason         TEXT,
  refers_to      INTEGER REFERENCES stock_ledger(seq),
  actor          TEXT NOT NULL,
  printer        TEXT,
  detail         TEXT NOT NULL DEFAULT '{}'
) STRICT;
${appendOnly('stock_ledger', 'the card-stock ledger')}

-- Messages to the card centre, each with its idempotency key, until acknowledged.
CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  key             TEXT NOT NULL UNIQUE,
  kind            TEXT NOT NULL,
  payload         TEXT NOT NULL,
  session_id      TEXT REFERENCES sessions(id),
  created_at      TEXT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  last_attempt_at TEXT,
  last_error      TEXT,
  acked_at        TEXT,
  superseded_at   TEXT
) STRICT;
CREATE INDEX outbox_pending ON outbox (id) WHERE acked_at IS NULL AND superseded_at IS NULL;
CREATE TRIGGER outbox_message_immutable BEFORE UPDATE OF key, kind, payload, session_id, created_at ON outbox
  BEGIN SELECT RAISE(ABORT, 'an outbox message is immutable once written'); END;
CREATE TRIGGER outbox_no_delete_pending BEFORE DELETE ON outbox WHEN OLD.acked_at IS NULL AND OLD.superseded_at IS NULL
  BEGIN SELECT RAISE(ABORT, 'a pending outbox message cannot be deleted'); END;

-- Staff and technician actions, hash-chained: hash = SHA-256 over (seq, at, actor, action,
-- detail, prev_hash); the first entry's prev_hash is 64 zeros.
CREATE TABLE audit_log (
  seq       INTEGER PRIMARY KEY,
  at        TEXT NOT NULL,
  actor     TEXT NOT NULL,
  action    TEXT NOT NULL,
  detail    TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL
) STRICT;
${appendOnly('audit_log', 'the audit log')}

-- One row the host rewrites to find out whether the disk takes writes again.
CREATE TABLE write_probe (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n  INTEGER NOT NULL
) STRICT;
INSERT INTO write_probe (id, n) VALUES (1, 0);
`;

/**
 * Recovery after a crash (kiosk/recovery): what it learned from the world about a side effect whose
 * outcome the journal did not know, and what it could not settle without a person.
 */
const V2 = `
-- One row per in-doubt record (an intent without outcome, or an outcome "unknown") that recovery
-- settled by asking the world: the printer, the card centre. The journal itself stays what the
-- host knew at the time; a resolved key is no longer in doubt.
--   done      the side effect happened (the world shows it)
--   failed    it did not happen
--   abandoned the world cannot tell, and it no longer matters: the card it concerned was
--             rejected, or it was a receipt nobody is there to take; it is never done again
CREATE TABLE journal_resolutions (
  key        TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES sessions(id),
  step       TEXT NOT NULL,
  outcome    TEXT NOT NULL CHECK (outcome IN ('done', 'failed', 'abandoned')),
  detail     TEXT NOT NULL DEFAULT '{}',
  at         TEXT NOT NULL
) STRICT;
CREATE INDEX journal_resolutions_by_session ON journal_resolutions (session_id);
${appendOnly('journal_resolutions', 'the journal resolutions table')}

-- What needs a person, for staff: a card retained for its resident, a refund the card centre has
-- not acknowledged, a card stuck in the printer. Open until staff clear it (cleared_at).
CREATE TABLE staff_notices (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  at         TEXT NOT NULL,
  session_id TEXT REFERENCES sessions(id),
  kind       TEXT NOT NULL,
  message    TEXT NOT NULL,
  detail     TEXT NOT NULL DEFAULT '{}',
  cleared_at TEXT,
  cleared_by TEXT
) STRICT;
CREATE INDEX staff_notices_open ON staff_notices (id) WHERE cleared_at IS NULL;
CREATE TRIGGER staff_notices_no_delete BEFORE DELETE ON staff_notices
  BEGIN SELECT RAISE(ABORT, 'a staff notice is never deleted (staff clear it)'); END;
CREATE TRIGGER staff_notices_immutable BEFORE UPDATE OF id, at, session_id, kind, message, detail ON staff_notices
  BEGIN SELECT RAISE(ABORT, 'a staff notice is immutable once written'); END;
`;

export const MIGRATIONS: readonly string[] = [V1, V2];
