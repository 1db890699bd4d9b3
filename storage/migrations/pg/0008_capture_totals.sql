-- warroom schema 8 (PostgreSQL): what each log source's capture holds (lines, bytes).
CREATE TABLE capture_totals (
    incident_id  BIGINT NOT NULL REFERENCES incidents(id),
    source_id    TEXT NOT NULL,
    lines        BIGINT NOT NULL,
    bytes        BIGINT NOT NULL,
    PRIMARY KEY (incident_id, source_id)
);
