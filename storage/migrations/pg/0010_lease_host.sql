-- warroom schema 10 (PostgreSQL): leases for consoles on several machines. A pid means
-- nothing on another machine, so a lease lasts until expires_at (server time) unless its
-- holder renews it; a claim takes over one that expired, or (same host only) one whose
-- holder's process is gone (storage/pg/leases.py). Every takeover draws a new epoch from
-- the sequence, so epochs only grow, even across a lease let go of and claimed again; the
-- capture writer stores a holder's lines only while the lease has its epoch.
CREATE SEQUENCE source_lease_epochs;
ALTER TABLE source_leases ADD COLUMN host TEXT NOT NULL DEFAULT '';
ALTER TABLE source_leases ADD COLUMN epoch BIGINT NOT NULL DEFAULT nextval('source_lease_epochs');
ALTER TABLE source_leases ADD COLUMN expires_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp();
