"""Program colours in a sanitised log line: SGR sequences read as styles, nothing else.

Log lines reach the panes sanitised (:func:`incident.sanitize.decode`): ESC shows as ``␛``,
so ``ESC[1;31m`` arrives as the visible text ``␛[1;31m``. :func:`parse` takes that visible
form of the SGR subset out of the line and returns the plain text with style spans over it:
foreground and background colours (8 and 16 colours, the 256-colour palette, truecolour),
bold, dim, italic, underline, reverse and strike, and their resets (``0``, an empty
parameter, ``22`` to ``29``, ``39``, ``49``). Nothing else is ever read as a style:

* only ``␛[`` + digits and ``;`` (at most :data:`MAX_PARAMS` characters) + ``m`` is SGR;
  any other sequence (cursor moves, ``␛[2J``, OSC titles and clipboard writes, ``␛c``,
  private parameters such as ``␛[?25h`` or ``␛[>4;2m``, colon sub-parameters, the C1 CSI)
  stays in the text as it is, visible;
* a sequence is taken whole or not at all: one with a code outside the subset (blink,
  conceal, fonts, ...), a number out of range (``␛[38;5;300m``) or a truncated colour
  (``␛[38;2;1;2m``) stays visible, and changes no style.

Styles do not carry from one line to the next: each line starts plain (a line cut short, or
a program that never resets, cannot colour what follows). The sanitised text cannot tell an
ESC from a literal ``␛`` the source printed, so a literal ``␛[31m`` colours too: harmless,
a style is all it can ever become.

Pure: no Rich, no Textual. A view maps :class:`SgrStyle` to its own styles.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple

MARK = "\u241b["  # what every SGR sequence starts with once sanitised: a cheap first test
MAX_PARAMS = 64  # characters of parameters an SGR sequence may have (more: not SGR, shown)
_SGR = re.compile(f"\u241b\\[([0-9;]{{0,{MAX_PARAMS}}})m")

Color = int | tuple[int, int, int]
"""A colour: an index of the 256-colour palette (0-7 the eight colours, 8-15 their bright
forms), or an (r, g, b) truecolour."""


class SgrStyle(NamedTuple):
    """What SGR sets: colours (None: the view's own) and attributes. (A tuple: compared
    and hashed at C speed, a line's parse compares styles at every sequence.)"""

    fg: Color | None = None
    bg: Color | None = None
    bold: bool = False
    dim: bool = False
    italic: bool = False
    underline: bool = False
    reverse: bool = False
    strike: bool = False


PLAIN = SgrStyle()

Span = tuple[int, int, SgrStyle]
"""(start, end, style): characters ``start`` to ``end`` of the plain text are in ``style``."""

_ON = {1: "bold", 2: "dim", 3: "italic", 4: "underline", 7: "reverse", 9: "strike"}
_OFF = {
    22: ("bold", "dim"),
    23: ("italic",),
    24: ("underline",),
    27: ("reverse",),
    29: ("strike",),
}


def parse(line: str) -> tuple[str, tuple[Span, ...]]:
    """The line without its SGR sequences, and the spans of its styled characters (sorted,
    apart, never empty, never :data:`PLAIN`). O(len(line))."""
    if MARK not in line:
        return line, ()
    pieces = _SGR.split(line)  # text, parameters, text, parameters, ..., text
    parts = [pieces[0]]
    spans: list[Span] = []
    style, since, at, taken = PLAIN, 0, len(pieces[0]), False  # since: where style began
    for k in range(1, len(pieces), 2):
        params, text = pieces[k], pieces[k + 1]
        new = _apply(style, params)
        if new is None:  # not in the subset: the sequence stays, visible
            kept = f"\u241b[{params}m"
            parts.append(kept)
            at += len(kept)
        else:
            taken = True
            if new != style:
                if at > since and style != PLAIN:
                    spans.append((since, at, style))
                style, since = new, at
        parts.append(text)
        at += len(text)
    if not taken:
        return line, ()
    if at > since and style != PLAIN:
        spans.append((since, at, style))
    return "".join(parts), tuple(spans)


def apply(style: SgrStyle, params: str) -> SgrStyle | None:
    """``style`` changed by the parameters of one SGR sequence (``"1;31"``); None when the
    sequence is outside the subset (then it must change nothing)."""
    codes = [int(p) if p else 0 for p in params.split(";")]
    changes: dict[str, Any] = {}
    i, n = 0, len(codes)
    while i < n:
        code = codes[i]
        i += 1
        if code == 0:
            style, changes = PLAIN, {}
        elif code in _ON:
            changes[_ON[code]] = True
        elif code in _OFF:
            for name in _OFF[code]:
                changes[name] = False
        elif 30 <= code <= 37 or 90 <= code <= 97:
            changes["fg"] = code - 30 if code < 90 else code - 82
        elif 40 <= code <= 47 or 100 <= code <= 107:
            changes["bg"] = code - 40 if code < 100 else code - 92
        elif code in (39, 49):
            changes["fg" if code == 39 else "bg"] = None
        elif code in (38, 48):
            color, i = _extended(codes, i)
            if color is None:
                return None
            changes["fg" if code == 38 else "bg"] = color
        else:
            return None
    return style._replace(**changes) if changes else style


def _extended(codes: list[int], i: int) -> tuple[Color | None, int]:
    """The colour of ``38;5;n`` or ``38;2;r;g;b`` whose ``5`` or ``2`` is at ``i``, and
    where the sequence goes on; None if it is truncated or out of range."""
    kind = codes[i] if i < len(codes) else None
    if kind == 5 and i + 1 < len(codes) and codes[i + 1] <= 255:
        return codes[i + 1], i + 2
    if kind == 2 and i + 3 < len(codes) and max(codes[i + 1 : i + 4]) <= 255:
        r, g, b = codes[i + 1 : i + 4]
        return (r, g, b), i + 4
    return None, i


_apply = lru_cache(maxsize=1024)(apply)  # the usual few sequences: parsed once, styles shared
