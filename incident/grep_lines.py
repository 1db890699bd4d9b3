"""How a grep log source writes a match: ``path:N: line`` (the file as shown, its line
number, the line made safe), and how that is read back, to resume a grep after what it
captured instead of showing every earlier match again as new lines.
"""

from __future__ import annotations

import re

ResumePoints = dict[str, tuple[int, str]]
"""Per file (as shown): the number and the text of the last line already captured."""

_MATCH = re.compile(r"(.*?):(\d+): ", re.DOTALL)


def match_line(shown: str, lineno: int, text: str) -> str:
    """A match as the grep source writes it."""
    return f"{shown}:{lineno}: {text}"


def parse_match(line: str) -> tuple[str, int, str] | None:
    """``(shown, lineno, text)`` of a line written by :func:`match_line`; None for any other
    line (an error, a restart marker). A file whose shown name holds ``:N: `` is read at
    its first such place (no such file name is expected)."""
    found = _MATCH.match(line)
    if found is None:
        return None
    return found.group(1), int(found.group(2)), line[found.end() :]
