"""Captured log output: a writer thread with a bounded queue, and reads for the panes.

Log lines arrive far faster than journal events (a flood is millions a second), so they do
not go through the journal's one-commit-per-event path. The writer has its own connection
in its own thread, batches lines into large transactions (``synchronous=NORMAL``: a crash
of the machine may lose the last batch of *log output*, never a journal event), and keeps
only the last ``limit`` lines of each source, and no more than ``max_bytes`` of file for
each (``storage/capture_budget.py``: what a source holds is kept in ``capture_totals``, so a
writer in any console, after any restart, knows it with one read). It commits at most once
per ``interval`` (a busy source's reads become a few transactions a second, not one per
read): every commit takes the database's one write lock, which the journal's writers in
every other console and CLI call are waiting for, and wakes every console's change feed. A
transaction holds at most ``BATCH_LINES`` lines and about ``BATCH_BYTES``, which bounds the
WAL too. Its queue is bounded in lines and in bytes: when the store falls behind, the
*oldest* queued lines are dropped (and counted, so the pane can say so): only a source's
newest lines are kept anyway, so the store converges on the newest output and memory stays
flat.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from storage.capture_budget import Lines, RowModel, store_lines
from storage.timestamps import BUSY_TIMEOUT_MS, ts

DEFAULT_LIMIT = 100_000  # lines kept per source
DEFAULT_BYTES = 64 << 20  # bytes of file kept per source (capture_budget.RowModel)
MAX_PENDING = 200_000  # lines waiting to be written before the oldest are dropped
MAX_PENDING_BYTES = 16 << 20  # the same in memory (str.__sizeof__): 256 lines cut at 64 KiB
BATCH_LINES = 20_000  # a transaction's most lines; this many queued are written at once
BATCH_BYTES = 4 << 20  # a transaction's most bytes (about; at least one batch of reads)
COMMIT_INTERVAL_S = 0.5  # at most one transaction per interval while lines trickle in
_size = str.__sizeof__

# What submit() queues: incident, source, first line number, the lines, stderr?, read at
# (as stored), their size in memory, the epoch of the source's lease they were read under.
Queued = tuple[int, str, int, list[str], bool, str, int, int | None]


@dataclass(frozen=True)
class CapturedLine:
    no: int
    err: bool
    read_at: str
    text: str


class CaptureWriter:
    """Writes captured lines in the background; ``close()`` flushes what is queued."""

    def __init__(
        self,
        path: Path,
        *,
        limit: int = DEFAULT_LIMIT,
        max_bytes: int = DEFAULT_BYTES,
        max_pending: int = MAX_PENDING,
        max_pending_bytes: int = MAX_PENDING_BYTES,
        interval: float = COMMIT_INTERVAL_S,
        trace: Callable[[str], None] | None = None,
    ) -> None:
        if min(limit, max_bytes, max_pending, max_pending_bytes) < 1:
            raise ValueError("the capture's limits must be positive")
        self.path = path
        self.limit = limit
        self.max_bytes = max_bytes
        self.max_pending = max_pending
        self.max_pending_bytes = max_pending_bytes
        self.interval = interval
        self.trace = trace  # every statement of the writer's connection (tests)
        self.pending = 0
        self.pending_bytes = 0  # what the queued lines take in memory
        self.written = 0
        self.transactions = 0  # committed
        self._last_commit = float("-inf")  # time.monotonic() of the last transaction
        self.error: str | None = None
        self._model = RowModel()  # (of the file's page size, once connected)
        self._dropped: dict[tuple[int, str], int] = {}
        self._queue: deque[Queued | None] = deque()  # oldest first; None ends the thread
        self._lock = threading.Lock()
        self._ready = threading.Condition(self._lock)
        self._thread = threading.Thread(target=self._run, name="warroom-capture", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ producer side
    def submit(
        self,
        incident_id: int,
        source_id: str,
        first_no: int,
        lines: Sequence[str],
        *,
        err: bool,
        read_at: datetime,
        epoch: int | None = None,
    ) -> bool:
        """Queue lines for storage, never blocking. When the queue is full (in lines or in
        bytes) the oldest queued lines make room (counted as dropped); False when these
        lines themselves cannot be kept (the writer failed, or one batch is larger than the
        whole queue). ``epoch`` is the lease's: the file's writer does not fence (a file's
        lease is taken over only once its holder's process is gone)."""
        n = len(lines)
        size = sum(map(_size, lines))
        with self._lock:
            if self.error is not None or n > self.max_pending or size > self.max_pending_bytes:
                self._count_drop(incident_id, source_id, n)
                return False
            while (
                self.pending + n > self.max_pending
                or self.pending_bytes + size > self.max_pending_bytes
            ) and self._queue:
                old = self._queue.popleft()
                if old is None:  # closing: keep the end marker last
                    self._queue.appendleft(old)
                    break
                self.pending -= len(old[3])
                self.pending_bytes -= old[6]
                self._count_drop(old[0], old[1], len(old[3]))
            idle = not self._queue  # the writer waits for work: wake it
            self.pending += n
            self.pending_bytes += size
            self._queue.append(
                (incident_id, source_id, first_no, list(lines), err, ts(read_at), size, epoch)
            )
            if idle or self._full():  # else it wakes when its interval is up
                self._ready.notify()
        return True

    def _full(self) -> bool:
        """A transaction's worth is queued: write it without waiting for the interval."""
        return self.pending >= BATCH_LINES or self.pending_bytes >= BATCH_BYTES

    def _count_drop(self, incident_id: int, source_id: str, n: int) -> None:
        key = (incident_id, source_id)
        self._dropped[key] = self._dropped.get(key, 0) + n

    def dropped(self, incident_id: int, source_id: str) -> int:
        return self._dropped.get((incident_id, source_id), 0)

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued, then stop the thread."""
        with self._lock:
            self._queue.append(None)
            self._ready.notify()
        self._thread.join(timeout)

    def _take(self) -> tuple[list[Queued], bool]:
        """Wait for work, then for the end of the interval since the last transaction
        (unless a full batch is queued, or the writer is closing); return queued batches up
        to BATCH_LINES lines and BATCH_BYTES (at least one), and whether to stop."""
        with self._lock:
            while not self._queue:
                self._ready.wait()
            due = self._last_commit + self.interval
            while not self._full() and self._queue[-1] is not None:
                left = due - time.monotonic()
                if left <= 0:
                    break
                self._ready.wait(left)
            batch: list[Queued] = []
            lines = size = 0
            while self._queue and lines < BATCH_LINES and size < BATCH_BYTES:
                item = self._queue.popleft()
                if item is None:
                    return batch, True
                batch.append(item)
                lines += len(item[3])
                size += item[6]
            return batch, False

    # ------------------------------------------------------------------ writer thread
    def _run(self) -> None:
        # The connection is made when there is something to write, never before: the store
        # must be opened first (its header check reads the file through a descriptor of its
        # own, and closing that drops every POSIX lock this process holds on the file, a
        # connection's shared lock included; without it, another process that closes takes
        # itself for the last one and deletes the WAL that this process still writes to).
        conn: sqlite3.Connection | None = None
        try:
            while True:
                batch, stop = self._take()
                if batch:
                    if conn is None:
                        try:
                            conn = sqlite3.connect(
                                self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000
                            )
                            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
                            conn.execute("PRAGMA synchronous=NORMAL")
                            page = conn.execute("PRAGMA page_size").fetchone()[0]
                            self._model = RowModel(page)
                            conn.create_function(
                                "warroom_row_cost", 1, self._model.cost, deterministic=True
                            )
                            if self.trace is not None:
                                conn.set_trace_callback(self.trace)
                        except sqlite3.Error as e:
                            self.error = f"capture store unavailable: {e}"
                            return
                    self._write(conn, batch)
                if stop:
                    return
        finally:
            if conn is not None:
                conn.close()

    def _write(self, conn: sqlite3.Connection, batch: list[Queued]) -> None:
        sources: dict[tuple[int, str], Lines] = {}
        for inc, sid, first, texts, err, read_at, _size, _epoch in batch:
            key = (inc, sid)
            if key not in sources:
                sources[key] = Lines(self._model, inc, sid)
            sources[key].add(first, texts, err, read_at)
        lines = sum(len(b[3]) for b in batch)
        size = sum(b[6] for b in batch)
        for attempt in range(50):
            try:
                conn.execute("BEGIN IMMEDIATE")
                for source in sources.values():
                    store_lines(conn, source, limit=self.limit, budget=self.max_bytes)
                conn.execute("COMMIT")
                self.transactions += 1
                break
            except sqlite3.OperationalError as e:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if ("locked" not in str(e) and "busy" not in str(e)) or attempt == 49:
                    self.error = f"capture not stored: {e}"
                    break
                time.sleep(0.05)
        with self._lock:
            self._last_commit = time.monotonic()
            self.pending -= lines
            self.pending_bytes -= size
            if self.error is None:
                self.written += lines
