"""``warroom copy INC --from DB --to DB``: the composition of the copy (``session/copy.py``).

``--from`` and ``--to`` name databases as ``--db`` does, and are opened in one place
(:func:`open_named`). A source that cannot be written is read instead (then only the target
records the copy); a source that is not there is never made; the target is made if it is
not there (as ``declare`` makes the file), once the source and its incident are found.
Anything refused is one line, exit 2, and nothing is written.
"""

from __future__ import annotations

import argparse
from typing import Any

from incident.clock import Clock
from incident.errors import IncidentNotFound
from session.copy import CopyRefused, copy_incident, said
from session.files import shown
from session.settings import actor
from storage.errors import NotAWarroomDatabase, SchemaTooNew, StoreBusy, StoreError
from storage.paths import resolve_db_path


async def open_named(value: str, *, read_only: bool = False, create: bool = False) -> Any:
    """The database ``value`` names, opened as ``--db``'s is, and how it is shown (no
    password). A refusal to open is the copy's bad input: one line, exit 2."""
    from storage.store import Store

    path = resolve_db_path(value)
    if not create and not path.exists():
        raise CopyRefused(f"{shown(path)}: no such database")
    try:
        return await Store.open(path, read_only=read_only, create=create), shown(path)
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
