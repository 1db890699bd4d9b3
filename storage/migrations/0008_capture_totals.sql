-- warroom schema 8: what each log source's capture holds, so that its writer keeps it within
-- its line limit and byte budget without reading the lines back. The capture writer
-- (storage/capture.py) reads and rewrites a source's row in the transaction that adds or
-- trims its lines, so the row is right whichever console writes, after any restart. A
-- source without a row (a file exported, or written before schema 8) is counted once, by
-- the first writer that stores lines for it.
CREATE TABLE capture_totals (
    incident_id  INTEGER NOT NULL REFERENCES incidents(id),
    source_id    TEXT NOT NULL,
    lines        INTEGER NOT NULL,   -- rows in captured_lines
    bytes        INTEGER NOT NULL,   -- what they take in the file (storage/capture_budget.py)
    PRIMARY KEY (incident_id, source_id)
);
