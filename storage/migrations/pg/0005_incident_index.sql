-- warroom schema 5 (PostgreSQL): the newest event of an incident is an index lookup.
CREATE INDEX events_by_incident ON events(incident_id, id);
