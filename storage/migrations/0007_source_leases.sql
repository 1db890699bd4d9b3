-- warroom schema 7: which console runs each log source. Several consoles attach to one
-- incident; one of them runs a source and captures its output, the others show that
-- capture. A console claims a source in a write transaction, and only where nobody holds
-- it or its holder's process is gone (storage/leases.py); it lets go when the source ends
-- or the console goes away.
CREATE TABLE source_leases (
    incident_id  INTEGER NOT NULL REFERENCES incidents(id),
    source_id    TEXT NOT NULL,
    token        TEXT NOT NULL,      -- the holding console
    pid          INTEGER NOT NULL,   -- its process
    started      REAL NOT NULL,      -- its process's start time (epoch seconds)
    actor        TEXT NOT NULL DEFAULT '',
    since        TEXT NOT NULL,      -- when it claimed the source (UTC)
    PRIMARY KEY (incident_id, source_id)
);
