"""Untrusted text made safe to show: no terminal control, no bidi tricks.

Log lines, notes and titles can carry escape sequences (OSC 52 clipboard writes, ``ESC c``,
title changes), C1 controls and bidi overrides. Every one of them becomes a visible symbol:
C0 controls become their Unicode "control pictures" (ESC shows as ␛), DEL as ␡, C1 controls
and bidi/invisible formatting characters as ``⟨U+202E⟩``. Tab is kept (expanded by the view).
"""

from __future__ import annotations

_BIDI_AND_INVISIBLE = [
    0x061C,
    0x200B,
    0x200C,
    0x200D,
    0x200E,
    0x200F,
    0x2028,
    0x2029,
    0x2060,
    0xFEFF,
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
    # invisible format characters that can hide text: Mongolian vowel separator, invisible
    # operators, deprecated shaping controls, interlinear annotations, and the tag block
    0x180E,
    *range(0x2061, 0x2065),
    *range(0x206A, 0x2070),
    *range(0xFFF9, 0xFFFC),
    0xE0001,
    *range(0xE0020, 0xE0080),
]


def _table(keep_newlines: bool) -> dict[int, str]:
    table: dict[int, str] = {}
    for c in range(0x20):
        if c == 0x09 or (keep_newlines and c == 0x0A):
            continue
        table[c] = chr(0x2400 + c)
    table[0x7F] = "\u2421"
    for c in range(0x80, 0xA0):
        table[c] = f"⟨U+{c:04X}⟩"
    for c in _BIDI_AND_INVISIBLE:
        table[c] = f"⟨U+{c:04X}⟩"
    return table


LINE_TABLE = _table(keep_newlines=False)
TEXT_TABLE = _table(keep_newlines=True)


def visible(text: str) -> str:
    """One line of untrusted text with every control made visible (newlines too)."""
    return text.translate(LINE_TABLE)


def visible_text(text: str) -> str:
    """Multi-line untrusted text: newlines are kept, every other control made visible."""
    return text.translate(TEXT_TABLE)


def _json_escape(c: int) -> str:
    if c > 0xFFFF:  # JSON spells astral code points as a surrogate pair
        c -= 0x10000
        return f"\\u{0xD800 + (c >> 10):04x}\\u{0xDC00 + (c & 0x3FF):04x}"
    return f"\\u{c:04x}"


# json.dumps(ensure_ascii=False) escapes C0 controls but leaves DEL, C1 and bidi raw.
JSON_TABLE = {c: _json_escape(c) for c in LINE_TABLE if c >= 0x7F}


def json_safe(text: str) -> str:
    """JSON text (from ``json.dumps``) with every remaining control written as ``\\uXXXX``."""
    return text.translate(JSON_TABLE)


def decode(data: bytes) -> str:
    """Bytes from the outside world as a safe line: invalid UTF-8 replaced, controls shown."""
    return data.decode("utf-8", "replace").translate(LINE_TABLE)
