-- warroom schema 4 (PostgreSQL): the corrections of the visible rows, without a scan.
CREATE INDEX events_corrections ON events(corrects) WHERE corrects IS NOT NULL;
