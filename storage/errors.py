"""Storage failures as one-line, user-facing errors."""

from __future__ import annotations

import os
import sqlite3

from incident.errors import Unreachable, WarroomError
from incident.sanitize import visible


class StoreError(WarroomError):
    """The database cannot be used as asked; the message says why."""

    exit_code = 6


class SchemaTooNew(StoreError):
    """The file was written by a newer warroom; it is refused and left untouched."""


class NotAWarroomDatabase(StoreError):
    """Not SQLite, corrupt, or another program's database."""


class StoreBusy(StoreError):
    """Another process held the database locked for longer than we wait."""


class StoreUnreachable(Unreachable):
    """The database server cannot be reached (stopped, the network cut, a failover under
    way): nothing was saved, unless the message says the commit's outcome is not known."""


def translate(err: sqlite3.Error, path: str) -> StoreError:
    """The one-line explanation of a SQLite error on ``path``.

    SQLite's own text may quote the file's bytes (a column that is not UTF-8): it is shown
    with every control made visible, and such a column is reported as damage, unquoted.
    """
    msg = str(err).lower()
    shown = visible(str(err))
    if "not a database" in msg or "malformed" in msg or "corrupt" in msg:
        return NotAWarroomDatabase(f"{path}: the database file is corrupt or not SQLite ({shown})")
    if "could not decode" in msg:
        return NotAWarroomDatabase(
            f"{path}: the database file is corrupt or was not written "
            "by warroom (text that is not UTF-8)"
        )
    if "locked" in msg or "busy" in msg:
        return StoreBusy(f"{path}: the database is locked by another process; try again")
    if "readonly" in msg or "read-only" in msg:
        return StoreError(f"{path}: the database is read-only here ({shown})")
    if "full" in msg:
        return StoreError(f"{path}: the disk is full; nothing new was saved ({shown})")
    if "unable to open" in msg or "cantopen" in msg:
        folder = os.path.dirname(os.path.abspath(path))
        if os.path.isfile(path) and not os.access(folder, os.W_OK):
            return StoreError(
                f"{path}: cannot open the database: its directory is not "
                "writable (SQLite keeps its -wal and -shm files beside it); "
                "`warroom review INC` can still read it"
            )
        return StoreError(f"{path}: cannot open the database file ({shown})")
    if "disk i/o" in msg:
        return StoreError(f"{path}: disk I/O error ({shown})")
    return StoreError(f"{path}: {shown}")
