"""show_and_capture: provisional (unfinished) lines are shown, replaced, never captured
twice; those left when the source ends are kept and captured once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from feeds.source import LineBatch
from session.log_buffer import LogBuffer
from session.source_lines import show_and_capture

AT = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)


class Batches:
    """A source that has already read these batches, and ended."""

    source_id = "s1"

    def __init__(self, *batches: tuple[str, int, list[str], int]) -> None:
        self._batches = [
            LineBatch("s1", st, no, lines, AT, prov) for st, no, lines, prov in batches
        ]

    async def batches(self) -> AsyncIterator[LineBatch]:
        for b in self._batches:
            yield b


class Capture:
    def __init__(self) -> None:
        self.rows: list[tuple[int, str, bool]] = []

    def submit(self, incident: int, sid: str, first_no: int, lines: Any, **kw: Any) -> bool:
        self.rows += [(first_no + i, t, kw["err"]) for i, t in enumerate(lines)]
        return True


def shown(buf: LogBuffer) -> list[tuple[int, str]]:
    return [(buf.number(s), buf.line(s)) for s in range(buf.first_seq, buf.total)]


async def test_a_finished_line_replaces_its_start_in_the_pane_and_is_captured_once() -> None:
    buf, cap = LogBuffer(), Capture()
    src = Batches(
        ("out", 1, ["one", "two, unfin"], 1),  # "two, unfin" shown after idle
        ("out", 2, ["two, unfinished"], 1),  # grown, still unfinished
        ("err", 2, ["an error"], 0),  # another stream: replaces it ...
        ("out", 3, ["two, unfinished"], 1),  # ... and it comes again after
        ("out", 3, ["two, unfinished and done", "three"], 0),  # finished: once
    )
    last = await show_and_capture(src, buf, cap, 1, 10)  # type: ignore[arg-type]
    assert shown(buf) == [
        (11, "one"),
        (12, "an error"),
        (13, "two, unfinished and done"),
        (14, "three"),
    ]
    assert cap.rows == [
        (11, "one", False),
        (12, "an error", True),
        (13, "two, unfinished and done", False),
        (14, "three", False),
    ]
    assert last == 14


async def test_lines_unfinished_when_the_source_ends_are_kept_and_captured() -> None:
    buf, cap = LogBuffer(), Capture()
    src = Batches(("out", 1, ["one", "two, unfin"], 1), ("out", 2, ["two, unfinish"], 1))
    assert await show_and_capture(src, buf, cap, 1, 0) == 2  # type: ignore[arg-type]
    assert shown(buf) == [(1, "one"), (2, "two, unfinish")]
    assert cap.rows == [(1, "one", False), (2, "two, unfinish", False)]


async def test_an_empty_batch_takes_a_provisional_line_away() -> None:
    """A grep's unfinished line that matched, finished as one that does not."""
    buf, cap = LogBuffer(), Capture()
    src = Batches(("out", 1, ["a.log:1: ERROR"], 1), ("out", 1, [], 0))
    assert await show_and_capture(src, buf, cap, 1, 0) == 0  # type: ignore[arg-type]
    assert shown(buf) == [] and cap.rows == []
