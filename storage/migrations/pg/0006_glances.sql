-- warroom schema 6 (PostgreSQL): each incident's status bar as plain values (a cache).
CREATE TABLE glances (
    incident_id  BIGINT PRIMARY KEY REFERENCES incidents(id),
    upto         BIGINT NOT NULL,
    body         TEXT NOT NULL
);
