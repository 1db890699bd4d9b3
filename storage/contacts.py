"""The emergency contacts roster: kept in the database for every incident to reuse.

A part of :class:`storage.store.Store` (``store.contacts``). The roster starts as the
playbook's "Emergency Contacts Template", written the first time it is read; after that it
is whatever the IC saved, even an empty list. A read-only store that was never seeded reads
the playbook's template without writing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import aiosqlite

from incident.errors import InvalidTransition
from incident.playbook import Contact, load_playbook
from incident.roster import check_roster
from storage.plumbing import Plumbing
from storage.sql import ts

SEEDED = "contacts.seeded_at"


class Contacts:
    """Roster reads and writes over the store's plumbing."""

    def __init__(self, db: Plumbing) -> None:
        self.db = db

    async def roster(self, *, seed: bool = True) -> list[Contact]:
        """The roster, in order; seeded from the playbook on first use (``seed=False``:
        read the playbook's template without writing it, as a report does)."""
        if await self.db.scalar("SELECT value FROM store_meta WHERE key=?", (SEEDED,)) is None:
            if self.db.read_only or not seed:
                return list(load_playbook().emergency_contacts)

            async def seed_roster(conn: aiosqlite.Connection) -> None:
                async with conn.execute("SELECT 1 FROM store_meta WHERE key=?", (SEEDED,)) as cur:
                    if await cur.fetchone():
                        return  # another process seeded it first
                await _replace(conn, load_playbook().emergency_contacts, "playbook")

            await self.db.write(seed_roster)
        rows = await self.db.rows("SELECT role, contact FROM contacts ORDER BY position")
        return [Contact(role=role, contact=contact) for role, contact in rows]

    async def put(
        self,
        contacts: Sequence[Contact],
        *,
        expected: Sequence[Contact] | None = None,
        by: str = "",
    ) -> list[Contact]:
        """Save the whole roster (checked). With ``expected``, refuse if someone else changed
        the roster since it was read, instead of silently undoing their change."""
        roster = check_roster(contacts)
        await self.roster()  # seeded first, so ``expected`` compares like with like

        async def tx(conn: aiosqlite.Connection) -> None:
            if expected is not None:
                async with conn.execute(
                    "SELECT role, contact FROM contacts ORDER BY position"
                ) as cur:
                    now = [Contact(role=r, contact=c) for r, c in await cur.fetchall()]
                if now != list(expected):
                    raise InvalidTransition(
                        "the emergency contacts were changed elsewhere "
                        "meanwhile: open them again to see the change"
                    )
            await _replace(conn, roster, by)

        await self.db.write(tx)
        return roster


async def _replace(conn: aiosqlite.Connection, roster: Sequence[Contact], by: str) -> None:
    at = ts(datetime.now(UTC))
    await conn.execute("DELETE FROM contacts")
    await conn.executemany(
        "INSERT INTO contacts(position, role, contact, updated_at, updated_by) VALUES (?,?,?,?,?)",
        [(n, c.role, c.contact, at, by) for n, c in enumerate(roster, 1)],
    )
    await conn.execute(
        "INSERT INTO store_meta(key, value) VALUES (?, ?) ON CONFLICT(key) "
        "DO UPDATE SET value=excluded.value",
        (SEEDED, at),
    )
