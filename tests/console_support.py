"""Shared helpers for console tests: a demo incident on a temporary database, the app
built by the same factory as the CLI (tui.cli.build_app) with a frozen clock, and a wait
for the console screen."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from incident.clock import FrozenClock
from incident.demo import seed_demo
from storage.store import Store
from tui.app import WarRoomApp
from tui.cli import Launch, build_app
from tui.screens.console import ConsoleScreen

FROZEN = datetime(2026, 11, 25, 15, 8, tzinfo=UTC)
DEMO_LOG = "python3 -m feeds.demo_log"


async def seed(db: Path, at: datetime = FROZEN) -> int:
    store = await Store.open(db)
    try:
        return await seed_demo(store, FrozenClock(at), log_command=DEMO_LOG, owner="@alice")
    finally:
        await store.close()


def seed_sync(db: Path, at: datetime = FROZEN) -> int:
    return asyncio.run(seed(db, at))


def make_app(
    db: Path,
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


async def wait_ready(pilot, timeout: float = 10.0) -> ConsoleScreen:
    """Pause until the console screen is up with its timeline loaded and every pane."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        screen = next(
            (s for s in pilot.app.screen_stack if isinstance(s, ConsoleScreen)), None
        )  # (an unsaved dialog may already be open on top of it)
        if screen is not None and screen.ready and screen.query_one("#timeline").entries:
            await pilot.pause()
            return screen
        await pilot.pause(0.05)
    raise AssertionError("the console did not come up")


async def until(pilot, condition, timeout: float = 5.0) -> None:
    """Pause until ``condition()`` holds, or fail after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.05)


async def stored(db: Path, incident: int):
    """Events, folded state and drafts, read as another process would."""
    store = await Store.open(db, read_only=True)
    try:
        return (
            await store.events(incident),
            await store.load_state(incident),
            await store.drafts(incident),
        )
    finally:
        await store.close()
