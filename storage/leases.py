"""Who runs each log source: one console per source, whichever claimed it first.

A part of :class:`storage.store.Store` (``store.leases``). A claim is a write transaction (``BEGIN
IMMEDIATE``), so two consoles that claim a source at once are served one after the other:
the first takes it, the second finds it held. A lease whose holder is gone (its process
ended or was killed: ``alive`` says so, from the process table) is taken over. The holder
lets go when its source ends and when it goes away.
"""

from __future__ import annotations

from datetime import UTC, datetime

import aiosqlite

from incident.ports import Holder, HolderAlive
from storage.plumbing import Plumbing
from storage.sql import ts


class Leases:
    """Source leases over the store's plumbing."""

    def __init__(self, db: Plumbing) -> None:
        self.db = db

    async def claim(
        self, incident_id: int, source_id: str, me: Holder, alive: HolderAlive
    ) -> Holder | None:
        """Take the source for ``me``; None if it is now ours, else the live holder."""

        async def tx(conn: aiosqlite.Connection) -> Holder | None:
            async with conn.execute(
                "SELECT token, pid, started, actor FROM source_leases "
                "WHERE incident_id=? AND source_id=?",
                (incident_id, source_id),
            ) as cur:
                row = await cur.fetchone()
            if row is not None and row[0] != me.token:
                other = Holder(*row)
                if alive(other):
                    return other
            await conn.execute(
                "INSERT INTO source_leases(incident_id, source_id, token, pid, started, actor, "
                "since) VALUES (?,?,?,?,?,?,?) ON CONFLICT(incident_id, source_id) DO UPDATE "
                "SET token=excluded.token, pid=excluded.pid, started=excluded.started, "
                "actor=excluded.actor, since=excluded.since",
                (
                    incident_id,
                    source_id,
                    me.token,
                    me.pid,
                    me.started,
                    me.actor,
                    ts(datetime.now(UTC)),
                ),
            )
            return None

        return await self.db.write(tx)

    async def release(self, incident_id: int, token: str, source_id: str | None = None) -> None:
        """Let go of one source (or all) that ``token`` holds."""

        async def tx(conn: aiosqlite.Connection) -> None:
            if source_id is None:
                await conn.execute(
                    "DELETE FROM source_leases WHERE incident_id=? AND token=?",
                    (incident_id, token),
                )
            else:
                await conn.execute(
                    "DELETE FROM source_leases WHERE incident_id=? AND source_id=? AND token=?",
                    (incident_id, source_id, token),
                )

        await self.db.write(tx)

    async def holders(self, incident_id: int) -> dict[str, Holder]:
        """Every held source of the incident, and who holds it."""
        rows = await self.db.rows(
            "SELECT source_id, token, pid, started, actor FROM source_leases WHERE incident_id=?",
            (incident_id,),
        )
        return {sid: Holder(token, pid, started, actor) for sid, token, pid, started, actor in rows}
