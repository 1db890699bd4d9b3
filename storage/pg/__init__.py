"""The PostgreSQL backend of the journal port (``storage/pg/store.py``): the only code that
imports psycopg, loaded by the composition root only when ``--db`` names a server."""
