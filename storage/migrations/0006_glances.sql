-- warroom schema 6: each incident's status bar as plain values, for the console's first
-- frame (incident/glance.py). A cache, not a fact: it is written in the transaction of every
-- event that changes the state, and read only while `upto` is still the incident's newest
-- state event; otherwise the console starts from the journal alone.
CREATE TABLE glances (
    incident_id  INTEGER PRIMARY KEY REFERENCES incidents(id),
    upto         INTEGER NOT NULL,   -- the newest state event folded into it
    body         TEXT NOT NULL       -- JSON (incident.glance.Glance.to_json)
);
