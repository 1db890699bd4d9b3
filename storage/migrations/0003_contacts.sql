-- warroom schema 3: the emergency contacts roster, one for every incident in the file.
-- It is seeded from the playbook's "Emergency Contacts Template" the first time it is read
-- (store_meta remembers that, so a roster emptied on purpose stays empty).
CREATE TABLE contacts (
    position    INTEGER PRIMARY KEY,        -- order in the roster, from 1
    role        TEXT NOT NULL,
    contact     TEXT NOT NULL DEFAULT '',   -- '': not defined yet
    updated_at  TEXT NOT NULL,              -- UTC, when the roster was last saved
    updated_by  TEXT NOT NULL DEFAULT ''
);

-- Small facts about the file itself (key: value).
CREATE TABLE store_meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
