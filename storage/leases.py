"""Who runs each log source: one console per source, whichever claimed it first.

A part of :class:`storage.store.Store` (``store.leases``). A claim is a write transaction (``BEGIN
IMMEDIATE``), so two consoles that claim a source at once are served one after the other:
the first takes it, the second finds it held. A lease whose holder is gone (its process
ended or was killed: ``alive`` says so, from the process table) is taken over. The holder
lets go when its source ends and when it goes away.

The file is on one machine, so a holder's process tells whether it is there: a lease has no
expiry here, renewing it only says whether it is still ours (``ttl`` paces the holder's
checks), and its epoch is always 0: a holder is replaced only once its process is gone, so
no stale holder is left to fence (the server's leases expire and fence:
``storage/pg/leases.py``).
"""

from __future__ import annotations

from datetime import UTC, datetime

import aiosqlite

from incident.ports import Holder, HolderAlive
from storage.plumbing import Plumbing
from storage.sql import ts

LEASE_TTL_S = 10.0  # how often (a third of it) a holder checks that its leases are its own


class Leases:
    """Source leases over the store's plumbing."""

    def __init__(self, db: Plumbing, ttl: float = LEASE_TTL_S) -> None:
        self.db = db
        self.ttl = ttl

    async def claim(
        self, incident_id: int, source_id: str, me: Holder, alive: HolderAlive
    ) -> Holder | None:
        """Take the source for ``me``; None if it is now ours, else the live holder."""

        async def tx(conn: aiosqlite.Connection) -> Holder | None:
            async with conn.execute(
                "SELECT token, pid, started, actor, host FROM source_leases "
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
                "host, since) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(incident_id, source_id) DO "
                "UPDATE SET token=excluded.token, pid=excluded.pid, started=excluded.started, "
                "actor=excluded.actor, host=excluded.host, since=excluded.since",
                (
                    incident_id,
                    source_id,
                    me.token,
                    me.pid,
                    me.started,
                    me.actor,
                    me.host,
                    ts(datetime.now(UTC)),
                ),
            )
            return None

        return await self.db.write(tx)

    async def renew(self, incident_id: int, source_id: str, me: Holder) -> Holder | None:
        """The source's holder: ``me`` while the lease is still ours (nothing to extend)."""
        rows = await self.db.rows(
            "SELECT token, pid, started, actor, host FROM source_leases "
            "WHERE incident_id=? AND source_id=?",
            (incident_id, source_id),
        )
        if not rows:
            return None
        return me if rows[0][0] == me.token else Holder(*rows[0])

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
            "SELECT source_id, token, pid, started, actor, host FROM source_leases "
            "WHERE incident_id=?",
            (incident_id,),
        )
        return {sid: Holder(*rest) for sid, *rest in rows}
