-- warroom schema 10: the machine of the console that holds a log source (the server's leases
-- gained a time-to-live and an epoch in the same step, storage/migrations/pg/0010). A file
-- is on one machine: a lease is taken over when its holder's process is gone, as before
-- (storage/leases.py), and renewing it only checks that it is still ours.
ALTER TABLE source_leases ADD COLUMN host TEXT NOT NULL DEFAULT '';
