/**
 * Schema of the embedded event store (`streams` is derived from `events` and may be rebuilt from it). `position` is the global log sequence; AUTOINCREMENT makes
 * sure a position is never reused. The triggers make the table append-only at the database level:
 * any UPDATE or DELETE aborts, whoever issues it.
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

CREATE TRIGGER IF NOT EXISTS events_are_immutable
BEFORE UPDATE ON events
BEGIN
  SELECT RAISE(ABORT, 'events are append-only: UPDATE is not allowed');
END;

CREATE TRIGGER IF NOT EXISTS events_are_never_deleted
BEFORE DELETE ON events
BEGIN
  SELECT RAISE(ABORT, 'events are append-only: DELETE is not allowed');
END;
`;
