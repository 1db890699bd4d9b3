"""Storage failures as one-line, user-facing errors."""

from __future__ import annotations

import sqlite3

from incident.errors import WarroomError


class StoreError(WarroomError):
    """The database cannot be used as asked; the message says why."""

    exit_code = 6


class SchemaTooNew(StoreError):
    """The file was written by a newer warroom; it is refused and left untouched."""


class NotAWarroomDatabase(StoreError):
    """Not SQLite, corrupt, or another program's database."""


class StoreBusy(StoreError):
    """Another process held the database locked for longer than we wait."""


def translate(err: sqlite3.Error, path: str) -> StoreError:
    """The one-line explanation of a SQLite error on ``path``."""
    msg = str(err).lower()
    if "not a database" in msg or "malformed" in msg or "corrupt" in msg:
        return NotAWarroomDatabase(f"{path}: the database file is corrupt or not SQLite ({err})")
    if "locked" in msg or "busy" in msg:
        return StoreBusy(f"{path}: the database is locked by another process; try again")
    if "readonly" in msg or "read-only" in msg:
        return StoreError(f"{path}: the database is read-only here ({err})")
    if "full" in msg:
        return StoreError(f"{path}: the disk is full; nothing new was saved ({err})")
    if "unable to open" in msg or "cantopen" in msg:
        return StoreError(f"{path}: cannot open the database file ({err})")
    if "disk i/o" in msg:
        return StoreError(f"{path}: disk I/O error ({err})")
    return StoreError(f"{path}: {err}")
