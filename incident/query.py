"""What the IC types in a log pane's search or filter bar, and how it is read.

A text is read as a regex (RE2, matched in linear time: ``incident.patterns``) or literally,
and the reading is always said, because the two can differ wildly: ``[error]`` as a regex
is a class of five letters, which passes nearly every line. The rule, in order:

1. A ``=`` first: literal (``=[error]`` finds ``[error]``). A ``~`` first: regex
   (``~[error]`` is the class). The first character is the prefix and the rest is the
   text, so ``==x`` finds ``=x`` and ``~~x`` is the regex ``~x``.
2. Otherwise a text whose only regex syntax is bracket expressions that hold a word (3 or
   more letters in a row; no ``^`` first, no ``\\`` or ``[`` inside) and dots is read
   literally: ``[error]``, ``[TERM, HUP, INT]``, ``[client 1.2.3.4] GET /a.html``. Any other
   syntax (``[0-9]+``, ``[Ee]rror``, ``^\\[error\\]``, ``[error].*timeout``) keeps the regex.
3. Otherwise a regex, if RE2 takes it; else literally (``a(b``), saying why.

Any upper-case letter in the text makes it case-sensitive, else case is ignored (smartcase,
as in less and vim). The bar's toggle key rewrites the text with the other prefix
(:func:`toggled`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from incident.errors import InvalidInput
from incident.patterns import Pattern, compile_pattern
from incident.sanitize import visible
from incident.words import plural

Mode = Literal["regex", "literal"]
Reason = Literal["default", "prefix", "words", "invalid"]
"""Why a text got its reading: the default (a regex RE2 takes), a prefix typed (``=`` or
``~``), the bracket rule (bracketed words), or RE2 refused it as a regex."""

LITERAL, REGEX = "=", "~"
_SYNTAX = set("\\^$|?*+(){}")  # regex syntax outside brackets (a dot matches itself too)


@dataclass(frozen=True)
class Query:
    """A typed search or filter: the compiled ``pattern``, its reading and why."""

    typed: str  # as typed, prefix and all
    text: str  # what is looked for (without the prefix)
    mode: Mode
    reason: Reason
    pattern: Pattern
    why: str = ""  # for "invalid": RE2's complaint, in a few words

    @property
    def note(self) -> str:
        """The reading, as the status line says it: ``regex``, ``literal``, ``literal;
        ~ for regex`` (the bracket rule), ``literal: not a regex`` (RE2 refused it)."""
        if self.reason == "words":
            return "literal; ~ for regex"
        if self.reason == "invalid":
            return "literal: not a regex"
        return self.mode


def reads_as_words(text: str) -> bool:
    """Rule 2: bracket expressions that hold a word are the only regex syntax (dots aside)."""
    found, i, n = False, 0, len(text)
    while i < n:
        c = text[i]
        if c in _SYNTAX:
            return False
        if c == "[":
            end = text.find("]", i + 2)  # (a "]" right after "[" would be a member)
            if end < 0:
                return False
            inside = text[i + 1 : end]
            if inside.startswith("^") or "\\" in inside or "[" in inside or not _word(inside):
                return False
            found, i = True, end + 1
            continue
        i += 1
    return found


def _word(inside: str) -> bool:
    """Three letters in a row."""
    run = 0
    for c in inside:
        run = run + 1 if c.isalpha() else 0
        if run >= 3:
            return True
    return False


def read_query(typed: str) -> Query | None:
    """How ``typed`` is read (see the module's rule); None when there is nothing to look
    for (empty, only a prefix, or a text no matcher takes: too long, or a NUL)."""
    text, forced = typed, None
    if typed[:1] in (LITERAL, REGEX):
        text, forced = typed[1:], typed[0]
    if not text:
        return None
    ignore_case = not any(c.isupper() for c in text)
    mode: Mode
    reason: Reason
    why = ""
    if forced == LITERAL:
        mode, reason = "literal", "prefix"
    elif forced is None and reads_as_words(text):
        mode, reason = "literal", "words"
    else:
        try:
            pattern = compile_pattern(text, ignore_case=ignore_case)
        except InvalidInput as e:
            mode, reason, why = "literal", "invalid", _short(str(e))
        else:
            return Query(typed, text, "regex", "prefix" if forced else "default", pattern)
    try:
        pattern = compile_pattern(text, literal=True, ignore_case=ignore_case)
    except InvalidInput:  # a NUL: nothing to search for
        return None
    return Query(typed, text, mode, reason, pattern, why)


def _short(error: str) -> str:
    """RE2's complaint from :func:`compile_pattern`'s line, without the pattern and advice."""
    head, _, rest = error.partition(": ")
    return rest.split(" (patterns use RE2", 1)[0] if head.startswith("bad pattern") else error


def toggled(typed: str) -> str:
    """``typed`` with the other reading: a text read as a regex gets ``=``, one read
    literally gets ``~`` (so the toggle key always changes what the status line says,
    unless RE2 refuses the text as a regex)."""
    query = read_query(typed)
    if query is None:
        return typed
    return (LITERAL if query.mode == "regex" else REGEX) + query.text


def pattern_for(typed: str) -> Pattern | None:
    """The pattern of :func:`read_query`, or None."""
    query = read_query(typed)
    return query.pattern if query is not None else None


def _quoted(query: Query, width: int = 32) -> str:
    text = query.typed if len(query.typed) <= width else query.typed[: width - 1] + "…"
    return f'"{visible(text)}"'


def filter_summary(query: Query, shown: int, held: int) -> str:
    """``filter "[error]" (literal; ~ for regex) 37 of 4,212 lines``, or ``... passes all
    4,212 lines`` (a filter that hides nothing is likely not what was meant)."""
    head = f"filter {_quoted(query)} ({query.note})"
    if held and shown >= held:
        return f"{head} passes all {plural(held, 'line')}"
    return f"{head} {shown:,} of {plural(held, 'line')}"


def search_summary(query: Query, count: int, *, done: bool = True) -> str:
    """``search "x" (literal) 12 matching lines``, ``... no match``, or while the count goes
    on, ``... counting, 1,234 so far``."""
    head = f"search {_quoted(query)} ({query.note})"
    if not done:
        return f"{head} counting, {count:,} so far"
    return f"{head} {plural(count, 'matching line')}" if count else f"{head} no match"
