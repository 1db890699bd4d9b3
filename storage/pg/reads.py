"""Reads of the captured output of log sources on the server (``store.captures``), as the
SQLite file's (``storage/capture_reads.py``)."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Any

from incident.grep_lines import ResumePoints, parse_match
from storage.capture import CapturedLine
from storage.pg.plumbing import PgPlumbing
from storage.sql import ts


class CaptureReads:
    """Captured lines by source and line number, or by the time they were read."""

    def __init__(self, db: PgPlumbing) -> None:
        self.db = db

    async def read(
        self,
        incident_id: int,
        source_id: str,
        *,
        limit: int = 10_000,
        after_no: int = 0,
        max_bytes: int | None = None,
    ) -> list[CapturedLine]:
        """The last ``limit`` captured lines of a source (after ``after_no``), oldest first;
        with ``max_bytes``, only the newest that take no more than that in memory."""
        sql = (
            "SELECT no, err, read_at, text FROM captured_lines WHERE incident_id=%s AND "
            "source_id=%s AND no>%s ORDER BY no DESC LIMIT %s"
        )
        params = (incident_id, source_id, after_no, limit)
        rows = await (
            self.db.rows(sql, params)
            if max_bytes is None
            else self.db.rows_within(sql, params, _text_size, max_bytes)
        )
        return [CapturedLine(no, bool(err), at, text) for no, err, at, text in reversed(rows)]

    async def between(
        self, incident_id: int, start: datetime, end: datetime, *, limit: int = 200
    ) -> list[tuple[str, CapturedLine]]:
        rows = await self.db.rows(
            "SELECT source_id, no, err, read_at, text FROM captured_lines WHERE "
            "incident_id=%s AND read_at BETWEEN %s AND %s "
            'ORDER BY read_at, source_id COLLATE "C", no LIMIT %s',
            (incident_id, ts(start), ts(end), limit),
        )
        return [(sid, CapturedLine(no, bool(err), at, text)) for sid, no, err, at, text in rows]

    async def grep_resume_points(self, incident_id: int, source_id: str) -> ResumePoints:
        """The last match captured of each file of a grep source (``path:N: line``)."""
        rows = await self.db.rows(
            "SELECT text FROM captured_lines WHERE incident_id=%s AND source_id=%s AND no IN ("
            "SELECT max(no) FROM captured_lines WHERE incident_id=%s AND source_id=%s AND "
            "err=0 AND strpos(text, ': ') > 0 "
            "GROUP BY rtrim(substr(text, 1, strpos(text, ': ') - 1), '0123456789'))",
            (incident_id, source_id, incident_id, source_id),
        )
        points: ResumePoints = {}
        for (text,) in rows:
            found = parse_match(text)
            if found is not None:
                shown, no, line = found
                points[shown] = (no, line)
        return points

    async def last_no(self, incident_id: int, source_id: str) -> int:
        return await self.db.scalar(
            "SELECT coalesce(max(no), 0) FROM captured_lines WHERE incident_id=%s AND source_id=%s",
            (incident_id, source_id),
        )


def _text_size(row: Any) -> int:
    return sys.getsizeof(row[3])
