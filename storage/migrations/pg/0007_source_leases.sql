-- warroom schema 7 (PostgreSQL): which console runs each log source.
CREATE TABLE source_leases (
    incident_id  BIGINT NOT NULL REFERENCES incidents(id),
    source_id    TEXT NOT NULL,
    token        TEXT NOT NULL,
    pid          INTEGER NOT NULL,
    started      DOUBLE PRECISION NOT NULL,
    actor        TEXT NOT NULL DEFAULT '',
    since        TEXT NOT NULL,
    PRIMARY KEY (incident_id, source_id)
);
