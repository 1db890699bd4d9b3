-- warroom schema 2 (PostgreSQL): the captured output of log sources.
CREATE TABLE captured_lines (
    incident_id  BIGINT NOT NULL REFERENCES incidents(id),
    source_id    TEXT NOT NULL,
    no           BIGINT NOT NULL,
    err          INTEGER NOT NULL DEFAULT 0,
    read_at      TEXT NOT NULL,
    text         TEXT NOT NULL,
    PRIMARY KEY (incident_id, source_id, no)
);
