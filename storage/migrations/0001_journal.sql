-- warroom schema 1: incidents and their append-only journal, plus autosaved drafts.
CREATE TABLE incidents (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,   -- INC-<id>, never reused
    created_at  TEXT NOT NULL
);

CREATE TABLE events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id  INTEGER NOT NULL REFERENCES incidents(id),
    occurred_at  TEXT NOT NULL,        -- UTC, 'YYYY-MM-DDTHH:MM:SS.ffffffZ' (sorts as text)
    recorded_at  TEXT NOT NULL,
    kind         TEXT NOT NULL,
    text         TEXT NOT NULL,
    action       TEXT NOT NULL DEFAULT '',
    owner        TEXT NOT NULL DEFAULT '',
    payload      TEXT NOT NULL,        -- JSON of the typed payload (incident/journal.py)
    corrects     INTEGER REFERENCES events(id)
);
CREATE INDEX events_by_time ON events(incident_id, occurred_at, id);
CREATE INDEX events_by_kind ON events(incident_id, kind, id);

-- The journal is append-only: a correction is a new event (invariant 1).
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the journal is append-only: add a correction instead'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the journal is append-only: add a correction instead'); END;

-- What is typed into an open input, saved as you type so a dropped link loses nothing.
-- Not part of the journal: a draft becomes an event only when it is saved.
CREATE TABLE drafts (
    incident_id  INTEGER NOT NULL REFERENCES incidents(id),
    key          TEXT NOT NULL,
    text         TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (incident_id, key)
);
