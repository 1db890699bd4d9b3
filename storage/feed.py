"""The change feed: what other processes (and this one) committed, cheaply."""

from __future__ import annotations

from typing import Protocol

from incident.journal import Event
from incident.ports import Change


class Journaled(Protocol):
    """What a :class:`Watcher` reads (``storage.store.Store``, which makes the watchers)."""

    local_commits: int  # data_version does not move for the store's own commits: these do

    async def data_version(self) -> int: ...

    async def events(
        self, incident_id: int, *, after_id: int = 0, limit: int | None = None
    ) -> list[Event]: ...


class Watcher:
    """Cheap polling of one incident: a PRAGMA when nothing changed, one indexed range read
    when something did (anything: another console's captured log lines move
    ``data_version`` too, so that read is all such a commit may cost). Its cost does not
    grow with the size of the incident."""

    def __init__(self, store: Journaled, incident_id: int, after_id: int) -> None:
        self._store = store
        self.incident_id = incident_id
        self.last_id = after_id
        self._version: tuple[int, int] | None = None

    async def poll(self, limit: int = 5_000) -> Change | None:
        """New events since the last poll, or ``None`` when nothing was committed."""
        version = (await self._store.data_version(), self._store.local_commits)
        if version == self._version:
            return None
        self._version = version
        events = await self._store.events(self.incident_id, after_id=self.last_id, limit=limit)
        if len(events) == limit:
            self._version = None  # more to read: look again next time
        if events:
            self.last_id = events[-1].id or self.last_id
        return Change(events=events, last_id=self.last_id)
