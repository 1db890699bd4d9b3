"""Which console runs each log source, on the server: leases with a time-to-live, renewed by
their holder, and an epoch that fences a holder that was taken over.

A console on another machine cannot look up a holder's pid, so a lease lasts ``ttl``
seconds of the *server's* clock (``clock_timestamp()``: the consoles' clocks may disagree)
unless its holder renews it, every ``ttl / 3`` (``session/lease_heartbeat.py``). A claim
succeeds where nobody holds the source, where the lease is already ours, where it has
expired, or, on the holder's own machine only, where its process is gone (``alive``: a
console that crashed is taken over at once there, as with the SQLite file).

Every takeover draws a new epoch from a sequence, so a lease's epochs only grow (also
across a lease let go of and claimed again). The capture writer stores a holder's lines
only while the lease still has the epoch they were read under
(``storage/pg/capture.py``): a holder that was paused past its lease, then resumed, adds
nothing after the takeover, and learns at its next renewal that it was taken over.

Claims of one incident are served one after the other: each locks the incident's row
(``FOR NO KEY UPDATE``, which appends, taking only a key-share lock through their foreign
key, do not wait for).
"""

from __future__ import annotations

import math
import os
from dataclasses import replace
from datetime import UTC, datetime

import psycopg

from incident.ports import Holder, HolderAlive
from storage.leases import LEASE_TTL_S
from storage.pg.plumbing import PgPlumbing
from storage.sql import ts

TTL_ENV = "WARROOM_LEASE_TTL"  # seconds; for tests that drive consoles as processes
_HOLDER = "token, pid, started, actor, host, epoch"
_KEY = "incident_id=%s AND source_id=%s"


def lease_ttl() -> float:
    """The leases' time-to-live: ``WARROOM_LEASE_TTL`` where it is a positive number of
    seconds, else the default."""
    try:
        ttl = float(os.environ.get(TTL_ENV, ""))
    except ValueError:
        return LEASE_TTL_S
    return ttl if math.isfinite(ttl) and ttl > 0 else LEASE_TTL_S


class Leases:
    """Source leases on the server."""

    def __init__(self, db: PgPlumbing, ttl: float | None = None) -> None:
        self.db = db
        self.ttl = lease_ttl() if ttl is None else ttl

    async def claim(
        self, incident_id: int, source_id: str, me: Holder, alive: HolderAlive
    ) -> Holder | None:
        """Take the source for ``me``; None if it is now ours, else the live holder."""

        async def tx(conn: psycopg.AsyncConnection) -> Holder | None:
            await conn.execute(
                "SELECT 1 FROM incidents WHERE id=%s FOR NO KEY UPDATE", (incident_id,)
            )
            cur = await conn.execute(
                f"SELECT {_HOLDER}, expires_at > clock_timestamp() FROM source_leases WHERE {_KEY}",
                (incident_id, source_id),
            )
            row = await cur.fetchone()
            if row is not None and row[0] != me.token:
                other = Holder(*row[:6])
                if row[6] and (other.host != me.host or alive(other)):
                    return other  # (held, and not expired; on this machine, running)
            await conn.execute(
                "INSERT INTO source_leases(incident_id, source_id, token, pid, started, actor, "
                "host, since, epoch, expires_at) VALUES (%s,%s,%s,%s,%s,%s,%s,%s, "
                "nextval('source_lease_epochs'), clock_timestamp() + make_interval(secs => %s)) "
                "ON CONFLICT(incident_id, source_id) DO UPDATE SET token=excluded.token, "
                "pid=excluded.pid, started=excluded.started, actor=excluded.actor, "
                "host=excluded.host, since=excluded.since, expires_at=excluded.expires_at, "
                "epoch=CASE WHEN source_leases.token = excluded.token "
                "THEN source_leases.epoch ELSE excluded.epoch END",
                (
                    incident_id,
                    source_id,
                    me.token,
                    me.pid,
                    me.started,
                    me.actor,
                    me.host,
                    ts(datetime.now(UTC)),
                    self.ttl,
                ),
            )
            return None

        return await self.db.write(tx)

    async def renew(self, incident_id: int, source_id: str, me: Holder) -> Holder | None:
        """Extend ``me``'s lease by ``ttl`` from now (server time): ``me`` with the lease's
        epoch while it is ours (expired or not: nobody took it), else its holder or None."""

        async def tx(conn: psycopg.AsyncConnection) -> Holder | None:
            cur = await conn.execute(
                "UPDATE source_leases SET expires_at = clock_timestamp() + "
                f"make_interval(secs => %s) WHERE {_KEY} AND token=%s RETURNING epoch",
                (self.ttl, incident_id, source_id, me.token),
            )
            row = await cur.fetchone()
            if row is not None:
                return replace(me, epoch=row[0])
            cur = await conn.execute(
                f"SELECT {_HOLDER} FROM source_leases WHERE {_KEY}", (incident_id, source_id)
            )
            other = await cur.fetchone()
            return None if other is None else Holder(*other)

        return await self.db.write(tx)

    async def release(self, incident_id: int, token: str, source_id: str | None = None) -> None:
        """Let go of one source (or all) that ``token`` holds."""

        async def tx(conn: psycopg.AsyncConnection) -> None:
            if source_id is None:
                await conn.execute(
                    "DELETE FROM source_leases WHERE incident_id=%s AND token=%s",
                    (incident_id, token),
                )
            else:
                await conn.execute(
                    f"DELETE FROM source_leases WHERE {_KEY} AND token=%s",
                    (incident_id, source_id, token),
                )

        await self.db.write(tx)

    async def holders(self, incident_id: int) -> dict[str, Holder]:
        """The sources held now (an expired lease is nobody's), and by whom."""
        rows = await self.db.rows(
            f"SELECT source_id, {_HOLDER} FROM source_leases "
            "WHERE incident_id=%s AND expires_at > clock_timestamp()",
            (incident_id,),
        )
        return {sid: Holder(*rest) for sid, *rest in rows}
