"""Drafts and the contacts roster on the server: parts of :class:`storage.pg.store.PgStore`,
with the SQLite file's semantics (``storage/drafts.py``, ``storage/contacts.py``; the source
leases are ``storage/pg/leases.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import psycopg

from incident.errors import InvalidTransition
from incident.playbook import Contact, load_playbook
from incident.roster import check_roster
from storage.contacts import SEEDED
from storage.pg.plumbing import PgPlumbing
from storage.sql import ts


class Drafts:
    """Drafts by incident and key."""

    def __init__(self, db: PgPlumbing) -> None:
        self.db = db

    async def put(self, incident_id: int, key: str, text: str | None) -> None:
        """Autosave what is typed in an open input (``None`` or empty clears it)."""

        async def tx(conn: psycopg.AsyncConnection) -> None:
            if text:
                await conn.execute(
                    "INSERT INTO drafts(incident_id, key, text, updated_at) VALUES (%s,%s,%s,%s)"
                    " ON CONFLICT(incident_id, key) DO UPDATE SET text=excluded.text, "
                    "updated_at=excluded.updated_at",
                    (incident_id, key, text, ts(datetime.now(UTC))),
                )
            else:
                await conn.execute(
                    "DELETE FROM drafts WHERE incident_id=%s AND key=%s", (incident_id, key)
                )

        await self.db.write(tx)

    async def of(self, incident_id: int) -> dict[str, str]:
        rows = await self.db.rows(
            "SELECT key, text FROM drafts WHERE incident_id=%s", (incident_id,)
        )
        return dict(rows)


class Contacts:
    """The roster: seeded from the playbook on first use, then what the IC saved."""

    def __init__(self, db: PgPlumbing) -> None:
        self.db = db

    async def _rows(self) -> list[Contact]:
        rows = await self.db.rows("SELECT role, contact FROM contacts ORDER BY position")
        return [Contact(role=role, contact=contact) for role, contact in rows]

    async def roster(self, *, seed: bool = True) -> list[Contact]:
        if await self.db.scalar("SELECT value FROM store_meta WHERE key=%s", (SEEDED,)) is None:
            if self.db.read_only or not seed:
                return list(load_playbook().emergency_contacts)

            async def seed_roster(conn: psycopg.AsyncConnection) -> None:
                await conn.execute("LOCK TABLE contacts IN EXCLUSIVE MODE")
                cur = await conn.execute("SELECT 1 FROM store_meta WHERE key=%s", (SEEDED,))
                if await cur.fetchone():
                    return  # another console seeded it first
                await _replace(conn, load_playbook().emergency_contacts, "playbook")

            await self.db.write(seed_roster)
        return await self._rows()

    async def put(
        self,
        contacts: Sequence[Contact],
        *,
        expected: Sequence[Contact] | None = None,
        by: str = "",
    ) -> list[Contact]:
        """Save the whole roster; with ``expected``, refuse if it changed meanwhile."""
        roster = check_roster(contacts)
        await self.roster()

        async def tx(conn: psycopg.AsyncConnection) -> None:
            await conn.execute("LOCK TABLE contacts IN EXCLUSIVE MODE")  # (compare, then save)
            if expected is not None:
                cur = await conn.execute("SELECT role, contact FROM contacts ORDER BY position")
                now = [Contact(role=r, contact=c) for r, c in await cur.fetchall()]
                if now != list(expected) and now != roster:  # (re-run after its commit)
                    raise InvalidTransition(
                        "the emergency contacts were changed elsewhere "
                        "meanwhile: open them again to see the change"
                    )
            await _replace(conn, roster, by)

        await self.db.write(tx)
        return roster


async def _replace(conn: psycopg.AsyncConnection, roster: Sequence[Contact], by: str) -> None:
    at = ts(datetime.now(UTC))
    await conn.execute("DELETE FROM contacts")
    async with conn.cursor() as cur:
        await cur.executemany(
            "INSERT INTO contacts(position, role, contact, updated_at, updated_by) "
            "VALUES (%s,%s,%s,%s,%s)",
            [(n, c.role, c.contact, at, by) for n, c in enumerate(roster, 1)],
        )
    await conn.execute(
        "INSERT INTO store_meta(key, value) VALUES (%s, %s) ON CONFLICT(key) "
        "DO UPDATE SET value=excluded.value",
        (SEEDED, at),
    )
