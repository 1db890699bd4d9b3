"""Bytes from a pipe or a file, cut into lines and made safe to show.

:class:`LineSplitter` turns chunks (as read, of any size) into complete lines without ever
calling ``readline`` (whose 64 KiB limit loses data); :func:`sanitize_lines` decodes a batch
of lines at once and makes every control character visible (``incident.sanitize``).
"""

from __future__ import annotations

import re

from incident.sanitize import LINE_TABLE, visible

MAX_LINE = 64 * 1024
"""Longest line kept (64 KiB): a longer one keeps its first 64 KiB and says how much was cut.

Real log lines are far shorter: syslog's recommended maximum is 2 KiB and rsyslog's default
8 KiB, Docker and Kubernetes split container lines at 16 KiB, journald cuts at 48 KiB. Only a
machine dumping a blob (a request body, a base64 payload, a minified bundle) goes further, and
nobody reads past the first screens of that: its head says what it is, the rest is what fills
memory and disk. 64 KiB keeps journald's whole lines and a JSON record of a few hundred
fields, and bounds a pinned line (evidence is the line and three on each side: at most about
450 KiB in one journal event).
"""


def cut_marker(cut: int) -> bytes:
    """What ends a line that was cut: ``... [1,048,576 bytes cut]``. ASCII on purpose: one
    character beyond Latin-1 (an ellipsis) would make Python store the whole 64 KiB line in
    two bytes per character, which doubled what a pane of cut lines took (measured)."""
    return f"... [{cut:,} byte{'' if cut == 1 else 's'} cut]".encode()


def _boundary(data: bytes, limit: int) -> int:
    """Where to cut ``data`` to keep at most ``limit`` bytes without splitting a UTF-8
    sequence: ``limit`` moved back to the start of the character it falls in (at most 3
    bytes; bytes that are not UTF-8 are cut where they are)."""
    if limit >= len(data):
        return len(data)
    i = limit
    while i > limit - 3 and i > 0 and 0x80 <= data[i] < 0xC0:  # a continuation byte
        i -= 1
    return i if i < limit and data[i] >= 0xC0 else limit


def _cut(line: bytes, limit: int) -> bytes:
    keep = _boundary(line, limit)
    return line[:keep] + cut_marker(len(line) - keep)


class LineSplitter:
    """Cuts a byte stream into lines: ``\\n`` or ``\\r\\n`` ends a line and is not kept.

    ``feed`` returns the lines completed by a chunk and keeps the unterminated tail for the
    next call; ``flush`` returns that tail at the end of the stream. A line longer than
    ``max_line`` bytes keeps its first ``max_line`` bytes (cut at a character boundary) and
    ends with :func:`cut_marker`, emitted once, when its newline (or the end of the stream)
    comes: the rest is counted as it arrives, never held, so a splitter holds at most
    ``max_line`` bytes plus one chunk whatever the line's length (a line that never ends
    included). Cut and kept, it is still one line, with one line number. A lone ``\\r``
    inside a line is kept (the sanitiser shows it as ␍).
    """

    __slots__ = ("_cr", "_cut", "_parts", "_size", "max_line")

    def __init__(self, max_line: int = MAX_LINE) -> None:
        if max_line < 4:
            raise ValueError("max_line must be at least 4 (the longest UTF-8 character)")
        self.max_line = max_line
        self._parts: list[bytes] = []  # the unterminated tail, in pieces (no quadratic joins)
        self._size = 0
        self._cut = 0  # bytes of the unterminated line dropped past its head (0: not cut)
        self._cr = False  # the last byte dropped was "\r" (it may be half of a "\r\n")

    @property
    def pending(self) -> int:
        """Bytes of the unterminated tail held back (never more than ``max_line`` once a
        chunk has been taken in)."""
        return self._size

    @property
    def cutting(self) -> int:
        """Bytes dropped so far from the unterminated line (0 when it is not being cut)."""
        return self._cut

    def peek(self) -> bytes:
        """The unterminated tail as :meth:`flush` would return it, left held: what the line
        says so far (shown, provisionally, once its source has been idle a while)."""
        if self._cut:
            return b"".join(self._parts) + cut_marker(self._cut - (1 if self._cr else 0))
        tail = b"".join(self._parts)
        if len(self._parts) > 1:
            self._parts = [tail]  # (joined once, not at every look)
        return tail[:-1] if tail[-1:] == b"\r" else tail

    def feed(self, data: bytes) -> list[bytes]:
        """The lines completed by ``data`` (without their line ends), in order."""
        if data.find(b"\n") < 0:
            if data:
                self._hold(data)
            return []
        lines = data.split(b"\n")
        tail = lines.pop()
        first = self._close(lines[0]) if self._parts or self._cut else None
        if b"\r" in data:
            lines = [ln[:-1] if ln[-1:] == b"\r" else ln for ln in lines]
        if len(data) > self.max_line:
            m = self.max_line
            lines = [_cut(ln, m) if len(ln) > m else ln for ln in lines]
        if first is not None:
            lines[0] = first
        if tail:
            self._hold(tail)
        return lines

    def flush(self) -> bytes:
        """The unterminated tail (``b""`` when there is none); the splitter is then empty."""
        if self._cut:
            return self._close(b"")
        tail = b"".join(self._parts)
        self._parts = []
        self._size = 0
        return tail[:-1] if tail[-1:] == b"\r" else tail

    def _hold(self, data: bytes) -> None:
        """Keep the start of an unterminated line; count (and drop) what is past its head."""
        if self._cut:
            self._cut += len(data)
            self._cr = data[-1] == 0x0D
            return
        self._parts.append(data)
        self._size += len(data)
        if self._size > self.max_line:
            held = b"".join(self._parts)
            keep = _boundary(held, self.max_line)
            self._parts = [held[:keep]]
            self._size = keep
            self._cut = len(held) - keep
            self._cr = held[-1] == 0x0D

    def _close(self, end: bytes) -> bytes:
        """The held line completed by ``end`` (its last bytes before the newline, or b""
        at the end of the stream): its "\\r" dropped, cut if it is too long."""
        if self._cut:
            cut = self._cut + len(end)
            if (end[-1] == 0x0D) if end else self._cr:
                cut -= 1  # the "\r" of "\r\n" was not part of the line
            head = b"".join(self._parts)
            self._parts, self._size, self._cut, self._cr = [], 0, 0, False
            return head + cut_marker(cut) if cut else head
        self._parts.append(end)
        line = b"".join(self._parts)
        self._parts, self._size = [], 0
        if line[-1:] == b"\r":
            line = line[:-1]
        return _cut(line, self.max_line) if len(line) > self.max_line else line


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
# Their UTF-8 spellings, looked for in the raw bytes first: a byte regex of literals runs
# about 25 times faster than the character class over a batch's text (which is 4 bytes a
# character once one emoji is in it), and most batches that are not ASCII (CJK, emoji,
# accents) hold none of them. UTF-8 is self-synchronising, so what decodes to one of these
# characters is exactly its bytes: nothing is missed.
_WIDE_SPELLINGS = sorted((chr(c).encode() for c in _WIDE), key=len, reverse=True)
_WIDE_BYTES = re.compile(b"|".join(map(re.escape, _WIDE_SPELLINGS)))


def sanitize_lines(raw: list[bytes]) -> list[str]:
    """Lines of untrusted bytes as safe text: UTF-8 decoded with replacement, and every
    character of ``incident.sanitize.LINE_TABLE`` (C0 controls, ESC, DEL, C1, bidi and
    invisible format characters) made visible. Same result as ``decode`` line by line, but
    the batch is joined, decoded and fixed once: about 8M lines/s for clean ASCII lines of
    100 bytes, about 1M/s when every line carries colour codes or non-ASCII text (a batch
    with CJK or emoji lines used to cost 16 ms per 2,000 lines in the character class alone:
    a flood with 4% of them reached the screen 6 times slower than an ASCII one).
    """
    if not raw:
        return []
    data = b"\n".join(raw)
    text = data.decode("utf-8", "replace")
    controls = data.translate(None, _NOT_C0)
    if controls:
        for c in set(controls):
            text = text.replace(chr(c), _C0_SHOWN[c])
    if not data.isascii() and _WIDE_BYTES.search(data) is not None:
        for ch in set(_WIDE_RE.findall(text)):
            text = text.replace(ch, LINE_TABLE[ord(ch)])
    lines = text.split("\n")
    if len(lines) != len(raw):  # a "line" with a newline in it: not from a LineSplitter
        return [visible(r.decode("utf-8", "replace")) for r in raw]
    return lines
