"""Export one incident as a self-contained warroom database file.

The file is a normal warroom database (same schema, owner-only), holding the incident with
its own number, its journal with the original event ids (so corrections still point at what
they correct), and its captured log output. ``warroom review --db FILE INC-n`` opens it.
It records where the incident and its events came from (schema 9, as ``warroom copy``
does), so a copy from the export back to its database lands on the original and carries
nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import aiosqlite

from incident.journal import Event
from incident.ports import Provenance
from storage.capture import CapturedLine
from storage.errors import StoreError
from storage.sql import ts
from storage.store import Store


async def export_incident(
    dest: Path,
    incident_id: int,
    events: Sequence[Event],
    captured: dict[str, Sequence[CapturedLine]],
    *,
    origin: Provenance | None = None,
) -> None:
    """Write the incident to a new database at ``dest`` (which must not exist yet)."""
    if dest.exists() and dest.stat().st_size:
        raise StoreError(f"{dest}: already exists; choose a new file name")
    if not events:
        raise StoreError(f"INC-{incident_id} has no events to export")
    store = await Store.open(dest)
    try:

        async def tx(conn: aiosqlite.Connection) -> None:
            first = min(events, key=lambda e: e.id or 0)
            await conn.execute(
                "INSERT INTO incidents(id, created_at) VALUES (?, ?)",
                (incident_id, ts(first.recorded_at)),
            )
            await conn.executemany(
                "INSERT INTO events(id, incident_id, occurred_at, recorded_at, kind, text, "
                "action, owner, payload, corrects) VALUES (?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        e.id,
                        incident_id,
                        ts(e.occurred_at),
                        ts(e.recorded_at),
                        e.kind.value,
                        e.text,
                        e.action,
                        e.owner,
                        e.payload.model_dump_json(),
                        e.corrects,
                    )
                    for e in sorted(events, key=lambda e: e.id or 0)
                ],
            )
            await conn.executemany(
                "INSERT INTO captured_lines(incident_id, source_id, no, err, read_at, text) "
                "VALUES (?,?,?,?,?,?)",
                [
                    (incident_id, sid, line.no, int(line.err), line.read_at, line.text)
                    for sid, lines in sorted(captured.items())
                    for line in lines
                ],
            )

            if origin is not None:
                await conn.execute(
                    "INSERT INTO copies(incident_id, origin_db, origin_incident) VALUES (?,?,?)",
                    (incident_id, *origin.incident),
                )
                await conn.executemany(
                    "INSERT INTO copied_events(event_id, origin_db, origin_event) VALUES (?,?,?)",
                    [
                        (e.id, *origin.events.get(e.id or 0, (origin.database, e.id)))
                        for e in events
                    ],
                )

        await store.write(tx)
    finally:
        await store.close()
