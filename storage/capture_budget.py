"""Keeping each log source's captured output within its line limit and its byte budget.

The budget is what the lines take in the database file, not their length: ``captured_lines``
is a WITHOUT ROWID table, and SQLite keeps at most about 1,000 bytes of such a row in its
b-tree page (``maxLocal`` of an index page, 4 KiB pages); the rest goes to overflow pages
of 4 KiB each, whole pages. Measured on this schema (one source, 4 KiB pages): a row of 100
bytes of text takes 164 bytes of file, of 1,000 bytes 4,681 (4.7 times its text: the
overflow page holds 550 bytes), of 5,000 bytes 5,126, of 64 KiB 66,128. Counting the text
alone would let a source of 1-4 KiB lines take several times its budget; :class:`RowModel`
is SQLite's own rule for the cell and its overflow pages, within 2% of those measures.
``capture_totals`` (schema 8) holds each source's lines and bytes, read and rewritten in the
transaction that changes them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

ROW_EXTRA = 44  # bytes of a row's record besides its text: key, read_at, header
SMALL_ROW = 64  # file a row takes besides its text while it fits in its page (measured)


def text_bytes(text: str) -> int:
    """The UTF-8 length of ``text`` (what the file stores)."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


class RowModel:
    """What a captured line takes in the file, from the length of its text (UTF-8 bytes):
    ``cost(n)``, also registered on the writer's connection as ``warroom_row_cost`` so that
    what is stored is counted the same way."""

    def __init__(self, page_size: int = 4096) -> None:
        self.page_size = page_size
        self.max_local = (page_size - 12) * 64 // 255 - 23  # btree.c, index pages
        self.min_local = (page_size - 12) * 32 // 255 - 23
        self.small = self.max_local - ROW_EXTRA  # the longest text kept in its page
        n = "length(CAST(text AS BLOB))"  # (UTF-8 bytes: the file's own)
        self.sql = (
            f"(CASE WHEN {n} <= {self.small} THEN {n} + {SMALL_ROW} ELSE warroom_row_cost({n}) END)"
        )
        """``cost`` of a stored row, in SQL: the usual row without a call into Python."""

    def cost(self, n: int) -> int:
        """A row in its page: its text and 64 bytes (a row of 100 bytes of text takes 164
        bytes of file). A longer one: what stays in its page (SQLite's own rule), and its
        overflow pages, whole."""
        if n <= self.small:
            return n + SMALL_ROW
        payload, per_page = n + ROW_EXTRA, self.page_size - 4
        local = self.min_local + (payload - self.min_local) % per_page
        if local > self.max_local:
            local = self.min_local
        pages = -(-(payload - local) // per_page)
        return local + SMALL_ROW - ROW_EXTRA + pages * self.page_size

    def lines(self, texts: Sequence[str]) -> int:
        """``sum(cost(...))`` of lines, at C speed when they all fit in their pages (the
        usual case: one join, one scan, no Python per line)."""
        joined = "\n".join(texts)
        widest = max(map(len, texts), default=0)
        if joined.isascii():
            total = len(joined) - len(texts) + 1
        else:
            total = len(joined.encode("utf-8", "surrogatepass")) - len(texts) + 1
            widest *= 4  # (bytes: at most 4 a character)
        if widest <= self.small:
            return total + SMALL_ROW * len(texts) if texts else 0
        return sum(self.cost(text_bytes(t)) for t in texts)


class Lines:
    """One source's lines for one transaction: rows ready for the INSERT, oldest first, the
    runs of their numbers, and what they cost. A number given twice keeps its later line
    (as the INSERT OR REPLACE it becomes did)."""

    def __init__(self, model: RowModel, incident_id: int, source_id: str) -> None:
        self.model, self.incident_id, self.source_id = model, incident_id, source_id
        self.rows: list[tuple[int, str, int, int, str, str]] = []
        self.ranges: list[tuple[int, int]] = []
        self.size = 0

    def add(self, first: int, texts: Sequence[str], err: bool, read_at: str) -> None:
        if not texts:
            return
        last = first + len(texts) - 1
        inc, sid, e = self.incident_id, self.source_id, int(err)
        new = [(inc, sid, first + i, e, read_at, t) for i, t in enumerate(texts)]
        if self.ranges and first <= self.ranges[-1][1]:  # out of order, or overlapping
            merged = {r[2]: r for r in self.rows}
            merged.update((r[2], r) for r in new)
            self.rows = [merged[no] for no in sorted(merged)]
            self.ranges = []
            for no in sorted(merged):
                self._extend(no, no)
            self.size = self.model.lines([r[5] for r in self.rows])
            return
        self.rows += new
        self._extend(first, last)
        self.size += self.model.lines(texts)

    def _extend(self, first: int, last: int) -> None:
        if self.ranges and first == self.ranges[-1][1] + 1:
            self.ranges[-1] = (self.ranges[-1][0], last)
        else:
            self.ranges.append((first, last))


class Totals:
    """One source's ``capture_totals`` row, for the length of one transaction."""

    __slots__ = ("bytes", "incident_id", "lines", "source_id")

    def __init__(
        self, conn: sqlite3.Connection, model: RowModel, incident_id: int, source_id: str
    ) -> None:
        self.incident_id, self.source_id = incident_id, source_id
        row = conn.execute(
            "SELECT lines, bytes FROM capture_totals WHERE incident_id=? AND source_id=?",
            (incident_id, source_id),
        ).fetchone()
        if row is None:  # lines stored before schema 8, or by an export: counted once
            row = conn.execute(
                f"SELECT count(*), coalesce(sum({model.sql}), 0) FROM "
                "captured_lines WHERE incident_id=? AND source_id=?",
                (incident_id, source_id),
            ).fetchone()
        self.lines, self.bytes = row

    def save(self, conn: sqlite3.Connection) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO capture_totals(incident_id, source_id, lines, "
            "bytes) VALUES (?,?,?,?)",
            (self.incident_id, self.source_id, self.lines, self.bytes),
        )


def store_lines(conn: sqlite3.Connection, lines: Lines, *, limit: int, budget: int) -> int:
    """Store one source's ``lines`` inside the caller's transaction, so that afterwards it
    holds at most ``limit`` lines and ``budget`` bytes: lines already stored under the same
    numbers are replaced, then the oldest stored lines make room, then (when the new lines
    alone are too many or too large) the oldest of them are not stored. Room is made before
    the lines go in, so the pages freed are the ones they reuse and the file grows by no
    more than the budget. Returns how many lines were stored."""
    key = (lines.incident_id, lines.source_id)
    model = lines.model
    totals = Totals(conn, model, *key)
    for first, last in lines.ranges:  # (usually nothing there: one seek each)
        n, size = conn.execute(
            f"SELECT count(*), coalesce(sum({model.sql}), 0) FROM captured_lines WHERE "
            "incident_id=? AND source_id=? AND no BETWEEN ? AND ?",
            (*key, first, last),
        ).fetchone()
        if n:
            conn.execute(
                "DELETE FROM captured_lines WHERE incident_id=? AND source_id=? AND "
                "no BETWEEN ? AND ?",
                (*key, first, last),
            )
            totals.lines -= n
            totals.bytes -= size
    rows, size = lines.rows, lines.size
    count = len(rows)
    need_lines = totals.lines + count - limit
    need_bytes = totals.bytes + size - budget
    if need_lines > 0 or need_bytes > 0:
        gone_lines, gone_bytes, cut = _oldest(conn, model, key, need_lines, need_bytes)
        if cut is not None:
            conn.execute(
                "DELETE FROM captured_lines WHERE incident_id=? AND source_id=? AND no <= ?",
                (*key, cut),
            )
        totals.lines -= gone_lines
        totals.bytes -= gone_bytes
        skip, cost = 0, model.cost
        while skip < count and (
            totals.lines + count - skip > limit or totals.bytes + size > budget
        ):
            size -= cost(text_bytes(rows[skip][5]))
            skip += 1
        rows = rows[skip:]
    conn.executemany(
        "INSERT OR REPLACE INTO captured_lines(incident_id, source_id, no, err, "
        "read_at, text) VALUES (?,?,?,?,?,?)",
        rows,
    )
    totals.lines += len(rows)
    totals.bytes += size
    totals.save(conn)
    return len(rows)


def _oldest(
    conn: sqlite3.Connection, model: RowModel, key: tuple[int, str], lines: int, size: int
) -> tuple[int, int, int | None]:
    """How many of the oldest stored lines to let go for ``lines`` lines and ``size`` bytes:
    (lines, bytes, the number of the last to go). Reads only the lines that go: in one
    statement when only lines are wanted, else one by one until enough bytes are freed."""
    if size <= 0:
        n, freed, cut = conn.execute(
            f"SELECT count(*), coalesce(sum(c), 0), max(no) FROM (SELECT no, {model.sql} AS c "
            "FROM captured_lines WHERE incident_id=? AND source_id=? ORDER BY no LIMIT ?)",
            (*key, lines),
        ).fetchone()
        return n, freed, cut
    n = freed = 0
    cut = None
    cur = conn.execute(
        f"SELECT no, {model.sql} FROM captured_lines WHERE incident_id=? AND "
        "source_id=? ORDER BY no",
        key,
    )
    try:
        for no, cost in cur:
            if n >= lines and freed >= size:
                break
            n, freed, cut = n + 1, freed + cost, no
    finally:
        cur.close()
    return n, freed, cut
