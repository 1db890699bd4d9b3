"""The note and correction dialogs of the console: a new one each time, saved with its
drafts in one transaction, and any left unsaved opened again by itself.

A new note always opens empty; a dialog left with text and not saved (the link dropped,
the console was killed, the store refused it) opens again, one at a time, once the console
is on top and what was typed ahead has been played, so new typing never lands in an old
dialog and no two notes are merged. A dialog's drafts are keyed by a prefix naming that
opening (``note.3f9a0c1e``, ``correct.12.77ab01cd``; an older warroom's ``note``).
"""

from __future__ import annotations

import functools
import secrets
from typing import TYPE_CHECKING, Any

from incident.errors import WarroomError

if TYPE_CHECKING:
    from session.session import IncidentSession


class NoteFlow:
    """The console's note and correction dialogs (held by the screen, not mixed into it)."""

    def __init__(self, screen: Any, session: IncidentSession) -> None:
        self.screen = screen  # the ConsoleScreen (its save, its app; no import circle)
        self.session = session
        self.pending: list[str] = []  # draft prefixes of unsaved dialogs to open again
        self.saving: set[str] = set()  # prefixes of dialogs closed and being saved now

    # ------------------------------------------------------------------ notes
    def new_note(self) -> None:
        self._note(f"note.{secrets.token_hex(4)}")

    def _note(self, prefix: str, restored: bool = False) -> None:
        """Open the note dialog at once (a key typed next must find it there)."""
        from tui.screens.note import NoteDialog

        self.screen.app.push_screen(
            NoteDialog(
                drafts=self.session.drafts.known(),
                owner=self.session.actor,
                draft_prefix=prefix,
                restored=restored,
            ),
            callback=functools.partial(self._note_done, prefix),
        )

    def _note_done(self, prefix: str, result: Any) -> None:
        # (a worker: not in the message loop that dismissed the dialog)
        self.saving.add(prefix)  # its drafts are still there until the save ends
        self.screen.run_worker(self._save_note(prefix, result), group="dialogs")

    async def _save_note(self, prefix: str, result: Any) -> None:
        try:
            await self._save_note_now(prefix, result)
        finally:
            self.saving.discard(prefix)

    async def _save_note_now(self, prefix: str, result: Any) -> None:
        if result is None:
            await self.session.drafts.clear(prefix)
            return
        saved = await self.screen.save(
            self.session.note(
                result.text,
                action=result.action or None,
                owner=result.owner or None,
                drafts_done=prefix,
            )
        )
        if saved is None and not self.session.read_only:  # refused: kept, and reopened
            self.saving.discard(prefix)
            self.pending.append(prefix)
            self.screen.notify(
                "The note is kept and opens again: Enter tries once more",
                title="Not saved",
                severity="warning",
                markup=False,
                timeout=10,
            )
            self._next()

    # ------------------------------------------------------------------ corrections
    def correct(self, entry: Any) -> None:
        self._correct(entry, f"correct.{entry.id}.{secrets.token_hex(4)}")

    def _correct(self, entry: Any, prefix: str, restored: bool = False) -> None:
        from tui.screens.note import NoteDialog, NoteResult

        self.screen.app.push_screen(
            NoteDialog(
                drafts=self.session.drafts.known(),
                owner=entry.owner,
                draft_prefix=prefix,
                title=f"Correct entry #{entry.id}",
                correcting=True,
                restored=restored,
                initial=NoteResult(entry.text, entry.action, entry.owner),
            ),
            callback=functools.partial(self._correct_done, entry, prefix),
        )

    def _correct_done(self, entry: Any, prefix: str, result: Any) -> None:
        self.saving.add(prefix)
        self.screen.run_worker(self._save_correction(entry, prefix, result), group="dialogs")

    async def _save_correction(self, entry: Any, prefix: str, result: Any) -> None:
        try:
            await self._save_correction_now(entry, prefix, result)
        finally:
            self.saving.discard(prefix)

    async def _save_correction_now(self, entry: Any, prefix: str, result: Any) -> None:
        if result is None:
            await self.session.drafts.clear(prefix)
            return
        changed = {
            k: v
            for k, v in (
                ("text", result.text),
                ("action", result.action),
                ("owner_field", result.owner),
            )
            if v != {"text": entry.text, "action": entry.action, "owner_field": entry.owner}[k]
        }
        if not changed and not result.retract:
            await self.session.drafts.clear(prefix)
            self.screen.notify("Nothing changed", severity="information")
            return
        saved = await self.screen.save(
            self.session.correct(entry.event, retract=result.retract, drafts_done=prefix, **changed)
        )
        if saved is None and not self.session.read_only:
            self.saving.discard(prefix)
            self.pending.append(prefix)
            self._next()

    # ------------------------------------------------------------------ unsaved dialogs
    def reopen_unsaved(self) -> None:
        """Open again, one at a time, every dialog left with text and not saved."""
        self.pending.extend(
            p for p in self.session.drafts.prefixes("note", "correct") if p not in self.pending
        )
        self._next()

    def resume(self) -> None:
        """The console is on top again: the next unsaved dialog, if any."""
        if self.pending:
            self.screen.call_after_refresh(self._next)

    def _next(self) -> None:
        screen = self.screen
        while self.pending and screen.app.screen is screen and screen.ready:
            prefix = self.pending.pop(0)
            if prefix in self.saving:
                continue  # closed and being saved: if refused, it comes back by itself
            if not any(k.startswith(prefix + ".") for k in self.session.drafts.known()):
                continue  # saved or cancelled meanwhile
            if prefix.partition(".")[0] == "note":
                self._note(prefix, restored=True)
            else:
                screen.run_worker(self._restore_correction(prefix), group="dialogs")
            return

    async def _restore_correction(self, prefix: str) -> None:
        from incident.journal import timeline
        from tui.widgets.timeline import TimelinePane

        try:
            entry_id = int(prefix.split(".")[1])
        except (IndexError, ValueError):
            return
        pane = self.screen.query_one(TimelinePane)
        entry = next((e for e in pane.entries if e.id == entry_id), None)
        if entry is None:  # not on the loaded pages: read it (and its corrections)
            try:
                events = await self.session.entry(entry_id)
            except WarroomError:
                return
            entry = next((e for e in timeline(events) if e.id == entry_id), None)
        if entry is not None:
            self._correct(entry, prefix, restored=True)
