"""``warroom copy INC --from DB --to DB``: the composition of the copy (``session/copy.py``).

``--from`` and ``--to`` name databases as ``--db`` does (a SQLite file, or a PostgreSQL
server's URL or key=value string), and are opened in one place (:func:`open_named`). A
source that cannot be written is read instead (then only the target records the copy); a
source that is not there is never made; the target is made if it is not there (as
``declare`` makes the file), once the source and its incident are found. Anything refused
is one line, exit 2, and nothing is written.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from incident.clock import Clock
from incident.errors import IncidentNotFound
from session.copy import CopyRefused, copy_incident, said
from session.files import shown
from session.settings import actor
from storage.dsn import ServerDsn
from storage.errors import NotAWarroomDatabase, SchemaTooNew, StoreBusy, StoreError
from storage.paths import resolve_db
from tui.cli_store import open_store


async def open_named(value: str, *, read_only: bool = False, create: bool = False) -> Any:
    """The database ``value`` names (a file, or a server's URL), opened as ``--db``'s is,
    and how it is shown (never a password). A refusal to open is the copy's bad input: one
    line, exit 2."""
    db = resolve_db(value)
    name = db.shown if isinstance(db, ServerDsn) else shown(db)
    if isinstance(db, Path) and not create and not db.exists():
        raise CopyRefused(f"{name}: no such database")
    try:
        return await open_store(db, read_only=read_only, create=create), name
    except StoreBusy:
        raise
    except (SchemaTooNew, NotAWarroomDatabase) as e:
        raise CopyRefused(str(e)) from None
    except StoreError as e:
        raise CannotWrite(str(e)) from None


class CannotWrite(CopyRefused):
    """Not opened for writing (permissions, read-only media): it may still be read."""


async def run_copy(args: argparse.Namespace, clock: Clock) -> int:
    try:
        source, source_name = await open_named(args.source)
    except CannotWrite as e:
        try:  # (a file this user may not write, or read-only media: read it)
            source, source_name = await open_named(args.source, read_only=True)
        except CopyRefused:
            raise e from None
    try:
        try:
            await source.load_state(args.incident)
        except IncidentNotFound:
            raise CopyRefused(f"no incident INC-{args.incident} in {source_name}") from None
        target, target_name = await open_named(args.target, create=True)
        try:
            copied = await copy_incident(
                source,
                source_name,
                args.incident,
                target,
                target_name,
                clock=clock,
                actor=actor(),
            )
        finally:
            await target.close()
    finally:
        await source.close()
    for line in said(copied, source_name, target_name):
        print(line)
    return 0
