"""Time reaches the screens through the session's clock: a frozen clock moved by hand
(``advance``, ``set``) tells its watchers at once, the session passes that on
(``IncidentSession.on_time``), and what shows the time follows before ``advance`` returns,
not at the next one-second tick. The wall clock tells nobody (the screens look every
second)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from incident.clock import FrozenClock, SystemClock, Watcher
from session.session import IncidentSession
from tests.console_support import FROZEN, make_app, seed, wait_ready
from tests.waiting import until
from tui.cli import Launch, build_app
from tui.screens.postmortem import PostmortemScreen
from tui.widgets.status_bar import StatusBar


class CountingClock(FrozenClock):
    """A frozen clock that counts who watches it (to see that a screen lets go)."""

    def __init__(self, at: datetime) -> None:
        super().__init__(at)
        self.watching = 0

    def watch(self, watcher: Watcher) -> Callable[[], None]:
        stop = super().watch(watcher)
        self.watching += 1
        stopped = False

        def counted_stop() -> None:
            nonlocal stopped
            if not stopped:
                stopped = True
                self.watching -= 1
            stop()

        return counted_stop


def test_a_frozen_clock_tells_its_watchers_each_move_until_stopped():
    clock = FrozenClock(FROZEN)
    told: list[datetime] = []
    stop = clock.watch(told.append)
    clock.advance(minutes=2)
    clock.set(datetime(2026, 11, 25, 18, 0, tzinfo=UTC))
    assert told == [FROZEN + timedelta(minutes=2), datetime(2026, 11, 25, 18, 0, tzinfo=UTC)]
    stop()
    stop()  # (twice is harmless)
    clock.advance(1)
    assert len(told) == 2


def test_a_watcher_that_stops_while_told_does_not_skip_the_others():
    clock = FrozenClock(FROZEN)
    told: list[str] = []
    stops: list[Callable[[], None]] = []
    stops.append(clock.watch(lambda now: (told.append("first"), stops[0]())))
    clock.watch(lambda now: told.append("second"))
    clock.advance(1)
    clock.advance(1)
    assert told == ["first", "second", "second"]


def test_the_wall_clock_tells_nobody():
    told: list[datetime] = []
    stop = SystemClock().watch(told.append)
    stop()
    assert told == []


async def test_the_session_passes_its_clock_s_moves_on():
    async def no_journal():
        raise AssertionError("not opened")

    clock = FrozenClock(FROZEN)
    session = IncidentSession(no_journal, 1, clock, "@alice")
    told: list[datetime] = []
    stop = session.on_time(told.append)
    clock.advance(seconds=30)
    stop()
    clock.advance(seconds=30)
    assert told == [FROZEN + timedelta(seconds=30)]


async def test_the_console_follows_a_moved_clock_at_once_and_lets_go_of_it(tmp_path):
    db = tmp_path / "w.db"
    clock = CountingClock(FROZEN)
    app = make_app(db, await seed(db), clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await wait_ready(pilot)
        bar = screen.query_one(StatusBar)
        assert bar.parts["elapsed"].text == "⏱ 38:00"  # (the demo began 38 minutes before)
        assert clock.watching == 1
        clock.advance(minutes=1, seconds=5)
        # Before advance returned: no wait for the one-second interval.
        assert screen.now == FROZEN + timedelta(minutes=1, seconds=5)
        assert bar.parts["elapsed"].text == "⏱ 39:05"
        await until(lambda: "⏱ 39:05" in str(bar.render()), pilot=pilot, what="drawn")
    assert clock.watching == 0  # the console is gone: a later move tells it nothing
    clock.advance(minutes=1)


async def test_the_postmortem_status_bar_follows_a_moved_clock(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    clock = CountingClock(FROZEN)
    app = build_app(
        Launch(
            db,
            incident,
            clock,
            remember_theme=False,
            local_tz=UTC,
            run_sources=False,
            mode="postmortem",
        )
    )
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await until(
            lambda: isinstance(app.screen, PostmortemScreen) and app.screen, pilot=pilot
        )
        bar = screen.query_one(StatusBar)
        await until(lambda: bar.parts.get("elapsed"), pilot=pilot, what="the status bar")
        start = bar.parts["elapsed"].text
        clock.advance(hours=1)
        assert bar.now == FROZEN + timedelta(hours=1)
        assert bar.parts["elapsed"].text != start
    assert clock.watching == 0
