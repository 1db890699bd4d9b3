"""Storage faults: a clear one-line message, no traceback, nothing previously stored lost.

Each fault is injected for real where this machine allows it (another process holding the
write lock, ``chattr +i``, a size-limited tmpfs, bytes overwritten in the file, a deleted
``-wal``), else skipped with the reason. The CLI is run in-process through ``tui.cli.main``
(one line on stderr starting with "warroom", non-zero exit), the console through Pilot.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from incident.journal import Event, Note
from storage.store import Store
from tests.tmux_driver import ROOT
from tui.cli import main

T0 = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
FAULTS: list[str] = []  # every fault injected, for the figures


def note(incident: int, text: str) -> Event:
    now = datetime.now(UTC)
    return Event(incident_id=incident, occurred_at=now, recorded_at=now, text=text,
                 payload=Note())


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
        c.execute("BEGIN {'EXCLUSIVE' if exclusive else 'IMMEDIATE'}")
        print("locked", flush=True)
        time.sleep({seconds})
        c.execute("ROLLBACK")
    """)


@contextmanager
def locked_by_another_process(path: Path, seconds: float = 120):
    """Another process holds the write lock (BEGIN IMMEDIATE) until the block ends."""
    proc = subprocess.Popen([sys.executable, "-c", holder_script(path, seconds)],
                            stdout=subprocess.PIPE, text=True)
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
    done = subprocess.run([sys.executable, "-c", WRITE_AND_CLOSE, str(path), text],
                          capture_output=True, text=True, timeout=60, env=env, cwd=ROOT)
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
