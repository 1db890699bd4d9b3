"""One file a grep source follows: where it was read to, its line count, its unfinished
last line, and what tells that it was truncated and written again (``feeds/grep.py``).
"""

from __future__ import annotations

import os
import time
from typing import Any

from feeds.lines import LineSplitter, sanitize_lines

_MARK = 64  # bytes of a file's start, and of what was read last, checked at every poll


class FollowedFile:
    __slots__ = (
        *("fh", "head", "key", "last_data", "lineno", "mark", "path", "pos", "retired_at"),
        *("shown", "skip", "splitter", "unfinished"),
    )

    def __init__(self, path: str, shown: str, fh: Any, key: tuple[int, int], max_line: int) -> None:
        self.path, self.shown, self.fh, self.key = path, shown, fh, key
        self.pos = 0
        self.lineno = 0
        self.splitter = LineSplitter(max_line)
        self.retired_at: float | None = None
        self.skip: tuple[int, str] | None = None  # (N, text): lines up to N were captured
        self.head = b""  # the file's first bytes, as read (up to _MARK)
        self.mark = b""  # the bytes just before ``pos``, as read (up to _MARK)
        self.last_data = time.monotonic()  # when bytes last came
        self.unfinished = False  # its unfinished last line is shown (provisionally)

    def rewind(self, max_line: int) -> None:
        """Read again from 0: line numbers start again at 1."""
        self.fh.seek(0)
        self.pos = self.lineno = 0
        self.splitter = LineSplitter(max_line)
        self.skip = None
        self.head = self.mark = b""
        self.unfinished = False

    def took(self, data: bytes) -> None:
        """``data`` was read at ``pos``: remember it for :meth:`replaced`."""
        if len(self.head) < _MARK and self.pos == len(self.head):
            self.head += data[: _MARK - len(self.head)]
        self.pos += len(data)
        self.mark = data[-_MARK:] if len(data) >= _MARK else (self.mark + data)[-_MARK:]
        self.last_data = time.monotonic()

    def replaced(self) -> bool:
        """Whether the bytes already read are no longer there (truncated, then written
        again past where it was read to: the size alone does not tell)."""
        fd = self.fh.fileno()
        try:
            return (
                os.pread(fd, len(self.head), 0) != self.head
                or os.pread(fd, len(self.mark), self.pos - len(self.mark)) != self.mark
            )
        except OSError:
            return False

    # -- resuming after what was captured (``skip``) ------------------------------------------

    def after_captured(self, raw: list[bytes], max_line: int) -> list[bytes] | None:
        """The lines of ``raw`` after the last one captured (None: none of them, or the file
        is read again from 0: it is not the file captured)."""
        assert self.skip is not None
        last, text = self.skip
        i = last - self.lineno - 1  # where the line captured last is in raw
        if i >= len(raw):
            self.lineno += len(raw)  # all captured already: not even matched
            return None
        line = sanitize_lines([raw[i]])[0] if i >= 0 else None
        if line is None or not _same(line, text):
            self.rewind(max_line)  # not the line captured: the file was replaced or cut
            return None
        self.skip = None
        if line != text:  # captured unfinished (its grep stopped mid-line), finished since:
            self.lineno = last - 1  # it comes again, whole
            return raw[i:]
        self.lineno = last
        return raw[i + 1 :]

    def ends_captured(self) -> bool:
        """Whether the file ends with the line captured last, still unfinished (or grown):
        the capture is resumed there; the line is shown again once idle or finished."""
        assert self.skip is not None
        last, text = self.skip
        if self.lineno != last - 1 or not self.splitter.pending:
            return False
        if not _same(sanitize_lines([self.splitter.peek()])[0], text):
            return False
        self.skip = None
        return True


def _same(line: str, captured: str) -> bool:
    """``line`` is the line captured, or what it became once finished."""
    return line == captured or (bool(captured) and line.startswith(captured))
