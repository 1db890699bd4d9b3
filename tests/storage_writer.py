"""A writer in its own process, for the multi-process storage tests (not a test module).

usage: python storage_writer.py DB INCIDENT COUNT TAG [--wait] [--interval SECONDS]

Opens the store at DB (a SQLite file, or a PostgreSQL server's URL, as ``--db`` takes it),
prints ``ready``, then appends COUNT notes to incident INCIDENT (COUNT <= 0: until it is
killed). The notes read ``TAG <n>``. Each acknowledged event id is printed on its own line,
flushed, only AFTER ``Store.append`` has returned: a printed id is a promise that the event
is committed. ``--wait`` waits for one line on stdin before the first append (so that
several writers start together); ``--interval`` sleeps between appends.

Exit status 0 when every append was acknowledged; 1 with a one-line ``error: ...`` on stderr
when the store refused (a :class:`incident.errors.WarroomError`).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime

from incident.errors import WarroomError
from incident.journal import Event, Note
from storage.paths import resolve_db
from tui.cli_store import open_store


async def run(args: argparse.Namespace) -> int:
    store = await open_store(resolve_db(args.db))
    try:
        print("ready", flush=True)
        if args.wait:
            await asyncio.to_thread(sys.stdin.readline)
        n = 0
        while args.count <= 0 or n < args.count:
            n += 1
            now = datetime.now(UTC)
            saved = await store.append(
                Event(
                    incident_id=args.incident,
                    occurred_at=now,
                    recorded_at=now,
                    text=f"{args.tag} {n}",
                    owner=args.tag,
                    payload=Note(),
                )
            )
            print(saved.id, flush=True)
            if args.interval:
                await asyncio.sleep(args.interval)
    finally:
        await store.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("db")
    p.add_argument("incident", type=int)
    p.add_argument("count", type=int)
    p.add_argument("tag")
    p.add_argument("--wait", action="store_true")
    p.add_argument("--interval", type=float, default=0.0)
    args = p.parse_args(argv)
    try:
        return asyncio.run(run(args))
    except WarroomError as e:
        print(f"error: {e}", file=sys.stderr, flush=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
