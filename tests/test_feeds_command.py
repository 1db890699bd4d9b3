"""CommandSource: both streams captured and marked, the whole tree ends, memory stays bounded."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from feeds.command import CommandSource, _prctl, _setpriv
from feeds.factory import make_source
from feeds.lines import MAX_LINE
from feeds.source import LineBatch, RunningSource, SourceFailed
from incident.journal import SourceSpec
from tests.waiting import until, until_sync

HERE = Path(__file__).resolve().parent


def cmd(command: str, cwd: str | None = None) -> SourceSpec:
    return SourceSpec(kind="cmd", name="t", command=command, cwd=cwd)


def alive(p: psutil.Process) -> bool:
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def alive_pid(pid: int) -> bool:
    try:
        return alive(psutil.Process(pid))
    except psutil.Error:  # (gone between a look and the next)
        return False


async def collect(src: RunningSource, timeout: float = 10) -> list[LineBatch]:
    async def run() -> list[LineBatch]:
        return [b async for b in src.batches()]

    return await asyncio.wait_for(run(), timeout)


async def test_stdout_and_stderr_are_captured_marked_and_numbered() -> None:
    src = make_source(
        "s1", cmd("echo one; echo two >&2; printf 'three\\r\\n\\033]0;x\\007'; exit 3")
    )
    assert isinstance(src, CommandSource)
    await src.start()
    assert src.pid is not None
    batches = await collect(src)
    assert await src.wait() == 3
    assert (src.state, src.exit_code) == ("exited", 3)
    lines = [(b.stream, n, line) for b in batches for n, line in enumerate(b.lines, b.first_no)]
    assert sorted(lines, key=lambda t: t[1]) == lines
    assert [n for _, n, _ in lines] == [1, 2, 3, 4]
    assert ("err", "two") in [(s, t) for s, _, t in lines]
    assert [t for s, _, t in lines if s == "out"] == ["one", "three", "␛]0;x␇"]
    assert all(b.source_id == "s1" and b.read_at.tzinfo is not None for b in batches)
    assert src.lines_total == 4
    assert src.stats().lines_total == 4  # never raises for a dead process


async def test_command_not_found_is_exited_127_with_the_shell_message() -> None:
    src = make_source("s2", cmd("no-such-command-warroom"))
    await src.start()
    lines = [(b.stream, line) for b in await collect(src) for line in b.lines]
    assert await src.wait() == 127
    assert src.state == "exited"
    assert any(s == "err" and "not found" in t for s, t in lines)


async def test_missing_cwd_fails_to_start(tmp_path: Path) -> None:
    src = make_source("s3", cmd("true", cwd=str(tmp_path / "nope")))
    with pytest.raises(SourceFailed, match="no such directory"):
        await src.start()
    assert src.state == "failed" and src.reason and "no such directory" in src.reason
    assert await collect(src) == []
    assert await src.stop() is None


async def test_missing_shell_fails_to_start() -> None:
    src = CommandSource("s4", cmd("true"), shell="/nonexistent/warroom-sh")
    with pytest.raises(SourceFailed, match="shell not found"):
        await src.start()
    assert src.state == "failed"


async def test_cwd_is_used(tmp_path: Path) -> None:
    src = make_source("s5", cmd("pwd", cwd=str(tmp_path)))
    await src.start()
    assert [line for b in await collect(src) for line in b.lines] == [str(tmp_path)]


async def test_a_long_line_is_cut_with_its_marker_and_keeps_one_number() -> None:
    """A 3 MB line keeps its first 64 KiB and says how much was cut (it used to come as
    pieces of 1 MiB, each numbered as a line of its own)."""
    src = make_source(
        "s6",
        cmd("echo a; head -c 3000000 /dev/zero | tr '\\0' x; echo; echo b; printf '%070000d' 0"),
    )
    await src.start()
    batches = await collect(src)
    lines = [line for b in batches for line in b.lines]
    assert lines == [
        "a",
        "x" * MAX_LINE + f"... [{3_000_000 - MAX_LINE:,} bytes cut]",
        "b",
        "0" * MAX_LINE + f"... [{70_000 - MAX_LINE:,} bytes cut]",
    ]  # (at the end)
    assert batches[-1].last_no == 4


async def test_stop_ends_a_pipeline_tree_including_grep(tmp_path: Path) -> None:
    log = tmp_path / "f"
    log.write_text("x1\n")
    src = make_source("s7", cmd(f"sh -c 'tail -F {log} | grep --line-buffered x'"))
    await src.start()
    got: list[str] = []

    async def consume() -> None:
        async for b in src.batches():
            got.extend(b.lines)

    consumer = asyncio.create_task(consume())
    await until(lambda: "x1" in got, what="the first match")
    assert src.pid is not None
    tree = [psutil.Process(src.pid), *psutil.Process(src.pid).children(recursive=True)]
    assert {"tail", "grep"} <= {p.name() for p in tree}
    stats = src.stats()
    assert stats.pid == src.pid and stats.processes >= 3 and stats.rss > 0
    t0 = time.monotonic()
    await src.stop(timeout=2.0)
    assert time.monotonic() - t0 < 4
    assert src.state == "stopped"
    assert [p.name() for p in tree if alive(p)] == []
    await asyncio.wait_for(consumer, 2)  # batches() ended
    assert src.stats().processes == 0


async def test_a_child_that_ignores_sigterm_is_killed() -> None:
    src = make_source("s8", cmd("trap '' TERM; sleep 100; echo never"))
    await src.start()
    assert src.pid is not None
    await until(
        lambda: any(p.name() == "sleep" for p in psutil.Process(src.pid).children(recursive=True)),
        what="sleep",
    )
    tree = [psutil.Process(src.pid), *psutil.Process(src.pid).children(recursive=True)]
    t0 = time.monotonic()
    await src.stop(timeout=0.5)
    assert time.monotonic() - t0 < 3
    assert [p.name() for p in tree if alive(p)] == []
    assert src.exit_code is not None and src.exit_code < 0  # ended by a signal


async def test_backpressure_bounds_memory_and_stop_still_works() -> None:
    src = make_source("s9", cmd("yes warroom"), queue_size=4)
    await src.start()
    taken, most, seen = 0, 0, 0
    async for b in src.batches():  # a slow consumer
        most = max(most, src.queued)
        taken += 1
        seen += len(b.lines)
        if taken == 5:
            break
        await asyncio.sleep(0.05)  # (not a wait: the slow consumer's pace)
    # The consumer stops taking: reading pauses, so `yes` blocks on its full pipe.
    await until(lambda: src.queued == 4, what="the queue full", seen=lambda: src.queued)
    before = src.lines_total
    per_batch = 65536 // len("warroom\n") + 1
    # Not a wait for something to happen: a window in which reading must not go on (an
    # absence, which no condition can await). At most the read in hand as the queue filled.
    await asyncio.sleep(0.3)
    assert src.lines_total - before <= per_batch, "reading went on while the queue was full"
    assert src.queued <= 4 and most <= 4
    assert before - seen <= (4 + 8) * per_batch  # the queue, and one read beside it
    t0 = time.monotonic()
    await src.stop(timeout=1.0)
    assert time.monotonic() - t0 < 3
    assert src.state == "stopped"


async def test_leftover_background_jobs_die_with_the_source() -> None:
    src = make_source("s10", cmd("sleep 1000 >/dev/null 2>&1 & echo $!"))
    await src.start()
    lines = [line for b in await collect(src) for line in b.lines]
    assert src.state == "exited" and src.exit_code == 0
    pid = int(lines[0])
    await until(
        lambda: not alive_pid(pid),
        timeout=3,
        what="the background sleep ended with its source",
    )


async def test_stop_is_idempotent_and_works_before_start() -> None:
    idle = make_source("s11", cmd("true"))
    assert await idle.stop() is None and idle.state == "stopped"
    src = make_source("s12", cmd("sleep 30"))
    await src.start()
    first, second = await asyncio.gather(src.stop(), src.stop())
    assert first == second and src.state == "stopped"
    assert await src.stop() == first
    with pytest.raises(RuntimeError):
        await src.start()


@pytest.mark.parametrize(
    ("command", "how"),
    [
        ("sleep 1000", "setpriv"),
        ("sleep 1000 | sleep 1001", "setpriv"),  # setpriv on the shell alone would leave these
        ("sleep 1000 | sleep 1001", "prctl"),
    ],
)
def test_children_die_when_warroom_is_sigkilled(command: str, how: str) -> None:
    if not _setpriv() and (how == "setpriv" or not _prctl()):  # (the helper forces prctl)
        pytest.skip(f"no {how} here")
    helper = subprocess.Popen(
        [sys.executable, str(HERE / "feeds_orphan_parent.py"), command, how],
        stdout=subprocess.PIPE,
        text=True,
        cwd=HERE.parent,
        env={**os.environ, "PYTHONPATH": str(HERE.parent)},  # this checkout's feeds/
    )
    try:
        assert helper.stdout is not None
        info = json.loads(helper.stdout.readline())
        workers = [psutil.Process(pid) for pid in info["workers"]]
        assert len(workers) == command.count("|") + 1
        assert all(alive(p) for p in workers)
        os.kill(helper.pid, signal.SIGKILL)
        helper.wait(5)
        until_sync(
            lambda: not any(alive(p) for p in workers),
            what="the orphans ended",
            seen=lambda: [p.pid for p in workers if alive(p)],
        )
    finally:
        if helper.poll() is None:
            helper.kill()
            helper.wait(5)


# ------------------------------------------------------------------ an unfinished last line
class Pane:
    """A source's batches as a pane holds them: (stream, line) in order, each batch
    replacing the provisional (unfinished) lines of the batch before."""

    def __init__(self, src: RunningSource) -> None:
        self.src = src
        self.lines: list[tuple[str, str]] = []
        self.provisional = 0
        self.states: list[tuple[list[tuple[str, str]], int]] = []  # after each batch
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        numbered = 0
        async for b in self.src.batches():
            if self.provisional:
                del self.lines[-self.provisional :]
            assert b.first_no == numbered + 1
            numbered += len(b.lines) - b.provisional
            self.lines += [(b.stream, line) for line in b.lines]
            self.provisional = b.provisional
            self.states.append((list(self.lines), self.provisional))

    async def shows(self, *lines: tuple[str, str], provisional: int | None = None) -> None:
        await until(
            lambda: (
                self.lines == list(lines)
                and (provisional is None or self.provisional == provisional)
            ),
            seen=lambda: (self.lines, self.provisional),
        )


async def test_tail_f_of_a_file_ending_mid_line_shows_it_then_once_finished(
    tmp_path: Path,
) -> None:
    """``tail -F`` writes the unfinished last line's bytes: shown once the pipe is idle,
    then replaced by the whole line when the rest comes, never shown twice."""
    log = tmp_path / "app.log"
    log.write_text("one\ntwo, unfinished")
    src = make_source("c1", cmd(f"exec tail -n +1 -F {log}"), idle=0.2)
    await src.start()
    pane = Pane(src)
    await pane.shows(("out", "one"), ("out", "two, unfinished"), provisional=1)
    assert src.lines_total == 1
    with log.open("a") as f:
        f.write(" and finished\nthree\n")
    await pane.shows(("out", "one"), ("out", "two, unfinished and finished"), ("out", "three"))
    assert pane.provisional == 0 and src.lines_total == 3
    await src.stop()
    await asyncio.wait_for(pane.task, 3)


async def test_an_unfinished_line_comes_again_after_other_streams_lines() -> None:
    """stderr lines while stdout's unfinished line is shown: they replace it, and it comes
    again after them, until its newline comes; at the end it is finished by EOF."""
    src = make_source(
        "c1",
        cmd(
            "printf 'out: half'; sleep 1; echo 'an error' >&2; sleep 1;"
            " printf ' and more'; sleep 1; echo ' done'; printf 'last'"
        ),
        idle=0.2,
    )
    await src.start()
    pane = Pane(src)
    await pane.shows(
        ("err", "an error"), ("out", "out: half and more done"), ("out", "last"), provisional=0
    )
    assert await asyncio.wait_for(src.wait(), 5) == 0 and src.lines_total == 3
    expected = [
        ([("out", "out: half")], 1),  # idle: shown
        ([("err", "an error")], 0),  # the stderr line replaces it...
        ([("err", "an error"), ("out", "out: half")], 1),  # ... and it comes again after
        ([("err", "an error"), ("out", "out: half and more")], 1),  # grown: shown at once
        ([("err", "an error"), ("out", "out: half and more done")], 0),  # finished, once
        ([("err", "an error"), ("out", "out: half and more done"), ("out", "last")], 0),
    ]
    assert pane.states == expected
