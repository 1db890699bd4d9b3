"""Redaction of secrets in text that leaves warroom: reports, exports, the recorded
environment of a log source.

The rules (:mod:`incident.secret_rules`) are detect-secrets' detectors, taken as data, and
warroom's own for what they do not cover. Each rule keeps enough context to read the line
(``password=[REDACTED]``) and removes the secret itself. Rules err on the side of
redacting: a false positive costs a word in a report, a false negative can cost a breach.

A rule runs on a text only when one of its keywords occurs in it (compared in lower case),
found by one pass of a single regex, so that ordinary log lines cost little: ``export``
redacts every captured line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from incident.evidence import digest
from incident.journal import PAYLOAD_ADAPTER, Event, Evidence
from incident.playbook import Contact
from incident.secret_rules import (
    MARK,
    Rule,
    Span,
    detect_secrets_rules,
    own_rules,
)
from incident.secret_tokens import generated_spans

__all__ = ["MARK", "RULES", "redact", "redact_contacts", "redact_events", "redact_lines"]

_own = own_rules()
# Blocks and URLs first (their secrets hold characters the token rules stop at), then the
# detectors of known token shapes, then the rules that read a secret from its context.
RULES: list[Rule] = [*_own[:2], *detect_secrets_rules(), *_own[2:]]


def _trie(words: Iterable[str]) -> str:
    """One regex for many literals, as a trie: Python's engine tries the branches of an
    alternation one by one, and a trie has one branch per next character."""
    root: dict[str, dict] = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        alts = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(root)


_KEYWORDS = sorted({k for r in RULES if r.keywords for k in r.keywords})
_TRIGGER = re.compile(_trie(_KEYWORDS))
# every keyword within a keyword found (found: "password"; also there: "pass")
_WITHIN = {k: frozenset(x for x in _KEYWORDS if x in k) for k in _KEYWORDS}
_BY_KEYWORD: dict[str, frozenset[int]] = {
    k: frozenset(i for i, r in enumerate(RULES) if r.keywords and k in r.keywords)
    for k in _KEYWORDS
}
_UNKEYED = [i for i, r in enumerate(RULES) if r.keywords is None]
_LONG_RUNS = re.compile(r"[A-Za-z0-9_\-]{23,}+")
_LEFT = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.+")
_RIGHT = _LEFT | {"="}


def _keywords_in(low: str) -> set[str]:
    """Every keyword occurring in ``low``, overlapping ones too."""
    found: set[str] = set()
    pos = 0
    search = _TRIGGER.search
    while (m := search(low, pos)) is not None:
        found |= _WITHIN[m.group()]
        pos = m.start() + 1
    return found


def _default_spans(m: re.Match[str]) -> list[Span]:
    if "s" in m.re.groupindex:
        span = m.span("s")
    elif m.re.groups and m.group(1):
        span = m.span(1)
    else:
        span = m.span()
    return [span] if span[0] < span[1] else []


def _token(text: str, start: int, end: int) -> Span:
    """``start:end`` trimmed of what is not token, then widened to the whole token."""
    while start < end and text[start] not in _LEFT:
        start += 1
    while end > start and text[end - 1] not in _RIGHT:
        end -= 1
    if start == end:
        return start, end
    while start > 0 and text[start - 1] in _LEFT:
        start -= 1
    while end < len(text) and text[end] in _RIGHT:
        end += 1
    return start, end


def _apply(text: str, spans: list[Span]) -> tuple[str, int]:
    spans = sorted(s for s in spans if s[0] < s[1])
    if not spans:
        return text, 0
    merged = [spans[0]]
    for start, end in spans[1:]:
        last = merged[-1]
        if start <= last[1]:
            merged[-1] = (last[0], max(last[1], end))
        else:
            merged.append((start, end))
    out, pos = [], 0
    for start, end in merged:
        if text[start:end] == MARK:
            continue
        out += [text[pos:start], MARK]
        pos = end
    if pos == 0:
        return text, 0
    out.append(text[pos:])
    return "".join(out), len(out) // 2


def _rule_spans(rule: Rule, text: str) -> list[Span]:
    """Where ``rule`` finds secrets in ``text``. A match its ``spans`` turns down (a name
    that is not secret) is looked through: the search goes on from its second character."""
    find = rule.spans or _default_spans
    search = rule.pattern.search
    spans = []
    pos = 0
    while (m := search(text, pos)) is not None:
        found = find(m)
        pos = m.end() if found and m.end() > m.start() else m.start() + 1
        for start, end in found:
            if rule.expand:
                start, end = _token(text, start, end)
            pos = max(pos, end)  # the search goes on after the secret, read once
            if start < end and MARK not in text[start:end]:
                spans.append((start, end))
    return spans


def _wanted(rule: Rule, text: str, longest: list[int]) -> bool:
    if rule.cased is not None and not any(k in text for k in rule.cased):
        return False
    if rule.long_run:
        if longest[0] < 0:
            longest[0] = max(map(len, _LONG_RUNS.findall(text)), default=0)
        return longest[0] >= rule.long_run
    return True


def redact(text: str) -> tuple[str, int]:
    """``text`` with secrets replaced by ``[REDACTED]``, and how many were replaced."""
    if not text:
        return text, 0
    found = _keywords_in(" " + text.lower())  # " -u" at the start too
    if found:
        chosen = set(_UNKEYED)
        for k in found:
            chosen |= _BY_KEYWORD[k]
        order: Iterable[int] = sorted(chosen)
    else:
        order = _UNKEYED
    total = 0
    longest = [-1]
    for i in order:
        rule = RULES[i]
        if not _wanted(rule, text, longest):
            continue
        spans = _rule_spans(rule, text)
        if spans:
            text, n = _apply(text, spans)
            total += n
    text, n = _apply(text, generated_spans(text))
    return text, total + n


_BEGIN = re.compile(r"-{4,5} ?BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)? ?-{4,5}")
_END = re.compile(r"-{4,5} ?END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)? ?-{4,5}")


def redact_lines(lines: Iterable[str]) -> tuple[list[str], int]:
    """Consecutive lines (captured output, evidence context) redacted, with what spans
    lines: every line of a private key block between its BEGIN and END lines."""
    out: list[str] = []
    total = 0
    inside = False
    for line in lines:
        if inside:
            end = _END.search(line)
            if end is None:
                out.append(MARK if line.strip() else line)
                continue
            inside = False
            rest, n = redact(line[end.start() :])
            out.append((MARK if line[: end.start()].strip() else "") + rest)
            total += n
            continue
        text, n = redact(line)
        total += n
        begin = _BEGIN.search(line)
        if begin is not None and _END.search(line, begin.end()) is None:
            inside = True
            total += 1
        out.append(text)
    return out, total


def _walk(value: Any, fn: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, list):
        return [_walk(v, fn) for v in value]
    if isinstance(value, tuple):
        return tuple(_walk(v, fn) for v in value)
    if isinstance(value, dict):
        return {k: _walk(v, fn) for k, v in value.items()}
    return value


def _evidence(ev: Evidence, one: Callable[[str], str]) -> tuple[Evidence, int]:
    """Evidence as a redacted artefact carries it: its context and line redacted, and its
    digest over the redacted context (the original digest would be a guessing oracle for
    what was redacted: it stays in the unredacted store only)."""
    context, n = redact_lines(ev.context)
    if ev.line in ev.context:
        line = context[ev.context.index(ev.line)]
    else:
        line, m = redact(ev.line)
        n += m
    snapshot = _walk(ev.snapshot, one) if ev.snapshot is not None else None
    changed = n > 0 or snapshot != ev.snapshot or ev.redacted
    # a host snapshot has no context: its digest is over lines it does not carry
    sha = digest(context) if ev.context else None if changed else ev.sha256
    return ev.model_copy(
        update={
            "source": one(ev.source),
            "line": line,
            "context": tuple(context),
            "sha256": sha,
            "snapshot": snapshot,
            "redacted": changed,
        }
    ), n


def redact_events(events: Sequence[Event]) -> tuple[list[Event], int]:
    """Every text of every event redacted (timeline columns and payloads); the count."""
    count = 0

    def one(text: str) -> str:
        nonlocal count
        out, n = redact(text)
        count += n
        return out

    redacted = []
    for e in events:
        if isinstance(e.payload, Evidence):
            payload, n = _evidence(e.payload, one)
            count += n
        else:
            payload = PAYLOAD_ADAPTER.validate_python(_walk(e.payload.model_dump(mode="json"), one))
        redacted.append(
            e.model_copy(
                update={
                    "text": one(e.text),
                    "action": one(e.action),
                    "owner": one(e.owner),
                    "payload": payload,
                }
            )
        )
    return redacted, count


def redact_contacts(contacts: Sequence[Contact]) -> tuple[list[Contact], int]:
    """The emergency contacts roster as a report lists it, redacted; the count."""
    out, count = [], 0
    for c in contacts:
        role, n = redact(c.role)
        contact, m = redact(c.contact)
        out.append(Contact(role=role, contact=contact))
        count += n + m
    return out, count
