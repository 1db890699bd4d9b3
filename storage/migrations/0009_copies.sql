-- warroom schema 9: where a copied incident came from (`warroom copy`, session/copy.py).
-- Every database has a random id of its own, made once (here, for a new database and for
-- an old one alike); a copy of an incident remembers the database and incident it came
-- from, and each copied event the database and event it was first written in, so that a
-- second copy carries only what is new and a copy back lands on the original.
INSERT OR IGNORE INTO store_meta(key, value) VALUES ('database_id', lower(hex(randomblob(16))));

CREATE TABLE copies (
    incident_id      INTEGER NOT NULL UNIQUE REFERENCES incidents(id),  -- the copy here
    origin_db        TEXT NOT NULL,      -- the database it was declared in (its id)
    origin_incident  INTEGER NOT NULL,   -- its number there
    PRIMARY KEY (origin_db, origin_incident)
);

CREATE TABLE copied_events (
    event_id      INTEGER PRIMARY KEY REFERENCES events(id),  -- the event here
    origin_db     TEXT NOT NULL,      -- the database it was first written in
    origin_event  INTEGER NOT NULL,   -- its id there
    UNIQUE (origin_db, origin_event)
);
