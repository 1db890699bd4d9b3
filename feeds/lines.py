"""Bytes from a pipe or a file, cut into lines and made safe to show.

:class:`LineSplitter` turns chunks (as read, of any size) into complete lines without ever
calling ``readline`` (whose 64 KiB limit loses data); :func:`sanitize_lines` decodes a batch
of lines at once and makes every control character visible (``incident.sanitize``).
"""

from __future__ import annotations

import re

from incident.sanitize import LINE_TABLE, visible

MAX_LINE = 1 << 20
"""Longest line kept whole (1 MiB): a longer one is emitted in pieces of this size."""


class LineSplitter:
    """Cuts a byte stream into lines: ``\\n`` or ``\\r\\n`` ends a line and is not kept.

    ``feed`` returns the lines completed by a chunk and keeps the unterminated tail for the
    next call; ``flush`` returns that tail at the end of the stream. A line longer than
    ``max_line`` bytes is emitted in pieces of ``max_line`` bytes as it arrives (the last,
    shorter piece when its newline comes), so memory stays bounded and nothing is lost. A
    lone ``\\r`` inside a line is kept (the sanitiser shows it as ␍).
    """

    __slots__ = ("_parts", "_size", "max_line")

    def __init__(self, max_line: int = MAX_LINE) -> None:
        if max_line < 2:
            raise ValueError("max_line must be at least 2")
        self.max_line = max_line
        self._parts: list[bytes] = []  # the unterminated tail, in pieces (no quadratic joins)
        self._size = 0

    @property
    def pending(self) -> int:
        """Bytes of the unterminated tail held back."""
        return self._size

    def feed(self, data: bytes) -> list[bytes]:
        """The lines completed by ``data`` (without their line ends), in order."""
        nl = data.find(b"\n")
        if nl < 0:
            if data:
                self._parts.append(data)
                self._size += len(data)
                if self._size > self.max_line:
                    return self._cut_tail()
            return []
        lines = data.split(b"\n")
        tail = lines.pop()
        if self._parts:
            self._parts.append(lines[0])
            lines[0] = b"".join(self._parts)
            self._parts = []
        self._size = 0
        if b"\r" in data or (lines[0][-1:] == b"\r"):
            lines = [ln[:-1] if ln[-1:] == b"\r" else ln for ln in lines]
        if len(lines[0]) > self.max_line or len(data) > self.max_line:
            lines = self._cut_long(lines)
        if tail:
            self._parts.append(tail)
            self._size = len(tail)
            if self._size > self.max_line:
                lines.extend(self._cut_tail())
        return lines

    def flush(self) -> bytes:
        """The unterminated tail (``b""`` when there is none); the splitter is then empty."""
        tail = b"".join(self._parts)
        self._parts = []
        self._size = 0
        return tail[:-1] if tail[-1:] == b"\r" else tail

    def _cut_tail(self) -> list[bytes]:
        # Emit whole pieces while more than max_line bytes are held: at least one byte stays
        # behind, so a closing "\r\n" is always seen whole and no empty piece is emitted.
        tail = b"".join(self._parts)
        m = self.max_line
        n = (len(tail) - 1) // m
        pieces = [tail[i * m:(i + 1) * m] for i in range(n)]
        rest = tail[n * m:]
        self._parts = [rest]
        self._size = len(rest)
        return pieces

    def _cut_long(self, lines: list[bytes]) -> list[bytes]:
        m = self.max_line
        out: list[bytes] = []
        for ln in lines:
            if len(ln) <= m:
                out.append(ln)
            else:
                out.extend(ln[i:i + m] for i in range(0, len(ln), m))
        return out


def _char_class(codes: list[int]) -> str:
    return "[" + "".join(re.escape(chr(c)) for c in codes) + "]"


# Split of incident.sanitize.LINE_TABLE (the one source of truth) into what can be found at
# memchr speed in the raw bytes (C0 controls and DEL are single ASCII bytes) and the rest
# (C1, bidi and invisible characters: all non-ASCII, found with a regex only when a byte that
# can start one of them is present).
_C0 = sorted(c for c in LINE_TABLE if c < 0x80 and c != 0x0A)
_NOT_C0 = bytes(b for b in range(256) if b not in _C0)
_C0_SHOWN = {c: LINE_TABLE[c] for c in _C0}
_WIDE = sorted(c for c in LINE_TABLE if c >= 0x80)
_WIDE_RE = re.compile(_char_class(_WIDE))
_WIDE_LEADS = {chr(c).encode()[0] for c in _WIDE}
_NOT_WIDE_LEADS = bytes(b for b in range(256) if b not in _WIDE_LEADS)


def sanitize_lines(raw: list[bytes]) -> list[str]:
    """Lines of untrusted bytes as safe text: UTF-8 decoded with replacement, and every
    character of ``incident.sanitize.LINE_TABLE`` (C0 controls, ESC, DEL, C1, bidi and
    invisible format characters) made visible. Same result as ``decode`` line by line, but
    the batch is joined, decoded and fixed once: about 8M lines/s for clean ASCII lines of
    100 bytes, about 1M/s when every line carries colour codes or non-ASCII text.
    """
    if not raw:
        return []
    data = b"\n".join(raw)
    text = data.decode("utf-8", "replace")
    controls = data.translate(None, _NOT_C0)
    if controls:
        for c in set(controls):
            text = text.replace(chr(c), _C0_SHOWN[c])
    if not data.isascii() and data.translate(None, _NOT_WIDE_LEADS):
        for ch in set(_WIDE_RE.findall(text)):
            text = text.replace(ch, LINE_TABLE[ord(ch)])
    lines = text.split("\n")
    if len(lines) != len(raw):  # a "line" with a newline in it: not from a LineSplitter
        return [visible(r.decode("utf-8", "replace")) for r in raw]
    return lines
