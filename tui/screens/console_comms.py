"""The console's comms handlers: send, copy, write to a file, ``$EDITOR``, the history of
sent updates, the cadence, the notification checklist and the emergency contacts.

Mixed into ``ConsoleScreen``. Every change to the incident, the roster included, is one of
the session's typed verbs.
warroom never reaches the network: a message leaves through the clipboard (OSC 52) or a
file, and is marked sent by the IC.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import SuspendNotSupported

from incident.errors import InvalidInput, WarroomError
from session.files import write_text
from tui.actions import after_panes

if TYPE_CHECKING:  # imported by the console once its first frame is on screen
    from incident.journal import Event
    from incident.playbook import Contact
    from session.session import IncidentSession
    from tui.widgets.comms import CommsPane
    from tui.widgets.notify import NotifyList


class CommsActions:
    """Comms actions and message handlers of the console screen."""

    session: IncidentSession  # (ConsoleScreen's)
    save: Callable[[Awaitable[Event]], Awaitable[Event | None]]

    # ------------------------------------------------------------------ the pane
    def comms_pane(self) -> CommsPane:
        return self.query_one("#comms")  # type: ignore[attr-defined]

    async def on_comms_pane_send(self, event: CommsPane.Send) -> None:
        saved = await self.save(
            self.session.send_update(
                event.audience, event.text, template=event.template, unfilled_ok=event.unfilled_ok
            )
        )
        if saved is not None:
            self.comms_pane().sent(event.audience, event.template)

    @after_panes
    def action_comms(self, what: str) -> None:
        """F2 copy, F3 write to a file, F4 ``$EDITOR``: the comms draft on screen."""
        pane = self.comms_pane()
        text = pane.text
        from incident.comms import AUDIENCE_LABELS, TEMPLATE_LABELS

        what_draft = (
            f"{AUDIENCE_LABELS[pane.audience].lower()} {TEMPLATE_LABELS[pane.template].lower()}"
        )
        if what == "copy":
            if not text.strip():
                self.notify("The draft is empty: nothing to copy", severity="warning")
                return
            self.app.copy_to_clipboard(text)
            self.notify(
                f"Copied the {what_draft} ({len(text)} characters) to the clipboard "
                "(OSC 52: your terminal must allow it)",
                markup=False,
                timeout=4,
            )
        elif what == "file":
            self._write_draft(pane, text, what_draft)
        elif what == "editor":
            self._edit_in_editor(pane, text)

    @work
    async def _write_draft(self, pane: CommsPane, text: str, what: str) -> None:
        from tui.screens.comms_dialogs import WriteFileDialog

        state, now = self.session.state, self.session.clock.now()
        name = f"{state.number}-{pane.audience}-{pane.template}-{now:%Y%m%dT%H%M%SZ}.txt"
        target = await self.app.push_screen_wait(WriteFileDialog(str(Path.cwd() / name), what))
        if target is None:
            return
        path = Path(target).expanduser()
        try:  # a new file, owner-only, whole or not at all; never through a link
            write_text(path, text if text.endswith("\n") else text + "\n", replace=False)
        except InvalidInput as e:
            self.notify(str(e), severity="error", markup=False)
            return
        self.notify(f"Wrote the {what} to {path}", markup=False, timeout=5)

    def _edit_in_editor(self, pane: CommsPane, text: str) -> None:
        """Hand the terminal to ``$EDITOR`` on a private temporary copy of the draft."""
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
                with self.app.suspend():
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
    @after_panes
    @work
    async def action_comms_history(self) -> None:
        from tui.screens.comms_dialogs import SentHistory

        await self.app.push_screen_wait(SentHistory(self.session.state.comms))

    @after_panes
    @work
    async def action_cadence(self) -> None:
        from tui.screens.comms_dialogs import CadenceDialog

        changes = await self.app.push_screen_wait(CadenceDialog(self.session.state))
        for audience, minutes in (changes or {}).items():
            await self.save(self.session.set_cadence(audience, minutes))

    async def load_contacts(self) -> list[Contact] | None:
        try:
            return await self.session.contacts()
        except WarroomError as e:
            self.notify(f"emergency contacts: {e}", severity="error", markup=False)
            return None

    @after_panes
    @work
    async def action_contacts(self) -> None:
        from tui.screens.contacts import ContactsDialog

        seen = await self.load_contacts()
        if seen is None:
            return
        roster = await self.app.push_screen_wait(ContactsDialog(seen))
        if roster is None or roster == seen:
            return
        try:
            await self.session.put_contacts(roster, expected=seen)
        except WarroomError as e:
            self.notify(str(e), title="Not saved", severity="error", markup=False, timeout=8)
            return
        self.notify(f"Emergency contacts saved ({len(roster)})", timeout=3)

    @after_panes
    def action_notify_checklist(self) -> None:
        self.action_show_pane("comms")
        self.query_one("#comms-notify").focus()  # type: ignore[attr-defined]

    def on_notify_list_toggled(self, event: NotifyList.Toggled) -> None:
        self._notify_party(event.party, event.done)

    @work(exclusive=True, group="notify")
    async def _notify_party(self, party: str, done: bool) -> None:
        contact: str | None = None
        if done:
            from tui.screens.contacts import ContactPicker

            roster = await self.load_contacts()
            contact = await self.app.push_screen_wait(ContactPicker(party, roster or []))
            if contact is None:
                return  # cancelled: not ticked
        await self.save(self.session.notify(party, done, contact=contact or None))
