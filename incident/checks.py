"""The checks every piece of text a person gives goes through: stripped, not empty when it
must not be, bounded, no NUL (SQLite and terminals would cut it short)."""

from __future__ import annotations

from incident.errors import InvalidInput

MAX_TEXT = 20_000


def checked_text(
    value: str | None, what: str, *, limit: int = MAX_TEXT, required: bool = True
) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(f"{what} cannot be empty")
    if len(value) > limit:
        raise InvalidInput(f"{what} is too long ({len(value)} characters, at most {limit})")
    if "\x00" in value:
        raise InvalidInput(f"{what} contains a NUL character")
    return value


def optional_text(value: str | None, what: str) -> str | None:
    return checked_text(value, what, required=False) or None
