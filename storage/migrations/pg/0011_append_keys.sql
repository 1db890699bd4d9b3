-- warroom schema 11 (PostgreSQL): each appended event carries the key its writer made for
-- it, unique, so that an append re-run after its COMMIT went unanswered (the connection
-- lost mid-commit) finds the event instead of storing it twice (storage/pg/store.py).
ALTER TABLE events ADD COLUMN append_key TEXT;
CREATE UNIQUE INDEX events_by_append_key ON events(append_key);
