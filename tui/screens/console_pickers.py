"""The console's dialogs that change the incident itself: severity, status, phase, a
participant's role, a new log source, the incident's facts (details). Each opens on the
incident as it is, and what the IC chooses is one of the session's typed verbs, run through
the screen's ``save``.

A collaborator the console holds (``ConsoleScreen.pickers``); the dialogs' modules are
imported when first opened (they are not needed to show the incident).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from incident.journal import Event
    from incident.playbook import Contact
    from session.session import IncidentSession
    from tui.screens.base import SessionScreen


class IncidentPickers:
    """Open a dialog in a worker of the screen and save what was chosen."""

    def __init__(
        self,
        screen: SessionScreen,
        session: IncidentSession,
        contacts: Callable[[], Awaitable[list[Contact] | None]],
        shown: Callable[[str], None],
    ) -> None:
        self.screen = screen
        self.session = session
        self.contacts = contacts  # the emergency contacts, offered when assigning a role
        self.shown = shown  # bring a pane to the front (the logs, after a new source)

    def open(self, what: str) -> None:
        """Open the ``what`` dialog: severity, status, phase, assign, add_source or details."""
        work: dict[str, Callable[[], Coroutine[Any, Any, None]]] = {
            "severity": self._severity,
            "status": self._status,
            "phase": self._phase,
            "assign": self._assign,
            "add_source": self._add_source,
            "details": self._details,
        }
        self.screen.run_dialog(work[what](), f"{what} dialog")  # (once: not stacked)

    async def _choose(self, dialog: Any) -> Any:
        return await self.screen.app.push_screen_wait(dialog)

    async def _severity(self) -> None:
        from tui.screens.pickers import SeverityDialog

        state = self.session.state
        assert state is not None  # (the console's keys act once the session is open)
        choice = await self._choose(SeverityDialog(state.severity))
        if choice is not None:
            sev, reason = choice
            await self.screen.save(self.session.set_severity(sev, reason))

    async def _status(self) -> None:
        from tui.screens.pickers import StatusDialog

        state = self.session.state
        assert state is not None
        choice = await self._choose(StatusDialog(state.status, state.resolution))
        if choice is not None:
            status, resolution = choice
            await self.screen.save(self.session.set_status(status, resolution))

    async def _phase(self) -> None:
        from tui.screens.pickers import PhaseDialog

        state = self.session.state
        assert state is not None
        phase = await self._choose(PhaseDialog(state.phase))
        if phase is not None:
            await self.screen.save(self.session.set_phase(phase))

    async def _assign(self) -> None:
        from tui.screens.participants import ParticipantDialog

        contacts = await self.contacts()
        choice = await self._choose(ParticipantDialog(self.session.state, contacts=contacts or ()))
        if choice is not None:
            name, role = choice
            await self.screen.save(self.session.assign(name, role))

    async def _add_source(self) -> None:
        from tui.screens.source_dialog import SourceDialog

        spec = await self._choose(SourceDialog())
        if spec is not None:
            saved = await self.screen.save(self.session.add_source(spec))
            if saved is not None:
                self.shown("logs")

    async def _details(self) -> None:
        from session.facts import Facts
        from tui.screens.details import DetailsDialog

        changes = await self._choose(DetailsDialog(self.session.state))
        if changes:

            async def edit() -> Event:
                return (await Facts(self.session).edit(changes))[-1]

            await self.screen.save(edit())
