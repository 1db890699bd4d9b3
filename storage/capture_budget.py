"""Keeping each log source's captured output within its line limit and its byte budget.

The budget is what the lines take in the database file, not their length: ``captured_lines``
is a WITHOUT ROWID table, and SQLite keeps at most about 1,000 bytes of such a row in its
b-tree page (``maxLocal`` of an index page, 4 KiB pages); the rest goes to overflow pages
of 4 KiB each, whole pages. Measured on this schema (one source, 4 KiB pages): a row of 100
bytes of text takes 164 bytes of file, of 1,000 bytes 4,681 (4.7 times its text: the
overflow page holds 550 bytes), of 5,000 bytes 5,126, of 64 KiB 66,128. Counting the text
alone would let a source of 1-4 KiB lines take several times its budget; :func:`row_cost`
is SQLite's own rule for the cell and its overflow pages, within a few percent of those
measures. ``capture_totals`` (schema 8) holds each source's lines and bytes, read and
rewritten in the transaction that changes them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

ROW_EXTRA = 44  # bytes of a row's record besides its text: key, read_at, header
COST_SQL = "warroom_row_cost(length(CAST(text AS BLOB)))"  # (UTF-8 bytes: the file's own)


def text_bytes(text: str) -> int:
    """The UTF-8 length of ``text`` (what the file stores)."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def row_model(page_size: int = 4096) -> Callable[[int], int]:
    """``cost(n)``: the bytes of file a captured line with ``n`` bytes of text takes: its
    cell (with its cell pointer, and the 1/8 of a leaf page left unused on average) plus
    the overflow pages it needs (btreeParseCellPtrIndex in SQLite's btree.c)."""
    usable = page_size
    max_local = (usable - 12) * 64 // 255 - 23
    min_local = (usable - 12) * 32 // 255 - 23
    per_page = usable - 4

    def cost(n: int) -> int:
        payload = n + ROW_EXTRA
        if payload <= max_local:
            return (payload + 8) * 9 // 8
        local = min_local + (payload - min_local) % per_page
        if local > max_local:
            local = min_local
        pages = -(-(payload - local) // per_page)
        return (local + 12) * 9 // 8 + pages * page_size

    return cost


class Totals:
    """One source's ``capture_totals`` row, for the length of one transaction."""

    __slots__ = ("bytes", "incident_id", "lines", "source_id")

    def __init__(self, conn: sqlite3.Connection, incident_id: int, source_id: str) -> None:
        self.incident_id, self.source_id = incident_id, source_id
        row = conn.execute("SELECT lines, bytes FROM capture_totals WHERE incident_id=? AND "
                           "source_id=?", (incident_id, source_id)).fetchone()
        if row is None:  # lines stored before schema 8, or by an export: counted once
            row = conn.execute(f"SELECT count(*), coalesce(sum({COST_SQL}), 0) FROM "
                               "captured_lines WHERE incident_id=? AND source_id=?",
                               (incident_id, source_id)).fetchone()
        self.lines, self.bytes = row

    def save(self, conn: sqlite3.Connection) -> None:
        conn.execute("INSERT OR REPLACE INTO capture_totals(incident_id, source_id, lines, "
                     "bytes) VALUES (?,?,?,?)",
                     (self.incident_id, self.source_id, self.lines, self.bytes))


def store_lines(conn: sqlite3.Connection, incident_id: int, source_id: str,
                rows: list[tuple[int, int, str, str, int]], *, limit: int, budget: int
                ) -> int:
    """Store ``rows`` (no, err, read_at, text, cost; oldest first) of one source inside
    the caller's transaction, so that afterwards it holds at most ``limit`` lines and
    ``budget`` bytes: lines already stored under the same numbers are replaced, then the
    oldest stored lines make room, then (when the rows alone are too many or too large) the
    oldest of the rows are not stored. Room is made before the rows go in, so the pages
    freed are the ones they reuse and the file grows by no more than the budget. Returns
    how many of the rows were stored."""
    totals = Totals(conn, incident_id, source_id)
    key = (incident_id, source_id)
    for first, last in _ranges([r[0] for r in rows]):  # (usually none: one seek each)
        n, size = conn.execute(
            f"SELECT count(*), coalesce(sum({COST_SQL}), 0) FROM captured_lines WHERE "
            "incident_id=? AND source_id=? AND no BETWEEN ? AND ?", (*key, first, last)
        ).fetchone()
        if n:
            conn.execute("DELETE FROM captured_lines WHERE incident_id=? AND source_id=? AND "
                         "no BETWEEN ? AND ?", (*key, first, last))
            totals.lines -= n
            totals.bytes -= size
    count, size = len(rows), sum(r[4] for r in rows)
    need_lines = totals.lines + count - limit
    need_bytes = totals.bytes + size - budget
    if need_lines > 0 or need_bytes > 0:
        gone_lines, gone_bytes, cut = _oldest(conn, key, need_lines, need_bytes)
        if cut is not None:
            conn.execute("DELETE FROM captured_lines WHERE incident_id=? AND source_id=? AND "
                         "no <= ?", (*key, cut))
        totals.lines -= gone_lines
        totals.bytes -= gone_bytes
        skip = 0
        while skip < count and (totals.lines + count - skip > limit
                                or totals.bytes + size > budget):
            size -= rows[skip][4]
            skip += 1
        rows = rows[skip:]
    conn.executemany("INSERT OR REPLACE INTO captured_lines(incident_id, source_id, no, err, "
                     "read_at, text) VALUES (?,?,?,?,?,?)",
                     [(*key, no, err, at, text) for no, err, at, text, _ in rows])
    totals.lines += len(rows)
    totals.bytes += size
    totals.save(conn)
    return len(rows)


def _oldest(conn: sqlite3.Connection, key: tuple[int, str], lines: int, size: int
            ) -> tuple[int, int, int | None]:
    """How many of the oldest stored lines to let go for ``lines`` lines and ``size`` bytes:
    (lines, bytes, the number of the last to go). Reads only the lines that go."""
    n = freed = 0
    cut = None
    cur = conn.execute(f"SELECT no, {COST_SQL} FROM captured_lines WHERE incident_id=? AND "
                       "source_id=? ORDER BY no", key)
    try:
        for no, cost in cur:
            if n >= lines and freed >= size:
                break
            n, freed, cut = n + 1, freed + cost, no
    finally:
        cur.close()
    return n, freed, cut


def _ranges(numbers: Sequence[int]) -> list[tuple[int, int]]:
    """Runs of consecutive numbers, as (first, last)."""
    out: list[tuple[int, int]] = []
    for no in numbers:
        if out and no == out[-1][1] + 1:
            out[-1] = (out[-1][0], no)
        else:
            out.append((no, no))
    return out
