"""Patterns people type (a grep source, a log pane's search and filter), matched in linear time.

Python's ``re`` backtracks: ``(a+)+$`` against 34 ``a`` and a ``!`` runs for minutes, and it
holds the GIL all the while, so even a match in a worker thread stops the event loop, the
store's thread and the signal handlers: the console froze, ignored SIGTERM and SIGHUP, and
the next console to take the source over froze too. Every pattern that comes from a person
is therefore compiled with RE2 (google-re2), which matches in time linear in the text,
bounds its memory, and releases the GIL while it works. What RE2 cannot do in linear time
(backreferences, lookahead and lookbehind) is refused in one line when the pattern is given,
and a stored pattern that RE2 refuses (written by an older warroom) fails its source with the
reason in the ledger, instead of running.

Matching many lines is done over the lines joined into one UTF-8 buffer (one call into RE2
per matching line, none per line that does not match): per line, the Python wrapper costs
more than the match itself. ``never_nl`` keeps every match inside one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import re2

from incident.errors import InvalidInput
from incident.sanitize import visible

MAX_PATTERN = 4_000  # characters
MAX_MEMORY = 32 << 20  # bytes RE2 may use for one pattern (its default is 8 MiB)

_UNANCHORED = re2._Anchor.UNANCHORED


def _explain(pattern: str, error: str) -> str:
    """RE2's error as a line for a person, saying what to do instead."""
    shown = visible(pattern if len(pattern) <= 60 else pattern[:59] + "…")
    if "invalid escape sequence: \\" in error and error[-1:].isdigit():
        why = "backreferences (\\1) are not supported"
    elif (
        "invalid perl operator: (?<" in error
        or "invalid perl operator: (?=" in error
        or "invalid perl operator: (?!" in error
    ):
        why = "lookahead and lookbehind ((?=, (?!, (?<=, (?<!) are not supported"
    elif "too large" in error or "invalid repetition size" in error:
        why = "too large to compile into a bounded matcher"
    else:
        why = visible(error)
    return (
        f"bad pattern {shown!r}: {why} (patterns use RE2 syntax and run in linear time; "
        "-F takes the text literally)"
    )


def _options(*, literal: bool, ignore_case: bool) -> Any:
    opts = re2.Options()
    opts.log_errors = False  # RE2 would print to stderr, under the console's screen
    opts.never_nl = True  # a match never spans two lines of a joined buffer
    opts.literal = literal
    opts.case_sensitive = not ignore_case
    opts.max_mem = MAX_MEMORY
    return opts


@dataclass(frozen=True, eq=False)
class Pattern:
    """A compiled pattern: ``search`` one line, or find the ``matching`` lines of many."""

    text: str
    literal: bool
    ignore_case: bool
    _one: Any = field(repr=False)  # for one line: str in, character offsets out
    _many: Any = field(repr=False)  # for joined lines: ^ and $ at each line

    def search(self, line: str) -> tuple[int, int] | None:
        """The first match in ``line`` as (start, end) character offsets, or None."""
        m = self._one.search(line)
        return m.span() if m is not None else None

    def spans(self, line: str) -> list[tuple[int, int]]:
        """Every non-empty match in ``line``, as character offsets."""
        return [m.span() for m in self._one.finditer(line) if m.end() > m.start()]

    def matching(self, lines: Sequence[str] | Sequence[bytes]) -> list[int]:
        """The indexes of the lines with a match (lines hold no newline)."""
        if not lines:
            return []
        # (all str or all bytes: mypy does not narrow the union by its first item)
        if isinstance(lines[0], str):
            data = "\n".join(lines).encode("utf-8", "surrogatepass")  # type: ignore[arg-type]
        else:
            data = b"\n".join(lines)  # type: ignore[arg-type]
        if data.count(b"\n") != len(lines) - 1:  # a line held a newline after all: one by one
            each: Sequence[str | bytes] = lines
            return [i for i, line in enumerate(each) if self._one_line(line)]
        return self._matching(data)

    def _one_line(self, line: str | bytes) -> bool:
        data = line.encode("utf-8", "surrogatepass") if isinstance(line, str) else line
        return bool(self._matching(data))

    def _matching(self, data: bytes) -> list[int]:
        match, count, find = self._many.Match, data.count, data.find
        end, hits, pos, line = len(data), [], 0, 0
        while pos <= end:
            start = match(_UNANCHORED, data, pos, end)[0][0]
            if start < 0:
                break
            line += count(b"\n", pos, start)
            hits.append(line)
            nl = find(b"\n", start)
            if nl < 0:
                break
            pos, line = nl + 1, line + 1
        return hits


def compile_pattern(text: str, *, literal: bool = False, ignore_case: bool = False) -> Pattern:
    """Compile what a person typed; :class:`InvalidInput` (one line) if it cannot be
    matched in linear time."""
    if not text:
        raise InvalidInput("the pattern is empty")
    if len(text) > MAX_PATTERN and not literal:  # (a literal is linear whatever its length)
        raise InvalidInput(
            f"the pattern is too large ({len(text)} characters, at most {MAX_PATTERN})"
        )
    if "\x00" in text:
        raise InvalidInput("the pattern contains a NUL character")
    opts = _options(literal=literal, ignore_case=ignore_case)
    try:
        one = re2.compile(text, options=opts)
        opts.never_capture = True  # (the lines are wanted, not the groups)
        many = re2.compile(text if literal else f"(?m){text}", options=opts)._regexp
    except re2.error as e:
        raw = e.args[0] if e.args else ""
        error = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        raise InvalidInput(_explain(text, error)) from None
    except (UnicodeEncodeError, TypeError, ValueError, OverflowError):
        raise InvalidInput(f"bad pattern {visible(text[:60])!r}: not valid text") from None
    return Pattern(text, literal, ignore_case, one, many)
