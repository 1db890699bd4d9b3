"""What is typed into open dialogs and the comms pane, autosaved so a dropped link loses
nothing (the next attach puts it back).

A draft is kept under a key ``<dialog>.<field>``; a dialog's prefix names one opening of it
(``note.3f9a…``), so a new note never starts from an older one's text. Text typed is written
within ``save_delay`` seconds, and again every ``retry_delay`` while the store refuses.

While the store is a server that cannot be reached, what is typed stays here in memory and
is written once the server is back (retried every ``retry_delay``); that is told once,
through ``down`` (the status bar says it), not by a warning on every retry.

When a dialog is saved, its drafts go in the same transaction as the event
(``Journal.append(drafts_done=prefix)``): ``saving`` marks the prefix first, so an autosave
already under way does not write them back after the event is committed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from incident.errors import Unreachable, WarroomError

if TYPE_CHECKING:  # (the console's first frame imports no domain model)
    from incident.ports import Journal

SAVE_DELAY_S = 0.3
RETRY_DELAY_S = 1.0  # a draft the store refused (locked, full) is written again


def under(key: str, prefix: str) -> bool:
    """Whether ``key`` is one of the dialog ``prefix``'s drafts."""
    return key.startswith(prefix + ".")


class Drafts:
    """The drafts of one incident: read at attach, typed since, and waiting to be written.

    ``schedule(delay, callback)`` runs ``callback`` (a coroutine function) later;
    ``warn(text)`` tells the IC a write failed (the draft is kept and retried);
    ``down(reason)`` that the store (a server) cannot be reached (kept in memory, retried).
    """

    def __init__(
        self,
        schedule: Callable[[float, Callable[[], Any]], Any],
        warn: Callable[[str], None],
        down: Callable[[str], None] | None = None,
    ) -> None:
        self.journal: Journal | None = None
        self.incident_id: int | None = None
        self.saved: dict[str, str] = {}  # as the store has them
        self.pending: dict[str, str] = {}  # typed, not yet written ("" clears)
        self._saving: set[str] = set()  # dialogs closed: being saved, saved or cancelled
        self._schedule = schedule
        self._flushing: asyncio.Lock | None = None
        self._warn = warn
        self._down = down

    def attach(self, journal: Journal, incident_id: int, saved: dict[str, str]) -> None:
        self.journal, self.incident_id, self.saved = journal, incident_id, dict(saved)

    def known(self) -> dict[str, str]:
        """Every draft with text: the stored ones, with what is still to be written on top
        (a dialog being saved has none: its drafts go with the event)."""
        return {
            k: v for k, v in {**self.saved, **self.pending}.items() if v and not self._skipped(k)
        }

    def typed(self, key: str, text: str) -> None:
        """Text typed under ``key``: written within ``SAVE_DELAY_S``. A dialog saved or
        cancelled is closed: what it typed and is only now told is dropped (its messages
        can arrive after the dialog is gone, and would bring the draft back)."""
        if self._skipped(key):
            return
        if not self.pending:
            self._schedule(SAVE_DELAY_S, self.flush)
        self.pending[key] = text

    def _skipped(self, key: str) -> bool:
        return any(under(key, p) for p in self._saving)

    async def flush(self) -> None:
        """Write pending drafts now (also on the way out); one flush at a time, in order."""
        if self._flushing is None:
            self._flushing = asyncio.Lock()
        async with self._flushing:
            await self._flush()

    async def _flush(self) -> None:
        pending, self.pending = self.pending, {}
        if self.journal is None or self.incident_id is None:
            return
        stored = set(self.saved)
        for key, text in pending.items():  # known from now on, so clear() finds them
            if text:
                self.saved[key] = text
            else:
                self.saved.pop(key, None)
        # (clearing a draft the store never had costs a write for nothing: a field that
        # opens with its default posts one)
        keys = [
            k
            for k in pending
            if (not self._skipped(k) or not pending[k]) and (pending[k] or k in stored)
        ]
        for n, key in enumerate(keys):
            if self._skipped(key) and pending[key]:
                continue  # saved meanwhile, with its drafts: not written back
            try:
                await self.journal.drafts.put(self.incident_id, key, pending[key] or None)
            except WarroomError as e:
                for later in keys[n:]:  # keep it and the rest; try again in a moment
                    self.pending.setdefault(later, pending[later])
                self._schedule(RETRY_DELAY_S, self.flush)
                if isinstance(e, Unreachable) and self._down is not None:
                    self._down(str(e))
                else:
                    self._warn(f"draft not saved yet (kept here, retrying): {e}")
                return

    def back(self) -> None:
        """The store can be reached again: write what was kept meanwhile, now."""
        if self.pending:
            self._schedule(0, self.flush)

    async def clear(self, prefix: str) -> None:
        """Forget a dialog's drafts (it was cancelled on purpose); it is closed."""
        self._saving.add(prefix)
        for key in {k for k in [*self.saved, *self.pending] if under(k, prefix)}:
            self.pending[key] = ""  # (flush deletes what the store has)
        await self.flush()

    @contextmanager
    def saving(self, prefix: str | None) -> Iterator[None]:
        """Around the append that saves dialog ``prefix`` with its drafts: nothing of it is
        written meanwhile; if the append fails, what was typed is kept and written later;
        if it succeeds, the drafts are forgotten (the store deleted them with the append)."""
        if prefix is None:
            yield
            return
        self._saving.add(prefix)
        held = {k: v for k, v in self.pending.items() if under(k, prefix)}
        for key in held:
            del self.pending[key]
        try:
            yield
        except BaseException:
            self._saving.discard(prefix)
            if held:
                if not self.pending:
                    self._schedule(SAVE_DELAY_S, self.flush)
                self.pending.update(held)
            raise
        for key in [k for k in self.saved if under(k, prefix)]:
            del self.saved[key]

    def prefixes(self, *dialogs: str) -> list[str]:
        """The dialogs of these kinds (``note``, ``correct``) that have drafts, oldest key
        order: e.g. ``note.3f9a…`` or an older warroom's ``note``."""
        found: dict[str, None] = {}
        for key in self.known():
            prefix = key.rpartition(".")[0]
            if prefix.partition(".")[0] in dialogs:
                found.setdefault(prefix)
        return list(found)
