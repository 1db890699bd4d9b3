-- warroom schema 11: the key a writer made for an appended event, unique where given. The
-- server's appends use it (a COMMIT whose answer was lost with the connection is re-run
-- without storing the event twice: storage/pg/store.py); the file's own appends cannot
-- lose a commit's answer and leave it empty. Kept in both schemas, so that they stay one.
ALTER TABLE events ADD COLUMN append_key TEXT;
CREATE UNIQUE INDEX events_by_append_key ON events(append_key) WHERE append_key IS NOT NULL;
