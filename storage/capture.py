"""Captured log output: a writer thread with a bounded queue, and reads for the panes.

Log lines arrive far faster than journal events (a flood is millions a second), so they do
not go through the journal's one-commit-per-event path. The writer has its own connection
in its own thread, batches lines into large transactions (``synchronous=NORMAL``: a crash
of the machine may lose the last batch of *log output*, never a journal event), and keeps
only the last ``limit`` lines of each source. It commits at most once per ``interval``
(a busy source's reads become a few transactions a second, not one per read): every
commit takes the database's one write lock, which the journal's writers in every other
console and CLI call are waiting for, and wakes every console's change feed. Its queue is
bounded: when the store falls behind, the *oldest* queued lines are dropped (and counted, so
the pane can say so): only a source's last ``limit`` lines are kept anyway, so the store
converges on the newest output and memory stays flat.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from storage.timestamps import BUSY_TIMEOUT_MS, ts

DEFAULT_LIMIT = 100_000  # lines kept per source
MAX_PENDING = 200_000    # lines waiting to be written before submit() refuses
BATCH_LINES = 20_000     # a transaction's most lines; this many queued are written at once
COMMIT_INTERVAL_S = 0.5  # at most one transaction per interval while lines trickle in


@dataclass(frozen=True)
class CapturedLine:
    no: int
    err: bool
    read_at: str
    text: str


class CaptureWriter:
    """Writes captured lines in the background; ``close()`` flushes what is queued."""

    def __init__(self, path: Path, *, limit: int = DEFAULT_LIMIT,
                 max_pending: int = MAX_PENDING, interval: float = COMMIT_INTERVAL_S) -> None:
        self.path = path
        self.limit = limit
        self.max_pending = max_pending
        self.interval = interval
        self.pending = 0
        self.written = 0
        self.transactions = 0  # committed
        self._last_commit = float("-inf")  # time.monotonic() of the last transaction
        self.error: str | None = None
        self._dropped: dict[tuple[int, str], int] = {}
        self._queue: deque = deque()  # batches waiting, oldest first; None ends the thread
        self._lock = threading.Lock()
        self._ready = threading.Condition(self._lock)
        self._since_trim: dict[tuple[int, str], int] = {}
        self._thread = threading.Thread(target=self._run, name="warroom-capture", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ producer side
    def submit(self, incident_id: int, source_id: str, first_no: int, lines: Sequence[str],
               *, err: bool, read_at: datetime) -> bool:
        """Queue lines for storage, never blocking. When the queue is full the oldest queued
        lines make room (counted as dropped); False when these lines themselves cannot be
        kept (the writer failed, or one batch is larger than the whole queue)."""
        n = len(lines)
        with self._lock:
            if self.error is not None or n > self.max_pending:
                self._count_drop(incident_id, source_id, n)
                return False
            while self.pending + n > self.max_pending and self._queue:
                old = self._queue.popleft()
                if old is None:  # closing: keep the end marker last
                    self._queue.appendleft(old)
                    break
                self.pending -= len(old[3])
                self._count_drop(old[0], old[1], len(old[3]))
            idle = not self._queue  # the writer waits for work: wake it
            self.pending += n
            self._queue.append((incident_id, source_id, first_no, list(lines), err,
                                ts(read_at)))
            if idle or self.pending >= BATCH_LINES:  # else it wakes when its interval is up
                self._ready.notify()
        return True

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

    def _take(self) -> tuple[list, bool]:
        """Wait for work, then for the end of the interval since the last transaction
        (unless a full batch is queued, or the writer is closing); return queued batches up
        to BATCH_LINES, and whether to stop."""
        with self._lock:
            while not self._queue:
                self._ready.wait()
            due = self._last_commit + self.interval
            while self.pending < BATCH_LINES and self._queue[-1] is not None:
                left = due - time.monotonic()
                if left <= 0:
                    break
                self._ready.wait(left)
            batch, lines = [], 0
            while self._queue and lines < BATCH_LINES:
                item = self._queue.popleft()
                if item is None:
                    return batch, True
                batch.append(item)
                lines += len(item[3])
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
                            conn = sqlite3.connect(self.path, isolation_level=None,
                                                   timeout=BUSY_TIMEOUT_MS / 1000)
                            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
                            conn.execute("PRAGMA synchronous=NORMAL")
                        except sqlite3.Error as e:
                            self.error = f"capture store unavailable: {e}"
                            return
                    self._write(conn, batch, sum(len(b[3]) for b in batch))
                if stop:
                    return
        finally:
            if conn is not None:
                conn.close()

    def _write(self, conn: sqlite3.Connection, batch: list, lines: int) -> None:
        rows = [(inc, sid, first + i, int(err), read_at, text)
                for inc, sid, first, texts, err, read_at in batch
                for i, text in enumerate(texts)]
        for attempt in range(50):
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(
                    "INSERT OR REPLACE INTO captured_lines(incident_id, source_id, no, err, "
                    "read_at, text) VALUES (?,?,?,?,?,?)", rows)
                self._trim(conn, batch)
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
            if self.error is None:
                self.written += lines

    def _trim(self, conn: sqlite3.Connection, batch: list) -> None:
        for inc, sid, first, texts, _err, _at in batch:
            key = (inc, sid)
            self._since_trim[key] = self._since_trim.get(key, 0) + len(texts)
            if self._since_trim[key] >= max(self.limit // 10, 1):
                self._since_trim[key] = 0
                conn.execute("DELETE FROM captured_lines WHERE incident_id=? AND source_id=? "
                             "AND no <= ?", (inc, sid, first + len(texts) - 1 - self.limit))
