"""How the store writes a time, and how long it waits for a lock: shared by the store
(``storage/sql.py``) and the capture writer, which needs nothing else from it."""

from __future__ import annotations

from datetime import UTC, datetime

BUSY_TIMEOUT_MS = 5_000


def ts(at: datetime) -> str:
    """A UTC timestamp as fixed-width text, so that text order is time order."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
