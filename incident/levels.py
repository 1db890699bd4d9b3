"""The level of a log line (error, warning, debug), read from its level field only.

A log line says its level once, near its start: ``ERROR``, ``[error]``, ``<warn>``,
``level=error``, ``"level":"error"``, ``Error`` in a Windows CBS log, ``E`` in logcat's
level column, ``E1205`` at the start of a klog line. The same words in the message ("no
error", "E7520", "error state 6") are not its level. :func:`level_of` finds the *level
field*, the first level-like token of the line's header, and nothing else:

* the header is the first :data:`FIELDS` whitespace-separated fields, and ends early at the
  first field ending with ``:`` (``sshd[24200]:``, ``AndroidRuntime:``), after which only
  the first word of the message may still be a level (``sshd[1]: error: ...``);
  :data:`FIELDS` is 9 because BGL puts its level ninth (``- 1117838570 2005.06.03
  R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL FATAL``);
* a level word counts in upper case (``ERROR``) or title case (``Error``, for the usual
  words), and in any case when it is delimited as a level: bracketed (``[error]``,
  ``<warn>``, Apache 2.4's ``[core:error]``) or followed by a colon (``error:``);
* a keyed level counts wherever it is in the head of the line: ``level=error`` (logfmt),
  ``"level":"error"`` or ``"severity":"ERROR"`` or pino's ``"level":50`` (JSON lines);
* informational levels (``INFO``, ``[notice]``, ``level=info``) are levels too: they are
  found, and say "no colour", so an ``ERROR`` later in the line is not taken for the level;
* some formats are read by their shape: a syslog ``<PRI>``, logcat (threadtime and brief),
  klog/glog (``E1205 08:36:47.123456``, alone or after a timestamp), MongoDB's ``E``.

journald's priorities are not in the text, so they are not seen. Pure and bounded: it reads
at most the first :data:`HEAD` characters of a line.
"""

from __future__ import annotations

import re
from typing import Literal

Level = Literal["error", "warn", "debug"]

HEAD = 4096  # characters of a line looked at (keys of JSON lines may come late)
FIELDS = 9  # fields of the header

_ERROR = "emerg emergency alert crit critical fatal panic error err eror severe ftl"
_DEBUG = "debug dbug dbg trace trc verbose fine finer finest"
_INFO = "info inf information informational notice note config"
_WORDS: dict[str, Level | None] = {
    **{word: "error" for word in _ERROR.split()},
    **{word: "warn" for word in ("warn", "warning", "wrn")},
    **{word: "debug" for word in _DEBUG.split()},
    **{word: None for word in _INFO.split()},
}
_TITLE = {"Error", "Warning", "Warn", "Fatal", "Critical", "Severe", "Emergency", "Debug"} | {
    "Verbose",
    "Info",
    "Information",
    "Notice",
}  # the words that count bare in title case (CBS, .NET): not "Alert", "Note", "Trace" ...
_LETTERS: dict[str, Level | None] = {
    "V": "debug",
    "D": "debug",
    "I": None,
    "W": "warn",
    "E": "error",
    "F": "error",
    "A": "error",
}
_PRI: tuple[Level | None, ...] = ("error",) * 4 + ("warn", None, None, "debug")
_PINO: dict[int, Level | None] = {
    10: "debug",
    20: "debug",
    30: None,
    40: "warn",
    50: "error",
    60: "error",
}

# A field that is a level word: bracketed (with an optional module, Apache 2.4's
# [core:error]; trace1-8 too), or ending in a colon, or bare.
_FIELD = re.compile(r"([\[<(]?)([\w.-]+:)?([A-Za-z]+)(\d?)([\]>)]?)(:?)[,;]?")
_PY = re.compile(r"([A-Z]+):\S")  # Python's default format: ERROR:root:message
_SHAPES = re.compile(
    r"(?:\d{4}-)?\d\d-\d\d\s+\d\d:\d\d:\d\d\.\d+\s+(?:[\w.]+\s+)?\d+\s+\d+\s+([VDIWEFA])\s"
    r"|([VDIWEFA])/[^\s(/]+\s*\(\s*\d+\):"  # logcat threadtime (optional uid), brief
    r"|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S*\s+([FEWID])\d?\s+[A-Z]+\s"  # MongoDB
)
_KLOG = re.compile(r"([IWEF])(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]) \d\d:\d\d:\d\d\.\d+\s")
# Keyed levels, searched in the lower-cased head (each pattern starts with a literal or a
# small set of letters, which re scans for quickly): JSON, then logfmt.
_JSON = re.compile(
    r'"(?:level|lvl|severity|loglevel|log\.level|levelname|@l)"\s*:\s*(?:"([a-z]+)"|(\d+)\b)'
)
_LOGFMT = re.compile(r'(?:level|lvl|severity|loglevel)="?([a-z]+)')
_TOKEN = re.compile(r"\S+")
_NONE = object()  # no level field found (None: found, and informational)


def level_of(line: str) -> Level | None:
    """``"error"``, ``"warn"`` or ``"debug"`` when the line's level field says so; None
    when it has none, or an informational one."""
    head = line[:HEAD]
    if head.startswith("<") and (m := re.match(r"<(\d{1,3})>", head)) and int(m[1]) < 192:
        return _PRI[int(m[1]) % 8]
    if m := _SHAPES.match(head):
        return _LETTERS[m[1] or m[2] or m[3]]
    at, keyed = _keyed(head.lower())
    found = _header(head, at)
    return keyed if found is _NONE else found  # type: ignore[return-value]


def _keyed(low: str) -> tuple[int, Level | None]:
    """Where the first keyed level of the (lower-cased) head is, and what it says; (its
    length, None) when there is none."""
    at, level = len(low), None
    if "level" not in low and "lvl" not in low and "severity" not in low and '"@l"' not in low:
        return at, level  # (a fast look first: most lines have no key)
    m = _JSON.search(low)
    while m and m.start() and low[m.start() - 1] == "\\":  # a key inside a JSON string
        m = _JSON.search(low, m.start() + 1)
    if m:
        word, number = m.groups()
        at, level = m.start(), _PINO.get(int(number)) if number else _WORDS.get(word)
    m = _LOGFMT.search(low, 0, at)
    while m and m.start() and not low[m.start() - 1].isspace():  # (a longer key: xlevel=)
        m = _LOGFMT.search(low, m.start() + 1, at)
    if m:
        at, level = m.start(), _WORDS.get(m[1])
    return at, level


def _header(head: str, end: int) -> Level | object | None:
    """The level of the first level-like field of the header before ``end``; _NONE when
    there is none."""
    message = False
    for fields, m in enumerate(_TOKEN.finditer(head, 0, end), 1):
        field = m[0]
        if len(field) == 5 and field[0] in "IWEF" and _KLOG.match(head, m.start()):
            return _LETTERS[field[0]]
        level = _field_level(field)
        if level is not _NONE:
            return level
        if message or fields >= FIELDS:
            break
        message = field.endswith(":")  # the header ends: one more field, the message's first
    return _NONE


def _field_level(field: str) -> Level | object | None:
    m = _FIELD.fullmatch(field) if len(field) <= 40 else None  # ([mpm_event:notice]: 18)
    if m is None:
        m = _PY.match(field)
        return _WORDS.get(m[1].lower(), _NONE) if m else _NONE
    opening, module, word, digit, closing, colon = m.groups()
    lower = word.lower()
    if lower not in _WORDS or (digit and lower != "trace") or (module and not opening):
        return _NONE
    if opening or closing or colon or word.isupper() or word in _TITLE:
        return _WORDS[lower]
    return _NONE
