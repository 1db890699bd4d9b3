"""Shared helpers for console tests: a demo incident on a temporary database (a SQLite
file, or a ``ServerDsn``: ``seed``, ``stored`` and ``make_app`` take either), the app
built by the same factory as the CLI (tui.cli.build_app) with a frozen clock, a wait
for the console screen, and what the app was asked to notify (``notices``)."""

from __future__ import annotations

import asyncio
import functools
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from textual import events
from textual.keys import _character_to_key

from incident.clock import FrozenClock
from incident.demo import seed_demo
from storage.dsn import ServerDsn
from tests import waiting
from tui.app import WarRoomApp
from tui.cli import Launch, build_app
from tui.cli_store import open_store
from tui.screens.console import ConsoleScreen

FROZEN = datetime(2026, 11, 25, 15, 8, tzinfo=UTC)
DEMO_LOG = "python3 -m feeds.demo_log"


async def seed(db: Path | ServerDsn, at: datetime = FROZEN) -> int:
    store = await open_store(db)
    try:
        return await seed_demo(store, FrozenClock(at), log_command=DEMO_LOG, owner="@alice")
    finally:
        await store.close()


def seed_sync(db: Path, at: datetime = FROZEN) -> int:
    return asyncio.run(seed(db, at))


class Notice(NamedTuple):
    """One call of the app's ``notify`` (from the app, a screen or a widget)."""

    message: str
    title: str
    severity: str

    def __str__(self) -> str:
        return f"{self.title}: {self.message}" if self.title else self.message


def record_notices(app: WarRoomApp) -> WarRoomApp:
    """Wrap ``app.notify`` (on this instance only) so that ``notices(app)`` lists every
    notice it was asked to show, in order, whether or not a toast is still up. Screens and
    widgets notify through ``self.app.notify``, so they are recorded too."""
    said: list[Notice] = []
    ask = app.notify

    @functools.wraps(ask)
    def notify(message, *args, title: str = "", severity: str = "information", **kwargs):
        said.append(Notice(str(message), title, severity))
        return ask(message, *args, title=title, severity=severity, **kwargs)

    notify.said = said  # type: ignore[attr-defined]
    app.notify = notify  # type: ignore[method-assign]
    return app


def notices(app: WarRoomApp) -> list[Notice]:
    """What ``app`` was asked to notify so far (built by ``make_app``, or passed to
    ``record_notices`` before it ran)."""
    said = getattr(app.notify, "said", None)
    if said is None:
        raise AssertionError("notices: the app was not built by make_app nor record_notices")
    return list(said)


def said(app: WarRoomApp, text: str) -> bool:
    """Whether some notice so far holds ``text`` in its message."""
    return any(text in n.message for n in notices(app))


def _recording_notices(factory):
    @functools.wraps(factory)
    def build(*args, **kwargs):
        return record_notices(factory(*args, **kwargs))

    return build


@_recording_notices
def make_app(
    db: Path | ServerDsn,
    incident: int | None,
    *,
    clock: FrozenClock | None = None,
    theme: str = "warroom-dark",
    read_only: bool = False,
    run_sources: bool = False,
    sampler=None,
) -> WarRoomApp:
    """The app as the CLI builds it; log sources only run when a test asks for them."""
    return build_app(
        Launch(
            db,
            incident,
            clock or FrozenClock(FROZEN),
            mode="review" if read_only else "console",
            theme=theme,
            actor="@alice",
            remember_theme=False,
            local_tz=UTC,
            run_sources=run_sources,
            sampler=sampler,
        )
    )


def hold_journal(app: WarRoomApp) -> asyncio.Event:
    """Keep ``app``'s journal from opening until the returned event is set (to look at the
    first frame, painted from a peek before the journal is open)."""
    gate = asyncio.Event()
    opener = app.session._open_journal

    async def held_open():
        await gate.wait()
        return await opener()

    app.session._open_journal = held_open
    return gate


def burst(app: WarRoomApp, *keys: str) -> None:
    """Keys as one read of the terminal brings them (a paste, a laggy SSH link, a console
    busy with a flood): every one is queued before the app handles the first, where
    ``pilot.press`` lets the app go idle between keys. ``keys`` as for ``pilot.press``:
    a character, or a key's name (``"tab"``, ``"enter"``)."""
    named = {"enter": "\r", "tab": "\t", "escape": "\x1b", "space": " "}
    for key in keys:
        if len(key) == 1:
            event = events.Key(_character_to_key(key), key)
        else:
            event = events.Key(key, named.get(key))
        app.post_message(event)  # (as the driver does, for each key of what it read)


async def wait_ready(pilot, timeout: float = 10.0) -> ConsoleScreen:
    """Wait until the console screen is up with its timeline loaded and every pane."""

    def console() -> ConsoleScreen | None:
        screen = next(
            (s for s in pilot.app.screen_stack if isinstance(s, ConsoleScreen)), None
        )  # (an unsaved dialog may already be open on top of it)
        if screen is not None and screen.ready and screen.query_one("#timeline").entries:
            return screen
        return None

    screen = await waiting.until(console, pilot=pilot, timeout=timeout, what="the console came up")
    await pilot.pause()
    return screen


async def stored(db: Path | ServerDsn, incident: int):
    """Events, folded state and drafts, read as another process would."""
    store = await open_store(db, read_only=True)
    try:
        return (
            await store.events(incident),
            await store.load_state(incident),
            await store.drafts.of(incident),
        )
    finally:
        await store.close()
