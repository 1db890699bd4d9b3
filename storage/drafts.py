"""Autosaved drafts: what is typed into an open input, kept so that a dropped link loses
nothing (the next attach puts it back).

A part of :class:`storage.store.Store` (``store.drafts``), over its plumbing
(``storage/plumbing.py``).
"""

from __future__ import annotations

from datetime import UTC, datetime

import aiosqlite

from storage.plumbing import Plumbing
from storage.sql import ts


async def delete_drafts(conn: aiosqlite.Connection, incident_id: int, prefix: str) -> None:
    """Forget the drafts of one dialog (keys ``prefix.*``), inside the caller's transaction."""
    head = prefix + "."
    await conn.execute(
        "DELETE FROM drafts WHERE incident_id=? AND substr(key, 1, ?)=?",
        (incident_id, len(head), head),
    )


class Drafts:
    """Drafts by incident and key (the note dialog, each comms draft, ...)."""

    def __init__(self, db: Plumbing) -> None:
        self.db = db

    async def put(self, incident_id: int, key: str, text: str | None) -> None:
        """Autosave what is typed in an open input (``None`` or empty clears it)."""

        async def tx(conn: aiosqlite.Connection) -> None:
            if text:
                await conn.execute(
                    "INSERT INTO drafts(incident_id, key, text, updated_at) VALUES (?,?,?,?) "
                    "ON CONFLICT(incident_id, key) DO UPDATE SET text=excluded.text, "
                    "updated_at=excluded.updated_at",
                    (incident_id, key, text, ts(datetime.now(UTC))),
                )
            else:
                await conn.execute(
                    "DELETE FROM drafts WHERE incident_id=? AND key=?", (incident_id, key)
                )

        await self.db.write(tx)

    async def of(self, incident_id: int) -> dict[str, str]:
        rows = await self.db.rows(
            "SELECT key, text FROM drafts WHERE incident_id=?", (incident_id,)
        )
        return dict(rows)
