-- warroom schema 2: the captured output of log sources, bounded per source by the writer.
-- Line numbers continue across runs of a source, so (source, no) names one line for good:
-- evidence cites it, review reads around it.
CREATE TABLE captured_lines (
    incident_id  INTEGER NOT NULL REFERENCES incidents(id),
    source_id    TEXT NOT NULL,
    no           INTEGER NOT NULL,
    err          INTEGER NOT NULL DEFAULT 0,   -- 1: the line came from stderr
    read_at      TEXT NOT NULL,                -- UTC, when warroom read it
    text         TEXT NOT NULL,                -- sanitised: no terminal controls
    PRIMARY KEY (incident_id, source_id, no)
) WITHOUT ROWID;
