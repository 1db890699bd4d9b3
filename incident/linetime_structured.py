"""Where a structured log line keeps its time: a JSON object's time key, a logfmt pair.

Services that log JSON (``{"ts":"2026-12-05T08:36:47.123Z","level":"error",...}``, zap's
``{"level":"info","ts":1733387807.123,...}``, bunyan's ``"time"``, Logstash's
``"@timestamp"``) or logfmt (``time="2026-12-05T08:36:47Z" level=error msg=...``, go-kit's
``level=info ts=2026-...``) print what ``kubectl logs`` shows for most Go and Node services.
Their header is the record's time key, wherever it sits among the first keys; a time
inside ``msg`` is never it. This module only finds where that value starts (or reads it
when it is Unix seconds or milliseconds); :mod:`incident.linetime` reads a written time
with the same shapes as any other header, and decides year, zone and validity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TIME_KEYS = r"(?:@?timestamp|ts|time|t|date|datetime|asctime|eventtime|logtime|written_at)"
_JSON_KEY = re.compile(rf'"{TIME_KEYS}"\s*:\s*', re.IGNORECASE)
_LOGFMT_PAIR = re.compile(r'[\w.@-]+=(?:"(?:[^"\\]|\\.)*"|\S*)')
_LOGFMT_TIME = re.compile(rf'{TIME_KEYS}=(?P<q>"?)', re.IGNORECASE)
_NUMBER = re.compile(r"(?P<s>\d{10})(?:(?P<ms>\d{3})|\.(?P<frac>\d{1,9}))?(?![\d.])")
LOGFMT_LEAD = 4  # the time pair is among the first five pairs


@dataclass(frozen=True, slots=True)
class Found:
    """Where a structured record's time is: ``start`` of a written time in the head, or
    ``epoch`` seconds with ``micro`` microseconds when the record wrote a number (neither:
    the record has no time)."""

    start: int | None = None
    epoch: int | None = None
    micro: int = 0


def structured_time(head: str) -> Found | None:
    """The time key's value in a JSON object or a logfmt line; None when ``head`` is neither;
    ``Found()`` (nothing) when it is one but names no time among its first keys, or not a
    time a number can be: such a record has no header time, whatever its message says."""
    if head.startswith("{"):
        key = _JSON_KEY.search(head)
        if key is None:
            return NOTHING
        at = key.end()
        if head.startswith('"', at):
            return Found(start=at + 1)
        return _number(head, at)
    if _LOGFMT_PAIR.match(head) is None:
        return None
    return _logfmt(head)


NOTHING = Found()


def _logfmt(head: str) -> Found:
    at = 0
    for _ in range(LOGFMT_LEAD + 1):
        while at < len(head) and head[at] == " ":
            at += 1
        pair = _LOGFMT_PAIR.match(head, at)
        if pair is None:
            return NOTHING  # prose after the pairs: no time key among them
        key = _LOGFMT_TIME.match(head, at)
        if key is not None:
            return Found(start=key.end()) if key["q"] else _written_or_number(head, key.end())
        at = pair.end()
    return NOTHING


def _written_or_number(head: str, at: int) -> Found:
    return _number(head, at) if _NUMBER.match(head, at) else Found(start=at)


def _number(head: str, at: int) -> Found:
    m = _NUMBER.match(head, at)
    if m is None:
        return NOTHING
    if m["ms"]:
        micro = int(m["ms"]) * 1000
    elif m["frac"]:
        micro = int(m["frac"][:6].ljust(6, "0"))
    else:
        micro = 0
    return Found(epoch=int(m["s"]), micro=micro)
