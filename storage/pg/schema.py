"""The server's migrations: ``storage/migrations/pg/NNNN_*.sql``, the same numbers as the
SQLite file's (``storage/schema.py``; a test keeps the two sequences in step).

The version is the one row of ``warroom_schema``. Migrating takes an advisory lock, so two
warrooms that start at once migrate one after the other; a schema newer than this warroom
knows is refused before anything is written.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

SCHEMA_LOCK = 0x57524F4D  # pg_advisory_xact_lock key while migrating ("WROM")
VERSION_TABLE = "warroom_schema"


@cache
def migrations() -> tuple[tuple[int, str], ...]:
    """``(version, sql)`` for every server migration, in order."""
    files = sorted(
        (f for f in resources.files("storage.migrations.pg").iterdir() if f.name.endswith(".sql")),
        key=lambda f: f.name,
    )
    out = []
    for n, f in enumerate(files, 1):
        version = int(f.name.split("_", 1)[0])
        if version != n:
            raise RuntimeError(f"migration pg/{f.name} is out of sequence (expected {n:04d})")
        out.append((version, f.read_text(encoding="utf-8")))
    return tuple(out)


def latest_version() -> int:
    return len(migrations())
