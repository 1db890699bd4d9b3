-- warroom schema 9 (PostgreSQL): where a copied incident came from (`warroom copy`,
-- session/copy.py); as the SQLite file's 0009_copies.sql.
INSERT INTO store_meta(key, value) VALUES ('database_id', replace(gen_random_uuid()::text, '-', ''))
    ON CONFLICT (key) DO NOTHING;

CREATE TABLE copies (
    incident_id      BIGINT NOT NULL UNIQUE REFERENCES incidents(id),
    origin_db        TEXT NOT NULL,
    origin_incident  BIGINT NOT NULL,
    PRIMARY KEY (origin_db, origin_incident)
);

CREATE TABLE copied_events (
    event_id      BIGINT PRIMARY KEY REFERENCES events(id),
    origin_db     TEXT NOT NULL,
    origin_event  BIGINT NOT NULL,
    UNIQUE (origin_db, origin_event)
);
