"""GrepSource: existing lines, then growth, through globs, directories and log rotation."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from feeds.factory import make_source
from feeds.grep import GrepSource
from feeds.lines import MAX_LINE
from feeds.source import LineBatch, RunningSource, SourceFailed
from incident.journal import SourceSpec
from tests.waiting import TIMEOUT, until


def grep(pattern: str, *paths: Path | str, **kw: bool) -> SourceSpec:
    return SourceSpec(kind="grep", name="g", pattern=pattern, paths=tuple(map(str, paths)), **kw)


class Reader:
    """Consumes a source's batches in the background as a pane does; ``lines`` (stdout) grows
    as they come, each batch replacing the provisional (unfinished) lines of the one before;
    ``errors`` are the stderr lines (a file that cannot be read, a truncation noticed)."""

    def __init__(self, src: RunningSource) -> None:
        self.src = src
        self.lines: list[str] = []
        self.errors: list[str] = []
        self.batches: list[LineBatch] = []
        self.provisional = 0  # the last lines of ``lines`` are not finished yet
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        numbered = 0  # lines numbered (stdout and stderr), the provisional ones left out
        async for b in self.src.batches():
            self.batches.append(b)
            if self.provisional:
                del self.lines[-self.provisional :]
            assert b.first_no == numbered + 1
            numbered += len(b.lines) - b.provisional
            if b.stream == "err":
                assert not b.provisional
                self.errors.extend(b.lines)
            else:
                self.lines.extend(b.lines)
            self.provisional = b.provisional

    async def reads(self, pred: Callable[[list[str]], bool], timeout: float = TIMEOUT) -> None:
        """Wait (``tests.waiting.until``) until ``pred(lines)`` holds."""
        await until(lambda: pred(self.lines), timeout=timeout, seen=lambda: self.lines)

    async def settle(self, polls: float = 4) -> list[str]:
        """The lines after a few more polls (to see that nothing more comes)."""
        # Not a wait for something to happen: a window in which nothing more may come
        # (an absence, which no condition can await).
        await asyncio.sleep(polls * getattr(self.src, "poll_interval", 0.2))
        return self.lines

    async def close(self) -> None:
        await self.src.stop()
        await asyncio.wait_for(self.task, 3)


async def started(spec: SourceSpec, poll: float = 0.05) -> tuple[GrepSource, Reader]:
    src = make_source("g1", spec, poll_interval=poll)
    assert isinstance(src, GrepSource)
    await src.start()
    return src, Reader(src)


def open_paths() -> list[str]:
    """What this process's file descriptors point to ("... (deleted)" included)."""
    fds = Path("/proc/self/fd")
    if not fds.is_dir():
        pytest.skip("no /proc here")
    out = []
    for fd in fds.iterdir():
        try:
            out.append(os.readlink(fd))
        except OSError:
            pass
    return out


def append(path: Path, text: str) -> None:
    with path.open("a") as f:
        f.write(text)


async def test_existing_then_appended_lines_promptly(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("INFO a\nERROR b\nINFO c\n")
    src, r = await started(grep("ERROR", log), poll=0.2)  # the default poll interval
    assert src.pid is None and src.state == "running"
    await r.reads(lambda ls: ls == ["app.log:2: ERROR b"])
    t0 = time.monotonic()
    append(log, "ERROR d\nINFO e\nERR")
    await r.reads(lambda ls: len(ls) == 2)
    assert time.monotonic() - t0 < 1.0
    append(log, "OR f\n")  # a line written in two parts is matched whole
    await r.reads(lambda ls: len(ls) == 3)
    assert r.lines[1:] == ["app.log:4: ERROR d", "app.log:6: ERROR f"]
    stats = src.stats()
    assert stats.pid is None and stats.lines_total == 3 and stats.files == 1
    assert stats.lines_per_second > 0
    await r.close()
    assert src.state == "stopped" and await src.wait() is None


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({}, ["a.c", "abc"]),
        ({"fixed": True}, ["a.c"]),
        ({"ignore_case": True}, ["a.c", "abc", "ABC", "A.C"]),
        ({"fixed": True, "ignore_case": True}, ["a.c", "A.C"]),
        ({"fixed": True, "invert": True}, ["abc", "ABC", "A.C", "xyz"]),
        ({"invert": True, "ignore_case": True}, ["xyz"]),
    ],
)
async def test_regex_fixed_ignore_case_invert(
    tmp_path: Path, kw: dict[str, bool], expected: list[str]
) -> None:
    log = tmp_path / "m.log"
    log.write_text("a.c\nabc\nABC\nA.C\nxyz\n")
    _, r = await started(grep("a.c", log, **kw))
    await r.reads(lambda ls: len(ls) >= len(expected))
    assert [line.split(": ", 1)[1] for line in await r.settle()] == expected
    await r.close()


async def test_a_glob_picks_up_a_file_created_later(tmp_path: Path) -> None:
    (tmp_path / "first.log").write_text("quiet\n")
    src, r = await started(grep("boom", tmp_path / "*.log"))
    await until(lambda: src.stats().files == 1, what="the first scan (first.log followed)")
    (tmp_path / "later.txt").write_text("boom, but not a .log\n")
    (tmp_path / "later.log").write_text("quiet\nboom 1\n")
    await r.reads(lambda ls: ls == ["later.log:2: boom 1"])
    append(tmp_path / "later.log", "boom 2\n")
    await r.reads(lambda ls: ls[-1] == "later.log:3: boom 2")
    await r.close()


async def test_rotation_by_rename_and_create(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("hit 1\n")
    _, r = await started(grep("hit", log))
    await r.reads(lambda ls: ls == ["app.log:1: hit 1"])
    os.rename(log, tmp_path / "app.log.1")
    append(tmp_path / "app.log.1", "hit 2 (late write to the old file)\n")
    log.write_text("hit 3\n")
    await r.reads(lambda ls: len(ls) == 3)
    assert sorted(await r.settle()) == sorted(
        ["app.log:1: hit 1", "app.log:2: hit 2 (late write to the old file)", "app.log:1: hit 3"]
    )
    append(log, "hit 4\n")
    await r.reads(lambda ls: ls[-1] == "app.log:2: hit 4")
    await r.close()


async def test_rotation_into_the_glob_reads_nothing_twice(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("hit 1\nhit 2\n")
    _, r = await started(grep("hit", tmp_path / "app.log*"))
    await r.reads(lambda ls: len(ls) == 2)
    os.rename(log, tmp_path / "app.log.1")
    log.write_text("hit 3\n")
    await r.reads(lambda ls: len(ls) == 3)
    assert await r.settle() == ["app.log:1: hit 1", "app.log:2: hit 2", "app.log:1: hit 3"]
    await r.close()


async def test_copytruncate(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("hit 1\nhit 2\nhit 3\n")
    _, r = await started(grep("hit", log))
    await r.reads(lambda ls: len(ls) == 3)
    with log.open("r+") as f:  # what logrotate's copytruncate does after copying
        f.truncate(0)
    # Not a wait: the scenario's pause between the truncation and the app's next write
    # (a poll or so sees the file empty, as logrotate leaves it).
    await asyncio.sleep(0.15)
    append(log, "hit 4\n")
    await r.reads(lambda ls: len(ls) == 4)
    assert r.lines[-1] == "app.log:1: hit 4"
    await r.close()


async def test_a_deleted_file_is_let_go_and_a_new_one_followed(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("hit 1\n")
    src, r = await started(grep("hit", log))
    await r.reads(lambda ls: len(ls) == 1)
    assert str(log) in open_paths()
    log.unlink()
    await until(
        lambda: not any(p.startswith(str(log)) for p in open_paths()),
        what="the deleted file let go (its disk space freed)",
        seen=open_paths,
    )
    assert src.stats().files == 0 and src.state == "running"
    log.write_text("hit 2\n")
    await r.reads(lambda ls: ls[-1] == "app.log:1: hit 2")
    await r.close()


async def test_a_directory_is_its_files_not_recursive(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_text("x hit\n")
    (tmp_path / "b.txt").write_text("y\nhit y\n")
    (tmp_path / "old.log.gz").write_bytes(b"hit but compressed\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.log").write_text("hit in a subdirectory\n")
    src, r = await started(grep("hit", tmp_path))
    await r.reads(lambda ls: len(ls) == 2)
    (tmp_path / "new.log").write_text("hit new\n")
    await r.reads(lambda ls: len(ls) == 3)
    assert sorted(await r.settle()) == ["a.log:1: x hit", "b.txt:2: hit y", "new.log:1: hit new"]
    assert src.stats().files == 3
    await r.close()


async def test_hostile_lines_and_names_are_made_visible(tmp_path: Path) -> None:
    (tmp_path / "e\x1b[2Jvil.log").write_bytes(b"hit \x1b]52;c;ZXZpbA==\x07 \xe2\x80\xae\n")
    _, r = await started(grep("hit", tmp_path))
    await r.reads(lambda ls: len(ls) == 1)
    assert r.lines == ["e␛[2Jvil.log:1: hit ␛]52;c;ZXZpbA==␇ ⟨U+202E⟩"]
    await r.close()


async def test_a_large_file_arrives_in_batches_not_lines(tmp_path: Path) -> None:
    log = tmp_path / "big.log"
    log.write_bytes(b"".join(b"line %d hit\n" % i for i in range(200_000)))
    src, r = await started(grep("hit", log))
    await r.reads(lambda ls: len(ls) == 200_000, timeout=10)
    assert r.lines[-1] == "big.log:200000: line 199999 hit"
    assert src._queue.maxsize == 256
    await r.close()


async def test_a_long_line_is_cut_and_the_numbers_after_it_hold(tmp_path: Path) -> None:
    """A 3 MB line is one line, cut with a marker: the lines after it keep their numbers
    (they came as pieces of 1 MiB, each counted as a line), and a line that is still being
    written is held by its head only."""
    log = tmp_path / "big.log"
    log.write_bytes(b"hit 1\nhit " + b"x" * 3_000_000 + b"\nhit 3\nhit " + b"y" * 200_000)
    _, r = await started(grep("hit", log))
    await r.reads(lambda ls: len(ls) == 3)
    cut = 3_000_004 - MAX_LINE
    assert r.lines == [
        "big.log:1: hit 1",
        "big.log:2: hit " + "x" * (MAX_LINE - 4) + f"... [{cut:,} bytes cut]",
        "big.log:3: hit 3",
    ]
    append(log, "y\nhit 5\n")
    await r.reads(lambda ls: len(ls) == 5)
    assert r.lines[3] == "big.log:4: hit " + "y" * (MAX_LINE - 4) + "... [134,469 bytes cut]"
    assert r.lines[4] == "big.log:5: hit 5"
    await r.close()


async def test_cannot_start(tmp_path: Path) -> None:
    missing = make_source("g2", grep("x", tmp_path / "nope.log"))
    with pytest.raises(SourceFailed, match="no such file"):
        await missing.start()
    assert missing.state == "failed"
    bad = make_source("g3", grep("(", tmp_path))
    with pytest.raises(SourceFailed, match="bad pattern"):
        await bad.start()


# ------------------------------------------------------------------ an unfinished last line
async def started_idle(spec: SourceSpec, idle: float = 0.3) -> tuple[GrepSource, Reader]:
    src = make_source("g1", spec, poll_interval=0.05, idle=idle)
    assert isinstance(src, GrepSource)
    await src.start()
    return src, Reader(src)


async def test_an_unfinished_last_line_is_shown_after_idle_then_once_when_finished(
    tmp_path: Path,
) -> None:
    """13 of 16 production logs end without a newline: their last line was never shown."""
    log = tmp_path / "Apache.log"
    log.write_text("[error] one\n[notice] two\n[error] three, unfinished")
    src, r = await started_idle(grep(r"\[error\]", log))
    await r.reads(lambda ls: ls == ["Apache.log:1: [error] one"])  # the finished line first
    await r.reads(lambda ls: ls[-1:] == ["Apache.log:3: [error] three, unfinished"])
    assert r.provisional == 1 and src.stats().lines_total == 1  # shown, not counted
    append(log, " and finished\n[error] four\n")
    await r.reads(lambda ls: len(ls) == 3 and r.provisional == 0)
    assert await r.settle() == [
        "Apache.log:1: [error] one",
        "Apache.log:3: [error] three, unfinished and finished",  # in place of its start, once
        "Apache.log:4: [error] four",
    ]
    assert src.stats().lines_total == 3
    await r.close()


async def test_an_unfinished_line_is_matched_whole_once_finished(tmp_path: Path) -> None:
    """A start that matched may finish as a line that does not (it is taken away), and one
    that did not match may match once finished (it is shown)."""
    log = tmp_path / "app.log"
    log.write_text("ERROR a\nERROR but")
    _, r = await started_idle(grep("ERROR", log, invert=False))
    await r.reads(lambda ls: ls == ["app.log:1: ERROR a", "app.log:2: ERROR but"])
    neg = tmp_path / "neg.log"
    neg.write_text("ok\nnothing yet")
    _, n = await started_idle(grep("ERROR$", neg))
    await n.settle(polls=10)  # (an absence: the unfinished line does not match yet)
    assert n.lines == []
    append(log, " not really\n")  # "ERROR but not really" still matches: replaced in place
    append(neg, " ERROR\n")  # "nothing yet ERROR" now ends with ERROR: shown
    await r.reads(lambda ls: ls[-1] == "app.log:2: ERROR but not really" and not r.provisional)
    await n.reads(lambda ls: ls == ["neg.log:2: nothing yet ERROR"])
    assert r.lines == ["app.log:1: ERROR a", "app.log:2: ERROR but not really"]
    await r.close()
    await n.close()
    # and the other way round: shown unfinished, gone once finished as a non-match
    gone = tmp_path / "gone.log"
    gone.write_text("start ERROR")
    _, g = await started_idle(grep("ERROR$", gone))
    await g.reads(lambda ls: ls == ["gone.log:1: start ERROR"] and g.provisional == 1)
    append(gone, " is not at the end\n")
    await g.reads(lambda ls: ls == [] and g.batches[-1].lines == [])  # an empty batch took it
    await g.close()


async def test_a_resumed_grep_skips_its_unfinished_line_captured(tmp_path: Path) -> None:
    """Stopped mid-line, the capture holds the unfinished line (session/source_lines.py); a
    restart resumes there: the file is not read again from its start."""
    log = tmp_path / "app.log"
    log.write_text("hit 1\nhit 2 unfinished")
    src = make_source(
        "g1", grep("hit", log), poll_interval=0.05, idle=0.2, resume={"app.log": (2, "hit 2")}
    )
    await src.start()
    r = Reader(src)
    await r.reads(lambda ls: ls == ["app.log:2: hit 2 unfinished"] and r.provisional == 1)
    append(log, " now\nhit 3\n")
    await r.reads(lambda ls: ls == ["app.log:2: hit 2 unfinished now", "app.log:3: hit 3"])
    await r.close()


# ------------------------------------------------------------------ truncation, rotation
async def test_copytruncate_then_a_bigger_refill_before_the_next_poll(tmp_path: Path) -> None:
    """Truncated and written again past its old size between two polls, the file is no
    shorter than what was read: it is told by its bytes, read again from 0, and said so."""
    log = tmp_path / "app.log"
    log.write_text("".join(f"hit old {i}\n" for i in range(1, 4)))
    src = make_source("g1", grep("hit", log), poll_interval=0.3)
    assert isinstance(src, GrepSource)
    await src.start()
    r = Reader(src)
    await r.reads(lambda ls: len(ls) == 3)
    with src._lock:  # between two polls (no step runs while the lock is held)
        with log.open("r+") as f:  # copytruncate, then the writer goes on, faster
            f.truncate(0)
        log.write_text("".join(f"hit new {i}\n" for i in range(1, 7)))
    await r.reads(lambda ls: len(ls) == 9)
    assert await r.settle() == [
        *(f"app.log:{i}: hit old {i}" for i in range(1, 4)),
        *(f"app.log:{i}: hit new {i}" for i in range(1, 7)),  # nothing lost, from line 1
    ]
    assert r.errors == [
        "app.log: truncated or replaced (copytruncate?): read again from its first line"
    ]
    await r.close()


async def test_rename_then_late_writes_to_the_old_file_are_read(tmp_path: Path) -> None:
    """logrotate without copytruncate: the new file is followed at once, and the old one is
    read on (as GNU tail -F reads it to its end) while it still grows, so a writer that has
    not reopened yet loses nothing."""
    log = tmp_path / "app.log"
    log.write_text("hit 1\n")
    _, r = await started(grep("hit", log))
    await r.reads(lambda ls: ls == ["app.log:1: hit 1"])
    os.rename(log, tmp_path / "app.log.1")
    log.write_text("hit new 1\n")
    await r.reads(lambda ls: ls[-1] == "app.log:1: hit new 1")  # the new file is followed
    for n in (2, 3):  # then the old writer writes on, twice
        append(tmp_path / "app.log.1", f"hit {n} late\n")
        await r.reads(lambda ls, n=n: ls[-1] == f"app.log:{n}: hit {n} late")
    append(log, "hit new 2\n")
    await r.reads(lambda ls: ls[-1] == "app.log:2: hit new 2")
    assert r.errors == ["app.log: a new file by this name (rotated): read from its first line"]
    await r.close()
