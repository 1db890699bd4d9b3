-- warroom schema 5: the newest event of an incident is an index lookup, not a scan of its
-- journal (attach reads it to know where the change feed starts).
CREATE INDEX events_by_incident ON events(incident_id, id);
