"""The incident's facts and action items as typed verbs of a live session, for the command
line (``warroom edit``, ``warroom action``) and the console (the details and action items
dialogs) alike: one way in.

An edit of several facts is one transaction of one event per fact changed (all or none);
the action items are the session's own verbs, the ones the post-mortem uses (one list).
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import TYPE_CHECKING

from incident.sanitize import visible

if TYPE_CHECKING:
    from incident.clock import Clock
    from incident.journal import Event
    from incident.ports import Journal
    from incident.state import IncidentState
    from session.session import IncidentSession


class Facts:
    """The fact and action item verbs of one open session."""

    def __init__(self, session: IncidentSession) -> None:
        self.session = session

    async def edit(self, changes: Mapping[str, str]) -> list[Event]:
        """Set facts (``incident.facts.FACTS``: title, service, impact, detected_by,
        status_page, root_cause, eta, commander); returns the events once committed."""
        from incident import facts  # (not needed for the first frame)

        s = self.session
        return await s.commit_many(lambda state: facts.edit(s.clock, state, changes, owner=s.actor))

    async def add_action(
        self, text: str, *, item_owner: str | None = None, due: str | None = None
    ) -> Event:
        return await self.session.add_action_item(text, item_owner=item_owner, due=due)

    async def mark_action(self, item_id: int, done: bool = True) -> Event:
        return await self.session.update_action_item(item_id, done=done)


def action_lines(state: IncidentState) -> list[str]:
    """The action items, one line each: number, state, text, owner and due date."""
    out = []
    for item in sorted(state.action_items.values(), key=lambda a: a.id):
        about = [visible(item.owner)] if item.owner else []
        about += [f"due {item.due}"] if item.due else []
        out.append(
            f"{item.id:<3} [{'x' if item.done else ' '}] {visible(item.text)}"
            + (f"  ({', '.join(about)})" if about else "")
        )
    return out


def changes_of(args: argparse.Namespace) -> dict[str, str]:
    """The facts ``warroom edit`` was given (checked before the database is opened)."""
    from incident import facts
    from incident.errors import InvalidInput

    changes = {f: getattr(args, f) for f in facts.FACTS if getattr(args, f, None) is not None}
    if not changes:
        flags = " ".join(f"--{f.replace('_', '-')}" for f in facts.FACTS)
        raise InvalidInput(f"nothing to change: give at least one of {flags}")
    for fact, value in changes.items():
        facts.checked(fact, value)
    return changes


async def run_cli(args: argparse.Namespace, journal: Journal, clock: Clock, actor: str) -> int:
    """``warroom edit`` and ``warroom action``, through a session of the incident."""
    from session.session import IncidentSession

    async def given() -> Journal:
        return journal

    session = IncidentSession(given, args.incident, clock, actor)
    state = await session.open()
    verbs = Facts(session)
    if args.verb == "edit":
        saved = await verbs.edit(changes_of(args))
    elif args.action_verb == "add":
        saved = [await verbs.add_action(args.text, item_owner=args.owner, due=args.due)]
    elif args.action_verb == "done":
        saved = [await verbs.mark_action(args.number)]
    else:
        lines = action_lines(state)
        print("\n".join(lines) if lines else f"{state.number} has no action items yet")
        return 0
    for event in saved:
        print(f"{state.number} #{event.id} {visible(event.text)}")
    return 0
