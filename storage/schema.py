"""Ordered migrations, versioned with ``PRAGMA user_version``.

Migrations are the ``NNNN_*.sql`` files in ``storage/migrations``, applied in order, each in
its own transaction. A database whose version is newer than the newest migration was made
by a newer warroom: it is refused with a clear message and never altered.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

APPLICATION_ID = 0x57524F4D  # "WROM": marks a SQLite file as warroom's


@cache
def migrations() -> tuple[tuple[int, str], ...]:
    """``(version, sql)`` for every migration, in order."""
    files = sorted(
        (f for f in resources.files("storage.migrations").iterdir() if f.name.endswith(".sql")),
        key=lambda f: f.name,
    )
    out = []
    for n, f in enumerate(files, 1):
        version = int(f.name.split("_", 1)[0])
        if version != n:
            raise RuntimeError(f"migration {f.name} is out of sequence (expected {n:04d})")
        out.append((version, f.read_text(encoding="utf-8")))
    return tuple(out)


def latest_version() -> int:
    return len(migrations())
