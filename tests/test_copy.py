"""``warroom copy INC --from DB --to DB`` (session/copy.py): one incident, its journal and its
capture, carried to another database; again, only what is new; back, onto the original;
the ledger of both says so; bad input is one line, exit 2, and nothing written."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from incident import commands as cmd
from incident import source_commands as source_cmd
from incident import timeline_commands as timeline_cmd
from incident.clock import FrozenClock
from incident.journal import Event, Evidence, timeline
from incident.model import Severity, Status
from incident.report import render_markdown
from session.copy import COPY_LEDGER, copy_incident, said
from storage.capture import CaptureWriter
from storage.store import Store
from tests.conftest import T0
from tui.cli import main

LINES = ["GET /a 200", "ERROR pool exhausted", "GET /b 503"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def copy(capsys, incident: str, src: Path, dst: Path) -> tuple[int, str, str]:
    return run(capsys, "copy", incident, "--from", str(src), "--to", str(dst))


async def _seed_laptop(db: Path, clock: FrozenClock) -> int:
    """INC-1 with notes, a correction, a log source, evidence and a status change."""
    async with await Store.open(db) as s:
        declared = await s.declare(cmd.declare(clock, "Checkout down", Severity.SEV2, owner="ic"))
        inc = declared.incident_id
        clock.advance(minutes=1)
        first = await s.append(cmd.note(clock, await s.load_state(inc), "pool at 100%"))
        clock.advance(minutes=1)
        await s.append(cmd.note(clock, await s.load_state(inc), "rolled back v42", action="x"))
        state = await s.load_state(inc)
        await s.append(timeline_cmd.correct(clock, state, first, text="pool at 98%"))
        spec = source_cmd.command_spec("tail -F app.log", name="app", cwd="/")
        await s.append(source_cmd.add_source(clock, await s.load_state(inc), spec))
        clock.advance(minutes=1)
        evidence = Evidence(source="app", source_id="s1", line_no=2, line=LINES[1])
        await s.append(timeline_cmd.pin(clock, await s.load_state(inc), evidence))
        state = await s.load_state(inc)
        await s.append(cmd.set_status(clock, state, Status.MITIGATED, owner="ic"))
    capture(db, inc, 1, LINES)
    return inc


def capture(db: Path, incident: int, first: int, lines: list[str]) -> None:
    writer = CaptureWriter(db, interval=0)
    writer.submit(incident, "s1", first, lines, err=False, read_at=T0)
    writer.close()
    assert writer.error is None and writer.written == len(lines)


def seed(tmp_path: Path, capsys) -> tuple[Path, Path, FrozenClock]:
    """a.db with INC-1 (the laptop); b.db (the server) with two incidents of its own."""
    a, b, clock = tmp_path / "a.db", tmp_path / "b.db", FrozenClock(T0)
    assert asyncio.run(_seed_laptop(a, clock)) == 1
    for title in ("other one", "other two"):
        assert main(["--db", str(b), "declare", title, "-s", "SEV-3"]) == 0
    capsys.readouterr()
    return a, b, clock


async def _read(db: Path, incident: int) -> tuple[list[Event], object, list]:
    async with await Store.open(db, read_only=True) as s:
        return (
            await s.events(incident),
            await s.load_state(incident),
            [x.text for x in await s.captures.read(incident, "s1")],
        )


def read(db: Path, incident: int):
    return asyncio.run(_read(db, incident))


def journal(db: Path, incident: int) -> list[Event]:
    return read(db, incident)[0]


def without_ledger(events: list[Event]) -> list[Event]:
    return [e for e in events if e.action != COPY_LEDGER]


def rows(events: list[Event]) -> list[tuple]:
    return [
        (r.kind, r.occurred_at, r.text, r.action, r.owner, r.corrected, r.retracted)
        for r in timeline(without_ledger(events))
    ]


def report(events: list[Event]) -> str:
    text = render_markdown(without_ledger(events))
    text = re.sub(r"INC-\d+", "INC-N", text)
    return "\n".join(line for line in text.splitlines() if "Copied " not in line)


def digest(*paths: Path) -> list[str | None]:
    return [hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None for p in paths]


def test_a_copy_equals_its_source_and_both_ledgers_record_it(tmp_path, capsys):
    a, b, _ = seed(tmp_path, capsys)
    before, state_a, lines_a = read(a, 1)
    rc, out, err = copy(capsys, "INC-1", a, b)
    assert (rc, err) == (0, "")
    assert out == f"INC-1 in {a} is INC-3 in {b}: 7 events, 3 capture lines copied\n"
    events, state_b, lines_b = read(b, 3)
    assert lines_b == lines_a == LINES
    skip = {"id", "last_event_id", "last_event_at"}
    assert state_b.model_dump(exclude=skip) == state_a.model_dump(exclude=skip)
    assert rows(events) == rows(before)
    assert report(events) == report(before)
    assert [(e.occurred_at, e.recorded_at, e.payload) for e in without_ledger(events)] == [
        (e.occurred_at, e.recorded_at, e.payload) for e in before
    ]
    # the correction points at the target's id of the note it corrects
    note = next(e for e in events if e.text == "pool at 100%")
    fix = next(e for e in events if e.corrects is not None)
    assert fix.corrects == note.id and note.incident_id == 3
    ledger = [e.text for e in events if e.action == COPY_LEDGER]
    assert ledger == [f"Copied from {a} INC-1: 7 events, 3 capture lines"]
    mine = [e.text for e in journal(a, 1) if e.action == COPY_LEDGER]
    assert mine == [f"Copied to {b} as INC-3: 7 events, 3 capture lines"]
    assert [e.text for e in journal(b, 1)] == [journal(b, 1)[0].text]  # the others untouched


def test_twice_copies_nothing_and_says_so(tmp_path, capsys):
    a, b, _ = seed(tmp_path, capsys)
    assert copy(capsys, "1", a, b)[0] == 0
    count_a, count_b = len(journal(a, 1)), len(journal(b, 3))
    rc, out, err = copy(capsys, "1", a, b)
    assert (rc, err) == (0, "")
    assert out == f"INC-1 in {a}: nothing new to copy to {b} (INC-3)\n"
    assert (len(journal(a, 1)), len(journal(b, 3))) == (count_a, count_b)
    with closing(sqlite3.connect(b)) as conn:
        assert conn.execute("SELECT count(*) FROM incidents").fetchone()[0] == 3


async def _go_on(db: Path, clock: FrozenClock, incident: int) -> None:
    """More on the laptop after the first copy: a note, a correction of an event copied
    before, and a note corrected at once."""
    async with await Store.open(db) as s:
        clock.advance(minutes=5)
        await s.append(cmd.note(clock, await s.load_state(incident), "v43 deployed"))
        old = next(e for e in await s.events(incident) if e.text == "rolled back v42")
        state = await s.load_state(incident)
        await s.append(timeline_cmd.correct(clock, state, old, text="rolled back to v41"))
        late = await s.append(cmd.note(clock, await s.load_state(incident), "eror rate 0"))
        state = await s.load_state(incident)
        await s.append(timeline_cmd.correct(clock, state, late, text="error rate 0"))


def test_a_second_copy_carries_only_what_is_new_in_order(tmp_path, capsys):
    a, b, clock = seed(tmp_path, capsys)
    assert copy(capsys, "1", a, b)[0] == 0
    asyncio.run(_go_on(a, clock, 1))
    capture(a, 1, 4, ["GET /c 200", "GET /d 200"])
    rc, out, _ = copy(capsys, "1", a, b)
    assert rc == 0 and out == f"INC-1 in {a} is INC-3 in {b}: 4 events, 2 capture lines copied\n"
    src, dst = journal(a, 1), journal(b, 3)
    new = [e for e in dst if e.action != COPY_LEDGER][7:]
    assert [e.text for e in new] == [
        "v43 deployed",
        "Corrected entry #3",
        "eror rate 0",
        "Corrected entry #11",
    ]
    by_id = {e.id: e for e in dst}
    assert by_id[new[1].corrects].text == "rolled back v42"
    assert by_id[new[3].corrects] == new[2]
    assert rows(dst) == rows(src) and report(dst) == report(src)
    assert read(b, 3)[2] == [*LINES, "GET /c 200", "GET /d 200"]
    ledger = [e.text for e in dst if e.action == COPY_LEDGER]
    assert ledger[-1] == f"Copied from {a} INC-1: 4 events, 2 capture lines"


def test_a_copy_back_lands_on_the_original_without_duplicates(tmp_path, capsys):
    a, b, clock = seed(tmp_path, capsys)
    assert copy(capsys, "1", a, b)[0] == 0
    rc, out, _ = copy(capsys, "INC-3", b, a)
    assert rc == 0 and out == f"INC-3 in {b}: nothing new to copy to {a} (INC-1)\n"

    async def on_server() -> None:  # the team goes on on the server, and corrects the laptop
        async with await Store.open(b) as s:
            clock.advance(minutes=9)
            await s.append(cmd.note(clock, await s.load_state(3), "server: all clear"))
            old = next(e for e in await s.events(3) if e.text == "rolled back v42")
            await s.append(timeline_cmd.correct(clock, await s.load_state(3), old, text="v40"))

    asyncio.run(on_server())
    rc, out, _ = copy(capsys, "3", b, a)
    assert rc == 0 and out == f"INC-3 in {b} is INC-1 in {a}: 2 events, 0 capture lines copied\n"
    with closing(sqlite3.connect(a)) as conn:
        assert conn.execute("SELECT count(*) FROM incidents").fetchone()[0] == 1
    src, back = journal(b, 3), journal(a, 1)
    assert rows(back) == rows(src)
    fix = back[-2]  # (the last is the ledger's note)
    assert fix.text.startswith("Corrected") and fix.corrects == 3  # a's own id of the note
    assert back[-1].text == f"Copied from {b} INC-3: 2 events, 0 capture lines"
    # and the server's own events are known on the laptop: nothing goes back again
    assert copy(capsys, "1", a, b)[1] == f"INC-1 in {a}: nothing new to copy to {b} (INC-3)\n"
    assert copy(capsys, "3", b, a)[1] == f"INC-3 in {b}: nothing new to copy to {a} (INC-1)\n"


def test_an_interrupted_copy_leaves_nothing_and_a_rerun_completes_it(tmp_path, capsys, monkeypatch):
    a, b, _ = seed(tmp_path, capsys)
    import storage.copies

    def broken(conn, incident_id):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(storage.copies, "write_glance", broken)
    rc, _, err = copy(capsys, "1", a, b)
    assert rc != 0 and len(err.splitlines()) == 1 and "Traceback" not in err
    with closing(sqlite3.connect(b)) as conn:
        counts = [
            conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("incidents", "events", "copies", "copied_events", "captured_lines")
        ]
    assert counts == [2, 2, 0, 0, 0]
    assert [e.action for e in journal(a, 1)].count(COPY_LEDGER) == 0
    monkeypatch.undo()
    rc, out, _ = copy(capsys, "1", a, b)
    assert rc == 0 and out.endswith(": 7 events, 3 capture lines copied\n")


def test_a_source_that_cannot_be_written_still_copies(tmp_path, capsys, monkeypatch):
    """A file this user may not write is read; only the target records the copy."""
    a, b, _ = seed(tmp_path, capsys)
    before = digest(a)
    import storage.paths

    real = os.access
    monkeypatch.setattr(storage.paths.os, "access", lambda p, mode: real(p, mode) and Path(p) != a)
    rc, out, err = copy(capsys, "1", a, b)
    assert (rc, err) == (0, "")
    assert out.splitlines() == [
        f"INC-1 in {a} is INC-3 in {b}: 7 events, 3 capture lines copied",
        f"{a} could not be written: the copy is recorded in {b} only",
    ]
    assert digest(a) == before
    assert [e.action for e in journal(b, 3)].count(COPY_LEDGER) == 1


def test_a_read_only_journal_is_a_source_the_session_does_not_write(tmp_path, capsys):
    a, b, clock = seed(tmp_path, capsys)

    async def go():
        async with (
            await Store.open(a, read_only=True) as src,
            await Store.open(b) as dst,
        ):
            return await copy_incident(src, "a", 1, dst, "b", clock=clock, actor="me")

    copied = asyncio.run(go())
    assert (copied.target_incident, copied.events, copied.source_recorded) == (3, 7, False)
    assert said(copied, "a", "b")[1] == "a could not be written: the copy is recorded in b only"


@pytest.mark.parametrize(
    "case",
    ["unknown incident", "no such source", "same database", "target too new", "empty name"],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path, capsys, case):
    a, b, _ = seed(tmp_path, capsys)
    missing = tmp_path / "nope" / "x.db"
    args = {
        "unknown incident": ("INC-9", a, b),
        "no such source": ("1", missing, b),
        "same database": ("1", a, a),
        "target too new": ("1", a, b),
        "empty name": ("1", "", b),
    }[case]
    if case == "target too new":
        with closing(sqlite3.connect(b)) as conn:
            conn.execute("PRAGMA user_version=99")
    files = sorted(tmp_path.iterdir())
    before = digest(a, b)
    rc, out, err = run(capsys, "copy", args[0], "--from", str(args[1]), "--to", str(args[2]))
    assert rc == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("warroom"), err
    assert digest(a, b) == before and sorted(tmp_path.iterdir()) == files
    assert not missing.exists() and not missing.parent.exists()
    expected = {
        "unknown incident": "no incident INC-9 in",
        "no such source": "no such database",
        "same database": "are the same database",
        "target too new": "made by a newer warroom",
        "empty name": "expected a database",
    }[case]
    assert expected in err


def test_a_target_that_is_not_there_is_made(tmp_path, capsys):
    a, _, _ = seed(tmp_path, capsys)
    new = tmp_path / "laptop2" / "new.db"
    rc, out, _ = copy(capsys, "1", a, new)
    assert rc == 0 and out == f"INC-1 in {a} is INC-1 in {new}: 7 events, 3 capture lines copied\n"
    assert rows(journal(new, 1)) == rows(journal(a, 1))


def test_an_export_copied_back_to_its_database_lands_on_the_original(tmp_path, capsys):
    a, b, _ = seed(tmp_path, capsys)
    out = tmp_path / "export.db"
    assert run(capsys, "--db", str(a), "export", "1", "-o", str(out))[0] == 0
    assert copy(capsys, "1", out, a)[1] == f"INC-1 in {out}: nothing new to copy to {a} (INC-1)\n"
    assert copy(capsys, "1", a, b)[0] == 0  # and to the server: the same incident as the export
    assert copy(capsys, "1", out, b)[1] == f"INC-1 in {out}: nothing new to copy to {b} (INC-3)\n"


def test_the_target_counts_copied_capture_again_and_shows_the_copy_at_once(tmp_path, capsys):
    """Its capture writer keeps the copied lines within its limits (capture_totals is
    counted again), and the copy's glance is written with it (the console's first frame)."""
    a, b, _ = seed(tmp_path, capsys)
    assert copy(capsys, "1", a, b)[0] == 0
    with closing(sqlite3.connect(b)) as conn:
        upto = conn.execute("SELECT upto FROM glances WHERE incident_id=3").fetchone()[0]
        states = [e.id for e in journal(b, 3) if e.kind.value == "status"]
        assert upto == states[-1]
    writer = CaptureWriter(b, interval=0)  # (a console on the server: it counts the source)
    writer.submit(3, "s1", 4, ["GET /e 200"], err=False, read_at=T0)
    writer.close()
    capture(a, 1, 4, ["GET /4 200", "GET /5 200"])
    assert copy(capsys, "1", a, b)[1].endswith(": 0 events, 1 capture line copied\n")
    writer = CaptureWriter(b, limit=2, interval=0)
    writer.submit(3, "s1", 6, ["GET /6 200"], err=False, read_at=T0)
    writer.close()
    assert read(b, 3)[2] == ["GET /5 200", "GET /6 200"]
