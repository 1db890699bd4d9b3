"""Files warroom writes or opens for people: whole or not at all, never through a link, and a
directory left as it was found.

Found by an adversarial pass: ``report -o`` over an existing file on a full disk destroyed
it (12 KiB left); through a symlink it overwrote and chmod'ed the target; a dangling link
had its target created; onto a FIFO it hung forever; a failed ``export`` left a half-made
file that blocked the retry; ``review`` and refusals made ``-wal``/``-shm`` files; ``list``
with a typo'd ``--db`` made directories and a database; an empty file became a database.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from storage.store import Store
from tests.test_cli import assert_refused, ok, run
from tests.test_faults_storage import small_fs  # noqa: F401 (a fixture)
from tests.tmux_driver import ROOT

pytestmark = pytest.mark.usefixtures("_user")


@pytest.fixture
def _user(monkeypatch):
    monkeypatch.setenv("WARROOM_USER", "@tester")


@pytest.fixture
def inc(tmp_path, capsys, monkeypatch) -> Path:
    db = tmp_path / "w.db"
    monkeypatch.setenv("WARROOM_DB", str(db))
    ok(capsys, "declare", "Checkout 500s", "-s", "2")
    ok(capsys, "note", "1", "pool exhausted " * 40)
    return db


def listing(d: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_size, stat.S_IMODE(p.stat().st_mode)) for p in d.iterdir()}


# ---------------------------------------------------------------------------- report -o
def test_a_report_over_an_existing_file_on_a_full_disk_leaves_it_whole(small_fs, inc, capsys):  # noqa: F811
    target = small_fs / "report.md"
    old = b"the previous report\n" * 2000  # 40 KiB
    target.write_bytes(old)
    filler = small_fs / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:  # fill the disk to the last byte
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    line = assert_refused(capsys, inc, "report", "1", "-o", str(target), same_bytes=False)
    assert "the disk is full" in line
    assert target.read_bytes() == old
    assert sorted(p.name for p in small_fs.iterdir()) == ["filler", "report.md"]
    filler.unlink()
    assert ok(capsys, "report", "1", "-o", str(target)) == ""
    assert target.read_text().startswith("## Incident Report - INC-1")


def test_a_link_is_refused_and_its_target_left_alone(inc, capsys, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    os.chmod(victim, 0o644)
    link = tmp_path / "report.md"
    link.symlink_to(victim)
    line = assert_refused(capsys, inc, "report", "1", "-o", str(link), same_bytes=False)
    assert "symbolic link" in line
    assert victim.read_text() == "precious" and stat.S_IMODE(victim.stat().st_mode) == 0o644
    dangling = tmp_path / "dangling.md"
    dangling.symlink_to(tmp_path / "created-through-the-link.md")
    assert "symbolic link" in assert_refused(
        capsys, inc, "report", "1", "-o", str(dangling), same_bytes=False
    )
    assert not (tmp_path / "created-through-the-link.md").exists()
    assert "symbolic link" in assert_refused(
        capsys, inc, "export", "1", "-o", str(dangling), same_bytes=False
    )


def test_a_fifo_is_refused_at_once(inc, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--db", str(inc), "report", "1", "-o", str(fifo)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode != 0 and "is a FIFO" in done.stderr
    assert done.stderr.count("\n") == 1


def test_a_report_replaces_a_file_whole_and_owner_only(inc, capsys, tmp_path):
    target = tmp_path / "r.md"
    target.write_text("old")
    os.chmod(target, 0o644)
    ok(capsys, "report", "1", "-o", str(target))
    assert target.read_text().startswith("## Incident Report")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


# ---------------------------------------------------------------------------- export
def test_a_failed_export_leaves_nothing_and_the_retry_works(inc, capsys, tmp_path, monkeypatch):
    import storage.export

    target = tmp_path / "out" / "inc1.db"
    real = storage.export.export_incident

    async def half(dest, *a, **kw):
        await real(dest, *a, **kw)  # the file is made ...
        raise OSError(28, "No space left on device")  # ... and then the disk is full

    monkeypatch.setattr(storage.export, "export_incident", half)
    line = assert_refused(capsys, inc, "export", "1", "-o", str(target), same_bytes=False)
    assert "the disk is full" in line
    assert list(target.parent.iterdir()) == []
    monkeypatch.setattr(storage.export, "export_incident", real)
    assert "exported to" in ok(capsys, "export", "1", "-o", str(target))
    assert sorted(p.name for p in target.parent.iterdir()) == ["inc1.db"]
    assert "already exists" in assert_refused(
        capsys, inc, "export", "1", "-o", str(target), same_bytes=False
    )


# ---------------------------------------------------------------------------- a look leaves
def test_review_leaves_the_directory_as_found(inc, tmp_path):
    before = listing(tmp_path)
    assert not (tmp_path / "w.db-wal").exists()

    async def look() -> None:
        store = await Store.open(inc, read_only=True)
        try:
            assert (await store.load_state(1)).title == "Checkout 500s"
            await store.events(1)
        finally:
            await store.close()

    import asyncio

    asyncio.run(look())
    assert listing(tmp_path) == before


def test_refusals_leave_the_directory_as_found(inc, capsys, tmp_path):
    conn = sqlite3.connect(inc)
    conn.execute("PRAGMA user_version=999")  # made by a newer warroom
    conn.close()
    before = listing(tmp_path)
    for argv in (("note", "1", "x"), ("list",), ("report", "1"), ("tail", "1", "--list")):
        assert "newer warroom" in assert_refused(capsys, inc, *argv)
    assert listing(tmp_path) == before


def test_read_verbs_create_nothing(tmp_path, capsys, monkeypatch):
    typo = tmp_path / "no" / "such" / "w.db"
    monkeypatch.setenv("WARROOM_DB", str(typo))
    assert "no incidents (no database at" in ok(capsys, "list")
    for argv in (
        ("note", "1", "x"),
        ("report", "1"),
        ("export", "1", "-o", "x.db"),
        ("tail", "1", "--list"),
        ("review", "1"),
        ("attach",),
    ):
        rc, _out, err = run(capsys, *argv)
        assert rc != 0 and err.count("\n") == 1 and "Traceback" not in err, (argv, err)
    assert list(tmp_path.iterdir()) == []


def test_an_empty_file_is_refused_and_left_empty(tmp_path, capsys, monkeypatch):
    empty = tmp_path / "w.db"
    empty.touch()
    monkeypatch.setenv("WARROOM_DB", str(empty))
    for argv in (
        ("declare", "t", "-s", "2"),
        ("note", "1", "x"),
        ("list",),
        ("report", "1"),
        ("review", "1"),
        ("attach",),
    ):
        line = assert_refused(capsys, empty, *argv)
        assert "empty file, not a warroom database" in line, (argv, line)
    assert empty.stat().st_size == 0 and sorted(p.name for p in tmp_path.iterdir()) == ["w.db"]
