"""Counts in words: ``1 minute``, ``2 minutes``, ``1,204 lines``."""

from __future__ import annotations


def plural(n: int, one: str, many: str | None = None) -> str:
    """``n`` (with thousands separators) and the word for that many: ``one`` for exactly one,
    else ``many`` (default: ``one`` + "s")."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"
