"""Live log sources: a shell command or a grep over files, read as batches of safe lines.

A source is started once and stopped once. Its output arrives as :class:`LineBatch` objects
(one per chunk read, not one per line) from a bounded queue through ``batches()``, which is
meant for exactly one consumer (the console's pane, or a capture writer that forwards to it).
When that consumer falls behind, the queue fills and reading stops: a command then blocks
on its full pipe, a grep stops reading its files. Nothing is dropped and memory stays bounded.

    src = make_source("s1", spec)     # feeds/factory.py
    await src.start()                 # SourceFailed("no such directory: /x") if it cannot
    async for batch in src.batches(): # ends when the source has exited or was stopped
        ...
    await src.stop()                  # the whole process tree, never hangs

The kinds of source subclass :class:`RunningSource`: :class:`CommandSource` in
``feeds/command.py``, :class:`GrepSource` in ``feeds/grep.py``; ``feeds/factory.py``
makes the one a spec describes.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from feeds.lines import MAX_LINE
from incident.journal import SourceSpec

IDLE_S = 0.5
"""Seconds without a byte more after which a source shows its unfinished last line
(provisionally: see :class:`LineBatch`). Long enough that a writer's line split over two
writes is not shown in halves, short enough that the IC sees the last line at once."""

State = Literal["new", "running", "exited", "stopped", "failed"]
Stream = Literal["out", "err"]


@dataclass(slots=True)
class LineBatch:
    """Consecutive lines of one stream of one source, as read from one chunk.

    ``first_no`` is the 1-based number of the first line, counted per source over both
    streams in arrival order (the numbers of a source's batches never overlap or skip).
    Lines are already sanitised: no control character, no newline.

    ``provisional``: how many of the last lines are not finished yet. A source whose last
    line has no newline (a log file that ends mid-line, ``tail -F`` of one) shows that line
    once no more bytes came for ``idle`` seconds (:class:`RunningSource`), so that it is
    not hidden until the next line is written. Such lines are numbered but not counted:
    **every batch replaces the provisional lines of the batch before it** (its consumer
    takes them away, then adds the new batch, whose first number is theirs). So when the
    line is finished it comes again, whole, in place of its start, and is shown once; a
    grep's finished line that no longer matches is simply not in the next batch, which may
    then hold no line at all. A line still unfinished is sent again at the end of every
    batch that follows, until it is finished. A consumer that keeps lines (a capture) keeps
    only the finished ones, and the provisional ones left when the source ends.
    """

    source_id: str
    stream: Stream
    first_no: int
    lines: list[str]
    read_at: datetime
    provisional: int = 0

    @property
    def last_no(self) -> int:
        return self.first_no + len(self.lines) - 1


@dataclass(frozen=True, slots=True)
class SourceStats:
    """A cheap snapshot for the pane's title bar (``RunningSource.stats``)."""

    source_id: str
    state: State
    pid: int | None
    cpu_percent: float  # the whole process tree, since the previous call (100 = one core)
    rss: int  # bytes, the whole process tree
    processes: int
    lines_per_second: float  # over the last few seconds
    lines_total: int
    files: int = 0  # files followed (grep)


class SourceFailed(Exception):
    """The source could not start; ``str(exc)`` is a one-line reason for the ledger."""


class _Rate:
    """Lines per second over the last ``window`` seconds, from marks taken as lines arrive."""

    def __init__(self, window: float = 5.0) -> None:
        self.window = window
        self._marks: deque[tuple[float, int]] = deque()

    def note(self, total_before: int) -> None:
        now = time.monotonic()
        if not self._marks or now - self._marks[-1][0] >= 0.25:
            self._marks.append((now, total_before))

    def per_second(self, total: int) -> float:
        now = time.monotonic()
        while self._marks and now - self._marks[0][0] > self.window:
            self._marks.popleft()
        if not self._marks:
            return 0.0
        t0, n0 = self._marks[0]
        return (total - n0) / max(now - t0, 1.0)


class RunningSource:
    """What the console sees of a live source. Subclasses implement ``start`` and ``stop``.

    ``state`` is "new" until ``start``, then "running", and ends as "exited" (the command
    ended and its output was read to the end), "stopped" (``stop`` was called) or "failed"
    (``start`` raised :class:`SourceFailed`; ``reason`` says why).
    """

    def __init__(
        self,
        source_id: str,
        spec: SourceSpec,
        *,
        queue_size: int = 256,
        chunk_size: int = 65536,
        max_line: int = MAX_LINE,
        idle: float = IDLE_S,
    ) -> None:
        if queue_size < 1 or chunk_size < 1:
            raise ValueError("queue_size and chunk_size must be positive")
        self.idle = idle  # seconds without bytes after which an unfinished line is shown
        self.source_id = source_id
        self.spec = spec
        self.pid: int | None = None
        self.exit_code: int | None = None
        self.state: State = "new"
        self.reason: str | None = None
        self.started_at: datetime | None = None
        self.ended_at: datetime | None = None
        self.lines_total = 0
        self.queue_size = queue_size
        self.chunk_size = chunk_size
        self.max_line = max_line
        self._queue: asyncio.Queue[LineBatch | None] = asyncio.Queue(maxsize=queue_size)
        self._pending: deque[LineBatch] = deque()  # read while the queue was full (bounded)
        self._closed = False
        self._end_sent = False
        self._done = asyncio.Event()
        self._rate = _Rate()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.source_id} {self.state} pid={self.pid}>"

    # -- the API -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Start reading; raises :class:`SourceFailed` (state "failed") if it cannot."""
        raise NotImplementedError

    async def stop(self, timeout: float = 2.0) -> int | None:
        """Stop for good: SIGTERM, SIGKILL after ``timeout``; returns the exit code."""
        raise NotImplementedError

    async def wait(self) -> int | None:
        """Until the source has ended (exited or stopped); its exit code, None for a grep."""
        await self._done.wait()
        return self.exit_code

    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def queued(self) -> int:
        """Batches waiting in the queue (never more than ``queue_size``)."""
        return self._queue.qsize()

    async def batches(self) -> AsyncIterator[LineBatch]:
        """The batches in order, until the source has ended and all were taken. One consumer.

        Consuming slowly is allowed and is what bounds memory: reading waits for room.
        """
        while True:
            if self._queue.empty():
                self._refill()
                if self._queue.empty() and self._closed and not self._pending:
                    return
            item = await self._queue.get()
            if item is None:
                return
            self._refill()
            yield item

    def stats(self) -> SourceStats:
        """pid, CPU and memory of the whole process tree, lines/s; never raises."""
        cpu, rss, count = self._tree_usage()
        return SourceStats(
            self.source_id,
            self.state,
            self.pid,
            cpu,
            rss,
            count,
            self._rate.per_second(self.lines_total),
            self.lines_total,
        )

    # -- for subclasses ----------------------------------------------------------------------

    def _batch(self, stream: Stream, lines: list[str], provisional: int = 0) -> LineBatch:
        """Number the lines and count them (the last ``provisional`` ones are numbered but
        not counted: the next batch replaces them); the caller queues the batch."""
        self._rate.note(self.lines_total)
        batch = LineBatch(
            self.source_id, stream, self.lines_total + 1, lines, datetime.now(UTC), provisional
        )
        self.lines_total += len(lines) - provisional
        return batch

    def _push(self, batch: LineBatch) -> None:
        """Queue without waiting (from protocol callbacks); a full queue pauses reading."""
        if self._closed:
            return
        if self._pending or self._queue.full():
            self._pending.append(batch)
        else:
            self._queue.put_nowait(batch)
        if self._queue.full():
            self._pause()

    def _refill(self) -> None:
        while self._pending and not self._queue.full():
            self._queue.put_nowait(self._pending.popleft())
        if self._queue.full():
            return
        if self._closed:
            if not self._end_sent and not self._pending:
                self._end_sent = True
                self._queue.put_nowait(None)  # wakes a consumer waiting in get()
        else:
            self._resume()

    def _pause(self) -> None:
        """The queue is full: stop reading (subclasses)."""

    def _resume(self) -> None:
        """The queue has room again (called often: must be cheap when not paused)."""

    def _finish(self, state: State) -> None:
        if self._done.is_set():
            return
        self.state = state
        self.ended_at = datetime.now(UTC)
        self._closed = True
        self._refill()
        self._done.set()

    def _tree_usage(self) -> tuple[float, int, int]:
        return 0.0, 0, 0
