/**
 * Schema of the embedded event store (`streams` is derived from `events` and may be rebuilt from it). `position` is the global log sequence; AUTOINCREMENT makes
 * sure a position is never reused. The triggers make the table append-only at the database level:
 * any UPDATE aborts, whoever issues it, and a DELETE aborts unless the row lies below its stream's
 * retention horizon (ADR 025). Horizons only ever grow and are never deleted, so the one deletion the
 * triggers allow is "the front of a stream, up to a point that was declared first and cannot be taken
 * back" — the retention path, `truncateBefore`.
 */
export const EVENT_STORE_SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position    INTEGER PRIMARY KEY AUTOINCREMENT,
  stream      TEXT    NOT NULL,
  revision    INTEGER NOT NULL,
  event_id    TEXT    NOT NULL,
  type        TEXT    NOT NULL,
  data        TEXT    NOT NULL,
  metadata    TEXT    NOT NULL,
  recorded_at TEXT    NOT NULL,
  UNIQUE (stream, revision)
);

-- Head of each stream, kept in the append transaction: O(1) revision checks and head lookups.
CREATE TABLE IF NOT EXISTS streams (
  stream        TEXT    PRIMARY KEY,
  head_revision INTEGER NOT NULL,
  head_position INTEGER NOT NULL
) WITHOUT ROWID;

-- Newest position per stream category (the stream name up to its last "-", e.g. "notification-acme-"),
-- kept in the append transaction: a filter's head is found among a few categories instead of every
-- stream (one stream per notification makes those many).
-- The newest stream head in O(log n): reads that trust the derived tables first check them against the log.
CREATE INDEX IF NOT EXISTS streams_by_head_position ON streams (head_position);

CREATE TABLE IF NOT EXISTS stream_categories (
  category      TEXT    PRIMARY KEY,
  head_position INTEGER NOT NULL
) WITHOUT ROWID;

-- Retention horizon per stream: events with a lower revision are expired (ADR 025).
CREATE TABLE IF NOT EXISTS retention_horizons (
  stream          TEXT    PRIMARY KEY,
  before_revision INTEGER NOT NULL CHECK (before_revision >= 0)
) WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS retention_horizons_only_grow
BEFORE UPDATE ON retention_horizons
WHEN NEW.stream IS NOT OLD.stream OR NEW.before_revision < OLD.before_revision
BEGIN
  SELECT RAISE(ABORT, 'retention horizons only grow: lowering or moving one is not allowed');
END;

-- INSERT OR REPLACE deletes the old row without firing DELETE triggers: refuse a lower horizon at insert too.
CREATE TRIGGER IF NOT EXISTS retention_horizons_are_not_replaced_lower
BEFORE INSERT ON retention_horizons
WHEN EXISTS (SELECT 1 FROM retention_horizons h WHERE h.stream = NEW.stream AND h.before_revision > NEW.before_revision)
BEGIN
  SELECT RAISE(ABORT, 'retention horizons only grow: lowering or moving one is not allowed');
END;

CREATE TRIGGER IF NOT EXISTS retention_horizons_are_never_deleted
BEFORE DELETE ON retention_horizons
BEGIN
  SELECT RAISE(ABORT, 'retention horizons are never deleted');
END;

CREATE TRIGGER IF NOT EXISTS events_are_immutable
BEFORE UPDATE ON events
BEGIN
  SELECT RAISE(ABORT, 'events are append-only: UPDATE is not allowed');
END;
`;

/**
 * The DELETE trigger, recreated at every open: databases created before retention had one that
 * refused every DELETE; this one still refuses every DELETE but those below the stream's horizon.
 */
export const EVENT_DELETE_TRIGGER_MIGRATION = `
DROP TRIGGER IF EXISTS events_are_never_deleted;
CREATE TRIGGER events_are_never_deleted
BEFORE DELETE ON events
WHEN NOT EXISTS (SELECT 1 FROM retention_horizons h WHERE h.stream = OLD.stream AND OLD.revision < h.before_revision)
BEGIN
  SELECT RAISE(ABORT, 'events are append-only: DELETE is allowed only below the retention horizon');
END;
`;
