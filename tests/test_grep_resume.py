"""A grep source run again (the next attach, a takeover) resumed from the start of its
files: every earlier match came again as new lines. It resumes after what it captured,
file by file, and the pane and the capture say that it restarted, when and why."""

from __future__ import annotations

import asyncio

from feeds.factory import make_source
from feeds.grep import GrepSource
from incident import source_commands as source_cmd
from incident.clock import FrozenClock
from incident.grep_lines import match_line, parse_match
from incident.journal import SourceSpec
from storage.store import Store
from tests.console_support import FROZEN, make_app, seed
from tests.test_console_sources import ledger, ready_source
from tests.test_feeds_grep import Reader
from tests.waiting import until

LOG = ["boot", "ERROR a", "ok", "ok", "ERROR b", "ok", "ok", "ok", "ERROR c"]


def spec(path) -> SourceSpec:
    return SourceSpec(kind="grep", name="errors", pattern="ERROR", paths=(str(path),))


async def run(path, resume=None, *, appended: str = "ERROR sentinel") -> list[str]:
    """What a grep of ``path`` shows, up to a line appended once it is running."""
    src = make_source("g1", spec(path), poll_interval=0.02, resume=resume)
    assert isinstance(src, GrepSource)
    await src.start()
    reader = Reader(src)
    try:
        await asyncio.sleep(0)  # (the first poll reads what is there)
        with open(path, "a") as f:
            f.write(appended + "\n")
        await reader.reads(lambda lines: any(appended in line for line in lines))
        return list(reader.lines)
    finally:
        await reader.close()


def test_a_match_is_written_and_read_back_alike():
    line = match_line("logs/app: 1.log", 12, "ERROR x:3: y")
    assert line == "logs/app: 1.log:12: ERROR x:3: y"
    assert parse_match(line) == ("logs/app: 1.log", 12, "ERROR x:3: y")
    assert parse_match("⟳ restarted 2026-12-05 19:05:47 UTC, on attach: it was running") is None


async def test_a_resumed_grep_leaves_out_what_was_captured(tmp_path):
    path = tmp_path / "app.log"
    path.write_text("\n".join(LOG) + "\n")
    everything = await run(path, appended="ERROR one")
    assert everything == ["app.log:2: ERROR a", "app.log:5: ERROR b", "app.log:9: ERROR c",
                          "app.log:10: ERROR one"]  # fmt: skip
    # The capture ended at line 5: what comes after it only (line numbers as before).
    shown = await run(path, {"app.log": (5, "ERROR b")}, appended="ERROR two")
    assert shown == ["app.log:9: ERROR c", "app.log:10: ERROR one", "app.log:11: ERROR two"]
    # All captured: only what is new.
    shown = await run(path, {"app.log": (11, "ERROR two")}, appended="ERROR three")
    assert shown == ["app.log:12: ERROR three"]


async def test_a_file_that_is_not_the_one_captured_is_read_whole(tmp_path):
    """Replaced meanwhile (rotated, rewritten): the line captured last is not where it was,
    or the file ends before it. Nothing is left out then."""
    path = tmp_path / "app.log"
    path.write_text("\n".join(LOG) + "\n")
    shown = await run(path, {"app.log": (5, "ERROR other")}, appended="ERROR new")
    assert shown[0] == "app.log:2: ERROR a" and len(shown) == 4
    shown = await run(path, {"app.log": (500, "ERROR far")}, appended="ERROR newer")
    assert shown[0] == "app.log:2: ERROR a" and len(shown) == 5


async def test_a_grep_restarted_on_attach_shows_no_match_twice_and_says_it_restarted(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    path = tmp_path / "app.log"
    path.write_text("\n".join(LOG) + "\n")
    async with await Store.open(db) as store:
        state = await store.load_state(incident)
        added = source_cmd.add_source(FrozenClock(FROZEN), state, spec(path))
        await store.append(added)
    sid = added.payload.source_id

    def texts(pane) -> list[str]:
        return [pane.buffer.line(s) for s in range(pane.buffer.first_seq, pane.buffer.total)]

    first = make_app(db, incident, run_sources=True)
    async with first.run_test(size=(140, 40)) as pilot:
        pane = await ready_source(pilot, sid)
        await until(lambda: len(texts(pane)) == 3, pilot=pilot, what="the three matches")
    with open(path, "a") as f:  # written while no console ran it
        f.write("ERROR while away\n")

    again = make_app(db, incident, run_sources=True)
    async with again.run_test(size=(140, 40)) as pilot:
        pane = await ready_source(pilot, sid)
        await until(
            lambda: any("while away" in t for t in texts(pane)),
            pilot=pilot,
            what="the match written while away",
            seen=lambda: texts(pane),
        )
        shown = texts(pane)
        assert shown[:3] == ["app.log:2: ERROR a", "app.log:5: ERROR b", "app.log:9: ERROR c"]
        marker = shown[3]
        assert marker.startswith("⟳ restarted 2026-11-25 15:08:00 UTC, on attach: ")
        assert "not shown again" in marker
        assert shown[4:] == ["app.log:10: ERROR while away"]
        numbers = [pane.buffer.number(s) for s in range(pane.buffer.first_seq, pane.buffer.total)]
        assert numbers == [1, 2, 3, 4, 5]
    async with await Store.open(db, read_only=True) as store:
        captured = [line.text for line in await store.captures.read(incident, sid)]
    assert captured == shown  # the marker is in the capture too, nothing twice
    assert [p.op for p in await ledger(db, incident) if p.source_id == sid] == [
        "added",
        "started",
        "restarted",
    ]
