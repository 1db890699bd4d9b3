"""Storage faults: a clear one-line message, no traceback, nothing previously stored lost.

Each fault is injected for real where this machine allows it (another process holding the
write lock, ``chattr +i``, a size-limited tmpfs, bytes overwritten in the file, a deleted
``-wal``), else skipped with the reason. The CLI is run in-process through ``tui.cli.main``
(one line on stderr starting with "warroom", non-zero exit), the console through Pilot.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

import storage.plumbing
import storage.sql
import storage.store
from incident.journal import Event, Note
from storage.store import Store
from tests.fault_harness import SLOW, record_figures
from tests.tmux_driver import ROOT
from tests.waiting import until, until_sync
from tui.cli import main

T0 = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
FAULTS: list[str] = []  # every fault injected, for the figures


def note(incident: int, text: str) -> Event:
    now = datetime.now(UTC)
    return Event(incident_id=incident, occurred_at=now, recorded_at=now, text=text, payload=Note())


def rows(path: Path) -> list[tuple]:
    """Every journal row, read through a read-only connection (which writes nothing)."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as c:
        return c.execute("SELECT id, kind, text FROM events ORDER BY id").fetchall()


def texts(path: Path) -> list[str]:
    return [t for _, _, t in rows(path)]


def integrity(path: Path) -> str:
    with closing(sqlite3.connect(path, timeout=30)) as c:
        return c.execute("PRAGMA integrity_check").fetchone()[0]


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def refused(capsys, *argv: str) -> str:
    """One line on stderr starting with "warroom", a non-zero exit, nothing on stdout."""
    rc, out, err = cli(capsys, *argv)
    assert rc != 0, (out, err)
    assert "Traceback" not in err
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("warroom"), err
    return lines[0]


@pytest.fixture
def db(tmp_path, monkeypatch, capsys) -> Path:
    """A database with INC-1 and three notes, closed."""
    path = tmp_path / "w.db"
    monkeypatch.setenv("WARROOM_DB", str(path))
    monkeypatch.setenv("WARROOM_USER", "@tester")
    monkeypatch.setenv("WARROOM_CONFIG_DIR", str(tmp_path / "config"))
    assert cli(capsys, "declare", "Checkout 500s", "-s", "2")[0] == 0
    for i in range(3):
        assert cli(capsys, "note", "1", f"before the fault {i}")[0] == 0
    return path


def holder_script(path: Path, seconds: float, *, exclusive: bool = False) -> str:
    return textwrap.dedent(f"""
        import sqlite3, sys, time
        c = sqlite3.connect({str(path)!r}, isolation_level=None, timeout=30)
        c.execute("BEGIN {"EXCLUSIVE" if exclusive else "IMMEDIATE"}")
        print("locked", flush=True)
        time.sleep({seconds})  # (a fixture: it holds the lock this long, unless killed)
        c.execute("ROLLBACK")
    """)


@contextmanager
def locked_by_another_process(path: Path, seconds: float = 120):
    """Another process holds the write lock (BEGIN IMMEDIATE) until the block ends."""
    proc = subprocess.Popen(
        [sys.executable, "-c", holder_script(path, seconds)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline() == "locked\n"
        yield proc
    finally:
        proc.kill()
        proc.wait()


# ---------------------------------------------------------------------------- lost locks
WRITE_AND_CLOSE = """
import asyncio, sys
from datetime import UTC, datetime
from incident.journal import Event, Note
from storage.store import Store
async def run():
    s = await Store.open(sys.argv[1])
    now = datetime.now(UTC)
    e = await s.append(Event(incident_id=1, occurred_at=now, recorded_at=now,
                             text=sys.argv[2], payload=Note()))
    print(e.id)
    await s.close()
asyncio.run(run())
"""


def other_process_writes(path: Path, text: str) -> int:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", WRITE_AND_CLOSE, str(path), text],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


async def test_a_store_keeps_its_wal_when_another_process_closes(db):
    """Regression (found by the crash harness): opening an EXISTING database used to
    open and close the file behind SQLite's back (to tighten its mode), which drops every
    POSIX lock this process held on it. The next process to close its connection then
    believed it was the last one, checkpointed and deleted the WAL under the open store,
    whose later commits went to the deleted file: acknowledged events lost, ids reused."""
    FAULTS.append("another process closes while a store is open")
    store = await Store.open(db)
    try:
        mine = [await store.append(note(1, "console 1"))]
        theirs = [other_process_writes(db, "cli 1")]
        assert (db.parent / "w.db-wal").exists(), "the WAL was deleted under an open store"
        mine.append(await store.append(note(1, "console 2")))
        theirs.append(other_process_writes(db, "cli 2"))
        ids = [e.id for e in mine] + theirs
        assert len(set(ids)) == 4, f"an id was given twice: {ids}"
    finally:
        await store.close()
    stored = dict((i, t) for i, _, t in rows(db))
    assert [stored.get(e.id) for e in mine] == ["console 1", "console 2"]
    assert [stored.get(i) for i in theirs] == ["cli 1", "cli 2"]
    assert integrity(db) == "ok"


def waiting_for_work(name: str) -> bool:
    """Whether the thread of this name is blocked on a ``threading.Condition`` (its
    innermost Python frame is ``Condition.wait``)."""
    thread = next((t for t in threading.enumerate() if t.name == name), None)
    frame = thread and sys._current_frames().get(thread.ident)
    return bool(
        frame and frame.f_code.co_name == "wait" and frame.f_code.co_filename == threading.__file__
    )


async def test_a_capture_writer_made_first_does_not_cost_the_store_its_locks(db):
    """Regression (found by the crash harness): the console builds its capture writer before
    it opens the store (its first frame is painted from a peek). A writer that connected at
    once held SQLite's shared lock when ``Store.open`` read the file's header through a
    descriptor of its own, whose close dropped the lock for the whole process: the next
    process to close deleted the WAL, and the console's next note was lost. The writer now
    connects when it has lines to write."""
    from storage.capture import CaptureWriter

    FAULTS.append("a capture writer made before the store opens")
    capture = CaptureWriter(db)
    try:
        # A writer that connects at once has done so before it first waits for lines.
        until_sync(lambda: waiting_for_work("warroom-capture"), what="the writer idle")
        store = await Store.open(db)
        try:
            mine = [await store.append(note(1, "console 1"))]
            theirs = [other_process_writes(db, "cli 1")]
            assert (db.parent / "w.db-wal").exists(), "the WAL was deleted under an open store"
            mine.append(await store.append(note(1, "console 2")))
            theirs.append(other_process_writes(db, "cli 2"))
        finally:
            await store.close()
    finally:
        capture.close()
    stored = dict((i, t) for i, _, t in rows(db))
    assert [stored.get(e.id) for e in mine] == ["console 1", "console 2"]
    assert [stored.get(i) for i in theirs] == ["cli 1", "cli 2"]
    assert integrity(db) == "ok"


# ---------------------------------------------------------------------------- locked
@pytest.fixture
def short_waits(monkeypatch):
    """The store gives up on a lock after 1 s instead of 60 s (busy handler 0.2 s)."""
    monkeypatch.setattr(storage.sql, "BUSY_TIMEOUT_MS", 200)
    monkeypatch.setattr(storage.plumbing, "WRITE_DEADLINE_S", 1.0)


def test_cli_refuses_when_locked_longer_than_it_waits(db, capsys, short_waits):
    FAULTS.append("locked past the deadline: CLI")
    before = rows(db)
    with locked_by_another_process(db):
        t0 = time.monotonic()
        line = refused(capsys, "note", "1", "while locked")
        assert time.monotonic() - t0 < 10
        refused(capsys, "declare", "another", "-s", "1")
        # reading is not blocked by a writer
        rc, out, _ = cli(capsys, "list")
        assert rc == 0 and "Checkout 500s" in out
    assert "locked by another process" in line and "nothing was saved" in line
    assert rows(db) == before
    rc, out, _ = cli(capsys, "note", "1", "after the lock")  # the lock is gone: it writes
    assert rc == 0 and texts(db)[-1] == "after the lock"


def test_cli_waits_out_a_lock_longer_than_the_busy_timeout(db):
    """Real settings, a real process: a lock held past SQLite's 5 s busy timeout is waited
    out (the store retries up to its 60 s deadline), and the note is saved."""
    FAULTS.append("locked past the busy timeout: CLI waits")
    env = {**os.environ, "WARROOM_DB": str(db), "PYTHONPATH": str(ROOT)}
    with locked_by_another_process(db, seconds=storage.sql.BUSY_TIMEOUT_MS / 1000 + 2) as h:
        t0 = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "tui.cli", "note", "1", "waited"],
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
            cwd=ROOT,
        )
        waited = time.monotonic() - t0
        h.wait(30)
    assert done.returncode == 0, done.stderr
    assert waited > storage.sql.BUSY_TIMEOUT_MS / 1000
    assert texts(db)[-1] == "waited"


@pytest.mark.slow
@pytest.mark.skipif(not SLOW, reason="waits out the real 60 s deadline: WARROOM_SLOW=1")
def test_cli_gives_up_after_the_real_deadline(db):
    FAULTS.append("locked past the real 60 s deadline: CLI")
    env = {**os.environ, "WARROOM_DB": str(db), "PYTHONPATH": str(ROOT)}
    before = rows(db)
    with locked_by_another_process(db, seconds=storage.plumbing.WRITE_DEADLINE_S + 30):
        done = subprocess.run(
            [sys.executable, "-m", "tui.cli", "note", "1", "too late"],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            cwd=ROOT,
        )
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 1 and "locked" in done.stderr
    assert rows(db) == before


async def maybe(value) -> None:
    if asyncio.iscoroutine(value):
        await value


def notices(app) -> list[str]:
    """What the app notified, as "title: message"."""
    from tests.console_support import notices as notified

    return [str(n) for n in notified(app)]


async def stored_drafts(db: Path) -> dict[str, str]:
    async with await Store.open(db, read_only=True) as s:
        return await s.drafts.of(1)


async def console_keeps_a_note_through(pilot, db: Path, start, stop, text: str) -> None:
    """Type a note while a fault is on (``start()`` .. ``stop()``): the save is refused and
    the console says so, shows nothing as saved, and keeps the text: the dialog reopens with
    it, its draft is written to the store once the store can be written, and Enter saves."""
    from tui.screens.console import ConsoleScreen
    from tui.screens.note import NoteDialog
    from tui.widgets.timeline import TimelinePane

    def shown() -> list[str]:
        console = next(s for s in pilot.app.screen_stack if isinstance(s, ConsoleScreen))
        table = console.query_one(TimelinePane).table
        return [table.get_row_at(i)[1].plain for i in range(table.row_count)]

    def field():
        return pilot.app.screen.query_one("#note-text")

    before = rows(db)
    await maybe(start())
    try:
        await pilot.press("n")
        await until(lambda: isinstance(pilot.app.screen, NoteDialog), pilot=pilot)
        dialog = pilot.app.screen
        key = dialog.key("text")
        half = text[: len(text) // 2]
        field().value = half  # typed (an Input.Changed: autosave)

        async def autosave_tried() -> bool:  # refused (and said so), or written after all
            if any("draft not saved yet" in m for m in notices(pilot.app)):
                return True
            try:
                return (await stored_drafts(db)).get(key) == half
            except Exception:  # (the fault may keep even a reader out)
                return False

        await until(
            autosave_tried,
            pilot=pilot,
            timeout=15,
            what="the autosave tried",
            seen=lambda: notices(pilot.app),
        )
        field().value = text
        await pilot.press("enter")
        await until(
            lambda: any("Not saved" in m for m in notices(pilot.app)),
            timeout=15,
            what="the refusal is shown",
            pilot=pilot,
            seen=lambda: notices(pilot.app),
        )
        assert not any(r.startswith(text[:40]) for r in shown())  # not shown as saved
        await until(
            lambda: any("kept" in m for m in notices(pilot.app)),
            pilot=pilot,
            seen=lambda: notices(pilot.app),
        )
        assert rows(db) == before
        await until(
            lambda: isinstance(pilot.app.screen, NoteDialog) and pilot.app.screen is not dialog,
            pilot=pilot,
            timeout=15,
        )  # kept: it opens again
        assert field().value == text
    finally:
        await maybe(stop())

    async def kept_draft_written() -> bool:  # written once it can be
        return (await stored_drafts(db)).get(key) == text

    await until(kept_draft_written, timeout=10, what="the kept draft written", pilot=pilot)
    await pilot.press("enter")
    await until(lambda: isinstance(pilot.app.screen, ConsoleScreen), pilot=pilot)
    await until(
        lambda: any(r.startswith(text[:40]) for r in shown()), what="the note is saved", pilot=pilot
    )
    assert texts(db)[-1] == text
    assert not any(k.startswith("note.") for k in await stored_drafts(db))


def console(db: Path):
    from tests.console_support import make_app

    return make_app(db, 1, clock=None)


async def console_up(pilot) -> None:
    from tests.console_support import wait_ready

    await wait_ready(pilot)


async def test_console_keeps_a_note_while_another_process_holds_the_lock(db, short_waits):
    FAULTS.append("locked past the deadline: console")
    holder: list[subprocess.Popen] = []

    def start() -> None:
        proc = subprocess.Popen(
            [sys.executable, "-c", holder_script(db, 120)], stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout.readline() == "locked\n"
        holder.append(proc)

    def stop() -> None:
        for proc in holder:
            proc.kill()
            proc.wait()

    app = console(db)
    async with app.run_test(size=(120, 36)) as pilot:
        await console_up(pilot)
        await console_keeps_a_note_through(
            pilot, db, start, stop, "Failover to db2 started while locked"
        )


# ---------------------------------------------------------------------------- read-only
def chattr(flag: str, path: Path) -> bool:
    if shutil.which("chattr") is None:
        return False
    return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0


@contextmanager
def immutable(path: Path):
    """``chattr +i``: not even root may write (root ignores file modes, so chmod is no
    test here). Skips where the file system does not support it."""
    if not chattr("+i", path):
        pytest.skip("chattr +i is not supported here")
    try:
        yield
    finally:
        chattr("-i", path)


WRITE_VERBS = [
    ("note", "1", "x"),
    ("declare", "t", "-s", "1"),
    ("severity", "1", "SEV-1"),
    ("tail", "1", "--cmd", "true"),
]
READ_VERBS = [("list",), ("report", "1"), ("report", "1", "--format", "json")]


def test_read_only_file(db, capsys):
    FAULTS.append("read-only database file")
    data = db.read_bytes()
    with immutable(db):
        for argv in [*WRITE_VERBS, *READ_VERBS]:
            line = refused(capsys, *argv)
            assert "permission denied" in line and "review" in line, line
    assert db.read_bytes() == data
    assert len(texts(db)) == 4  # nothing previously stored lost
    # review opens it read-only: tests/test_review.py::
    # test_review_opens_an_exported_copy_on_read_only_media


def test_read_only_directory(db, capsys):
    FAULTS.append("read-only directory")
    assert not (db.parent / "w.db-wal").exists()
    data = db.read_bytes()
    with immutable(db.parent):
        for argv in [*WRITE_VERBS, *READ_VERBS]:
            line = refused(capsys, *argv)
            assert "directory" in line and "not writable" in line, line
    assert db.read_bytes() == data
    assert len(texts(db)) == 4


async def test_console_keeps_a_note_while_its_wal_is_read_only(db):
    FAULTS.append("read-only -wal mid-session: console")
    app = console(db)
    async with app.run_test(size=(120, 36)) as pilot:
        await console_up(pilot)
        wal = db.parent / "w.db-wal"
        assert wal.exists()
        if not chattr("+i", wal):
            pytest.skip("chattr +i is not supported here")
        chattr("-i", wal)
        await console_keeps_a_note_through(
            pilot,
            db,
            lambda: chattr("+i", wal),
            lambda: chattr("-i", wal),
            "Paged the DBA while the WAL was read-only",
        )
    assert integrity(db) == "ok"


# ---------------------------------------------------------------------------- disk full
@pytest.fixture
def small_fs(tmp_path):
    """A 384 KiB tmpfs (root may mount one here); skipped where it cannot be mounted."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=384k,mode=0700", "tmpfs", str(mnt)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_disk_full_cli(small_fs, capsys, monkeypatch):
    FAULTS.append("disk full (tmpfs): CLI")
    path = small_fs / "w.db"
    monkeypatch.setenv("WARROOM_DB", str(path))
    monkeypatch.setenv("WARROOM_USER", "@tester")
    assert cli(capsys, "declare", "Disk fills up", "-s", "1")[0] == 0
    acked, line = [], None
    for i in range(200):  # 20,000-character notes until the file system is full
        rc, out, err = cli(capsys, "note", "1", f"{i} " + "x" * 19_990)
        if rc == 0:
            acked.append(int(out.split()[1].lstrip("#")))
            continue
        assert out == "" and "Traceback" not in err and len(err.splitlines()) == 1, err
        line = err.strip()
        break
    assert line is not None, "the file system never filled up"
    assert "disk is full" in line and "nothing new was saved" in line, line
    assert len(acked) >= 3
    stored = {i for i, _, _ in rows(path)}
    assert set(acked) <= stored  # everything acknowledged is there
    assert integrity(path) == "ok"
    rc, out, _ = cli(capsys, "report", "1")  # reading still works on a full disk
    assert rc == 0 and "Disk fills up" in out
    # space comes back: writing works again
    subprocess.run(["mount", "-o", "remount,size=2m", str(small_fs)], check=True)
    rc, out, err = cli(capsys, "note", "1", "space is back")
    assert rc == 0, err
    assert set(acked) <= {i for i, _, _ in rows(path)}


async def test_disk_full_console(db):
    """SQLITE_FULL injected with ``PRAGMA max_page_count`` on the console's connection."""
    FAULTS.append("disk full (max_page_count): console")
    app = console(db)
    text = "Disk full while saving this note " + "y" * 6_000  # needs new pages

    async def full() -> None:
        conn = app.session.journal._conn
        async with conn.execute("PRAGMA page_count") as cur:
            pages = (await cur.fetchone())[0]
        await conn.execute(f"PRAGMA max_page_count={pages}")

    async def space() -> None:
        await app.session.journal._conn.execute("PRAGMA max_page_count=1073741823")

    async with app.run_test(size=(120, 36)) as pilot:
        await console_up(pilot)
        await console_keeps_a_note_through(pilot, db, full, space, text)
    assert integrity(db) == "ok"


# ---------------------------------------------------------------------------- corrupt
def build_incident(path: Path, notes: int = 200) -> None:
    """An incident spread over a few dozen pages: notes, a source, captured lines."""
    from incident import commands as cmd
    from incident import source_commands as source_cmd
    from incident.clock import FrozenClock
    from incident.model import Severity

    async def run() -> None:
        clock = FrozenClock(T0)
        async with await Store.open(path) as s:
            d = await s.declare(
                cmd.declare(clock, "Checkout 500s", Severity.SEV2, service="checkout")
            )
            state = await s.load_state(d.incident_id)
            spec = source_cmd.command_spec("tail -F /var/log/app.log", name="app", cwd="/")
            await s.append(source_cmd.add_source(clock, state, spec))
            await s.append_many(
                [
                    cmd.note(
                        clock,
                        state,
                        f"note {i} " + "lorem ipsum " * (i % 25),
                        action=f"action {i}",
                        owner="@ic",
                    )
                    for i in range(notes)
                ]
            )

    asyncio.run(run())
    with closing(sqlite3.connect(path)) as c:
        c.executemany(
            "INSERT INTO captured_lines VALUES (1, 's1', ?, 0, ?, ?)",
            [(n, "2026-11-25T14:00:00.000000Z", f"GET /api {n} 200") for n in range(1, 400)],
        )
        c.commit()
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")


CORRUPT_TRIALS = int(os.environ.get("WARROOM_CORRUPT_TRIALS", 0)) or (400 if SLOW else 40)
CORRUPT_VERBS = [
    ("list",),
    ("list", "--json"),
    ("report", "1"),
    ("report", "1", "--format", "json"),
    ("note", "1", "after the damage"),
]


def test_garbage_in_the_middle_of_pages(tmp_path, capsys, monkeypatch):
    """Random bytes written into the middle of random pages (not the header): every verb
    either works or says in one line that the file is damaged; never a traceback, never a
    control character from the file on the terminal; a refused verb changes nothing."""
    monkeypatch.setenv("WARROOM_USER", "@tester")
    base = tmp_path / "base.db"
    build_incident(base)
    data = base.read_bytes()
    pages = len(data) // 4096
    rng = random.Random(int(os.environ.get("WARROOM_CORRUPT_SEED", "7")))
    tally = {"refused": 0, "worked": 0}
    for trial in range(CORRUPT_TRIALS):
        path = tmp_path / f"c{trial % 4}.db"
        for extra in ("-wal", "-shm"):
            Path(f"{path}{extra}").unlink(missing_ok=True)
        damaged = bytearray(data)
        page = rng.randrange(1, pages)
        start = page * 4096 + rng.randrange(0, 4096)
        for i in range(rng.choice([1, 4, 16, 64, 512])):
            if start + i < len(damaged):
                damaged[start + i] = rng.randrange(256)
        path.write_bytes(bytes(damaged))
        for argv in [*CORRUPT_VERBS, ("export", "1", "-o", str(tmp_path / f"x{trial}.db"))]:
            before = path.read_bytes()
            rc, out, err = cli(capsys, "--db", str(path), *argv)
            assert "Traceback" not in err
            if rc == 0:
                tally["worked"] += 1
                continue
            tally["refused"] += 1
            lines = err.splitlines()
            assert out == "" and len(lines) == 1 and lines[0].startswith("warroom"), (
                trial,
                argv,
                err,
            )
            assert lines[0].isprintable(), (trial, argv, lines[0])
            assert path.read_bytes() == before, (trial, argv, "a refusal changed the file")
    FAULTS.extend(["garbage in pages"] * CORRUPT_TRIALS)
    record_figures(
        "corrupt", trials=CORRUPT_TRIALS, invocations=tally["worked"] + tally["refused"], **tally
    )


def test_an_incident_whose_declaration_cannot_be_found_is_refused_in_one_line(tmp_path, capsys):
    """Damage that hides the 'declared' event (found by the garbage trials once schema 7
    moved the pages) gave a traceback from the fold."""
    path = tmp_path / "w.db"
    build_incident(path, notes=5)
    with closing(sqlite3.connect(path)) as c:
        c.execute("DROP TRIGGER events_append_only_delete")
        c.execute("DELETE FROM events WHERE kind = 'declared'")
        c.commit()
    for argv in CORRUPT_VERBS[2:]:
        before = path.read_bytes()
        line = refused(capsys, "--db", str(path), *argv)
        assert "cannot be read: the database file is damaged" in line, (argv, line)
        assert path.read_bytes() == before


def raw_event(
    path: Path,
    kind: str,
    payload: str,
    text: object = "x",
    occurred_at: object = "2026-11-25T14:00:00.000000Z",
) -> None:
    with closing(sqlite3.connect(path)) as c:
        c.execute(
            "INSERT INTO events(incident_id, occurred_at, recorded_at, kind, text, "
            "payload) VALUES (1, ?, '2026-11-25T14:00:00.000000Z', ?, ?, ?)",
            (occurred_at, kind, text, payload),
        )
        c.commit()


UNREADABLE_ROWS = {
    "payload not JSON": ("note", "{not json", "x", "2026-11-25T14:00:00.000000Z"),
    "payload of another kind": ("note", '{"kind": "nope"}', "x", "2026-11-25T14:00:00.000000Z"),
    "extra payload field": (
        "note",
        '{"kind": "note", "run": "rm -rf /"}',
        "x",
        "2026-11-25T14:00:00.000000Z",
    ),
    "bad time": ("note", '{"kind": "note"}', "x", "yesterday"),
    "text a blob": (
        "note",
        '{"kind": "note"}',
        b"\x1b]52;c;eA==\x07",
        "2026-11-25T14:00:00.000000Z",
    ),
}


@pytest.mark.parametrize("case", list(UNREADABLE_ROWS))
async def test_a_row_warroom_did_not_write_is_one_line_everywhere(db, capsys, case):
    """The CLI, the console and review all refuse with the same one line."""
    raw_event(db, *UNREADABLE_ROWS[case])
    for argv in (
        ("report", "1"),
        ("export", "1", "-o", str(db.parent / "x.db")),
        ("note", "1", "x"),
        ("list",),
    ):
        rc, _, err = await asyncio.to_thread(cli, capsys, *argv)
        assert "Traceback" not in err
        if argv[0] in ("report", "export"):  # the others read only the state events
            assert rc != 0 and len(err.splitlines()) == 1 and "cannot be read" in err, err
        elif rc != 0:
            assert len(err.splitlines()) == 1 and "cannot be read" in err, err
    from tests.console_support import make_app

    for read_only in (False, True):
        app = make_app(db, 1, read_only=read_only)
        async with app.run_test(size=(120, 36)) as pilot:
            await until(
                lambda a=app: a.return_code is not None,
                timeout=10,
                what="the console gives up with a message",
                pilot=pilot,
                seen=lambda a=app: notices(a),
            )
        assert app.return_code == 1
        assert "cannot be read" in (app.exit_message or ""), app.exit_message


# ---------------------------------------------------------------------------- newer schema
def test_newer_schema_every_verb(db):
    FAULTS.append("newer schema")
    with closing(sqlite3.connect(db)) as c:
        c.execute("PRAGMA user_version=99")
        c.commit()
    data = db.read_bytes()
    env = {**os.environ, "WARROOM_DB": str(db), "PYTHONPATH": str(ROOT)}
    for argv in (
        ("attach", "1"),
        ("review", "1"),
        ("postmortem", "1"),
        ("export", "1", "-o", str(db.parent / "x.db")),
        ("tail", "1", "--cmd", "true"),
        ("list",),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "tui.cli", *argv],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )
        assert done.returncode != 0 and done.stdout == "", (argv, done.stdout)
        assert len(done.stderr.splitlines()) == 1 and "newer warroom" in done.stderr, argv
    assert db.read_bytes() == data


# ---------------------------------------------------------------------------- missing WAL
def test_missing_wal_of_a_closed_database(db, capsys):
    """Closing checkpoints everything into the main file: the -wal (and -shm) of a closed
    database can go without losing anything."""
    FAULTS.append("missing WAL (closed database)")
    for extra in ("-wal", "-shm"):
        Path(f"{db}{extra}").unlink(missing_ok=True)
    rc, out, _ = cli(capsys, "report", "1")
    assert rc == 0 and all(f"before the fault {i}" in out for i in range(3))
    assert integrity(db) == "ok"


async def test_missing_wal_of_an_open_database(db, capsys):
    """The -wal deleted between writes while a store has it open: the open store keeps
    writing (to the file it holds) and writes everything back when it closes; another
    process is refused in one line meanwhile. Nothing acknowledged is lost."""
    FAULTS.append("missing WAL (open database)")
    store = await Store.open(db)
    acked = []
    try:
        acked.append((await store.append(note(1, "console before"))).id)
        Path(f"{db}-wal").unlink()
        acked.append((await store.append(note(1, "console after"))).id)
        rc, out, err = await asyncio.to_thread(cli, capsys, "note", "1", "cli after")
        assert "Traceback" not in err
        if rc == 0:
            acked.append(int(out.split()[1].lstrip("#")))
        else:
            assert len(err.splitlines()) == 1 and err.startswith("warroom"), err
        acked.append((await store.append(note(1, "console last"))).id)
    finally:
        await store.close()
    stored = {i for i, _, _ in rows(db)}
    assert set(acked) <= stored
    assert integrity(db) == "ok"


def test_storage_faults_figures():
    """Not a check: how many faults this module injected (its last test)."""
    record_figures("storage-faults", faults=len(FAULTS), kinds=len(set(FAULTS)))
