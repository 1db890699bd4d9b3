"""Redaction of secrets in exported text: tokens, keys, passwords, bearer headers,
connection strings. Exports redact by default; the count is stated in the report.

Each rule keeps enough context to read the line (``password=[REDACTED]``) and removes the
secret itself. Rules err on the side of redacting: a false positive costs a word in a
report, a false negative can cost a breach.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from incident.journal import PAYLOAD_ADAPTER, Event

MARK = "[REDACTED]"

# (pattern, replacement): groups kept by the replacement carry the context.
_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)",
                re.DOTALL), MARK),
    (re.compile(r"(?i)\b(authorization\s*[:=]\s*)(?:bearer|basic|token)?\s*[^\s,;\"']+"),
     r"\1" + MARK),
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"), r"\1" + MARK),
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@]+:)[^\s@/]+(@)"), r"\1" + MARK + r"\2"),
    (re.compile(r"(?i)\b((?:password|passwd|pwd|pass|secret|client[_-]?secret|api[_-]?key|"
                r"apikey|access[_-]?key|secret[_-]?key|private[_-]?key|token|auth[_-]?token|"
                r"access[_-]?token|refresh[_-]?token|session[_-]?id|aws_secret_access_key)"
                r"\"?\s*[:=]\s*\"?)[^\s\"',;&]+"), r"\1" + MARK),
    (re.compile(r"\bAKIA[0-9A-Z]{16}\b"), MARK),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}\b"), MARK),
    (re.compile(r"\bgithub_pat_[A-Za-z0-9_]{30,}\b"), MARK),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"), MARK),
    (re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}\b"), MARK),
    (re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"), MARK),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b"), MARK),
]


def redact(text: str) -> tuple[str, int]:
    """``text`` with secrets replaced by ``[REDACTED]``, and how many were replaced."""
    total = 0
    for pattern, replacement in _RULES:
        text, n = pattern.subn(replacement, text)
        total += n
    return text, total


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


def redact_events(events: list[Event]) -> tuple[list[Event], int]:
    """Every text of every event redacted (timeline columns and payloads); the count."""
    count = 0

    def one(text: str) -> str:
        nonlocal count
        out, n = redact(text)
        count += n
        return out

    redacted = []
    for e in events:
        payload = PAYLOAD_ADAPTER.validate_python(
            _walk(e.payload.model_dump(mode="json"), one))
        redacted.append(e.model_copy(update={
            "text": one(e.text), "action": one(e.action), "owner": one(e.owner),
            "payload": payload}))
    return redacted, count
