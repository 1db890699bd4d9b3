-- warroom schema 3 (PostgreSQL): the emergency contacts roster, and facts about the store.
CREATE TABLE contacts (
    position    INTEGER PRIMARY KEY,
    role        TEXT NOT NULL,
    contact     TEXT NOT NULL DEFAULT '',
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL DEFAULT ''
);

CREATE TABLE store_meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
