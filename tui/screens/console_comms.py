"""The console's comms desk: send, copy, write to a file, ``$EDITOR``, the history of sent
updates, the cadence, the notification checklist and the emergency contacts.

A collaborator the console holds (``ConsoleScreen.comms``), not a part of it: the screen
routes its comms keys and its comms pane's messages here. Every change to the incident,
the roster included, is one of the session's typed verbs, run through the screen's ``save``.
warroom never reaches the network: a message leaves through the clipboard (OSC 52) or a
file, and is marked sent by the IC.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import SuspendNotSupported

from incident.errors import InvalidInput, WarroomError
from incident.words import plural
from session.files import write_text

if TYPE_CHECKING:  # imported by the console once its first frame is on screen
    from incident.playbook import Contact
    from session.session import IncidentSession
    from tui.screens.base import SessionScreen
    from tui.widgets.comms import CommsPane
    from tui.widgets.notify import NotifyList


class CommsDesk:
    """The comms work of a console screen: its keys and its comms pane's messages."""

    def __init__(self, screen: SessionScreen, session: IncidentSession) -> None:
        self.screen = screen
        self.session = session
        self.notify = screen.notify

    def _dialog(self, work: Coroutine[Any, Any, None], **group: Any) -> None:
        """Run ``work`` (it waits on a dialog) in a worker of the screen, unless that
        dialog is open already (named after ``work``: a key pressed twice opens it once)."""
        name = getattr(work, "__qualname__", "comms dialog")
        self.screen.run_dialog(work, f"{name} dialog", **group)

    def pane(self) -> CommsPane:
        return self.screen.query_one("#comms")  # type: ignore[return-value]

    async def send(self, event: CommsPane.Send) -> None:
        saved = await self.screen.save(
            self.session.send_update(
                event.audience, event.text, template=event.template, unfilled_ok=event.unfilled_ok
            )
        )
        if saved is not None:
            self.pane().sent(event.audience, event.template)

    def draft(self, what: str) -> None:
        """Copy (OSC 52), write to a file, or edit in ``$EDITOR`` the draft on screen."""
        pane = self.pane()
        text = pane.text
        from incident.comms import AUDIENCE_LABELS, TEMPLATE_LABELS

        what_draft = (
            f"{AUDIENCE_LABELS[pane.audience].lower()} {TEMPLATE_LABELS[pane.template].lower()}"
        )
        if what == "copy":
            if not text.strip():
                self.notify("The draft is empty: nothing to copy", severity="warning")
                return
            self.screen.app.copy_to_clipboard(text)
            self.notify(
                f"Copied the {what_draft} ({plural(len(text), 'character')}) to the clipboard "
                "(OSC 52: your terminal must allow it)",
                markup=False,
                timeout=4,
            )
        elif what == "file":
            self._dialog(self._write_draft(pane, text, what_draft))
        elif what == "editor":
            self.edit_in_editor(pane, text)

    async def _write_draft(self, pane: CommsPane, text: str, what: str) -> None:
        from tui.screens.comms_dialogs import WriteFileDialog

        state, now = self.session.state, self.session.clock.now()
        assert state is not None  # (the comms pane is there: the session is open)
        name = f"{state.number}-{pane.audience}-{pane.template}-{now:%Y%m%dT%H%M%SZ}.txt"
        dialog = WriteFileDialog(str(Path.cwd() / name), what)
        target = await self.screen.app.push_screen_wait(dialog)
        if target is None:
            return
        path = Path(target).expanduser()
        try:  # a new file, owner-only, whole or not at all; never through a link
            write_text(path, text if text.endswith("\n") else text + "\n", replace=False)
        except InvalidInput as e:
            self.notify(str(e), severity="error", markup=False)
            return
        self.notify(f"Wrote the {what} to {path}", markup=False, timeout=5)

    def edit_in_editor(self, pane: CommsPane, text: str) -> None:
        """Hand the terminal to ``$EDITOR`` on a private temporary copy of the draft."""
        app = self.screen.app
        editor = os.environ.get("EDITOR", "").strip()
        if not editor:
            self.notify(
                "$EDITOR is not set: set it (e.g. export EDITOR=vim) to edit drafts "
                "in your editor, or edit here",
                severity="warning",
                markup=False,
                timeout=8,
            )
            return
        fd, name = tempfile.mkstemp(prefix="warroom-draft-", suffix=".txt")  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            try:
                with app.suspend():
                    done = subprocess.run([*shlex.split(editor), name], check=False)
            except SuspendNotSupported:
                self.notify("this terminal cannot be handed to $EDITOR", severity="error")
                return
            except (OSError, ValueError) as e:
                self.notify(f"cannot run $EDITOR ({editor}): {e}", severity="error", markup=False)
                return
            if done.returncode != 0:
                self.notify(
                    f"$EDITOR exited with status {done.returncode}: the draft is unchanged",
                    severity="warning",
                    markup=False,
                )
                return
            new = Path(name).read_text(encoding="utf-8", errors="replace")
        finally:
            os.unlink(name)
        if new.endswith("\n") and not text.endswith("\n"):
            new = new[:-1]  # editors end the file with a newline the draft did not have
        if new != text:
            pane.replace_text(new)
            self.notify("Draft updated from $EDITOR (autosaved)", timeout=3)

    # ------------------------------------------------------------------ dialogs
    def history(self) -> None:
        from tui.screens.comms_dialogs import SentHistory

        state = self.session.state
        if state is not None:
            self._dialog(self.screen.app.push_screen_wait(SentHistory(state.comms)))

    def cadence(self) -> None:
        self._dialog(self._cadence())

    async def _cadence(self) -> None:
        from tui.screens.comms_dialogs import CadenceDialog

        changes = await self.screen.app.push_screen_wait(CadenceDialog(self.session.state))
        for audience, minutes in (changes or {}).items():
            await self.screen.save(self.session.set_cadence(audience, minutes))

    async def load_contacts(self) -> list[Contact] | None:
        try:
            return await self.session.contacts()
        except WarroomError as e:
            self.notify(f"emergency contacts: {e}", severity="error", markup=False)
            return None

    def contacts(self) -> None:
        self._dialog(self._contacts())

    async def _contacts(self) -> None:
        from tui.screens.contacts import ContactsDialog

        seen = await self.load_contacts()
        if seen is None:
            return
        roster = await self.screen.app.push_screen_wait(ContactsDialog(seen))
        if roster is None or roster == seen:
            return
        try:
            await self.session.put_contacts(roster, expected=seen)
        except WarroomError as e:
            self.notify(str(e), title="Not saved", severity="error", markup=False, timeout=8)
            return
        self.notify(f"Emergency contacts saved ({len(roster)})", timeout=3)

    def notify_toggled(self, event: NotifyList.Toggled) -> None:
        """A party ticked (asks which contact was reached) or unticked on the checklist."""
        work = self._notify_party(event.party, event.done)
        self._dialog(work, exclusive=True, group="notify")

    async def _notify_party(self, party: str, done: bool) -> None:
        contact: str | None = None
        if done:
            from tui.screens.contacts import ContactPicker

            roster = await self.load_contacts()
            picker = ContactPicker(party, roster or [])
            contact = await self.screen.app.push_screen_wait(picker)
            if contact is None:
                return  # cancelled: not ticked
        await self.screen.save(self.session.notify(party, done, contact=contact or None))
