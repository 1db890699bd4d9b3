"""The checks every piece of text a person gives goes through: stripped, not empty when it
must not be, bounded, no NUL (SQLite and terminals would cut it short)."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

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


def checked_date(value: str | None, what: str) -> str | None:
    """A calendar date as ``YYYY-MM-DD`` (None when not given)."""
    if value is None:
        return None
    text = checked_text(value, what, limit=40)
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise InvalidInput(f"{what} {text!r} is not a date: use YYYY-MM-DD") from None


def checked_url(value: str | None, what: str) -> str:
    """A web address (http or https, with a host, no spaces)."""
    text = checked_text(value, what, limit=2_000)
    try:
        if re.search(r"[\s\x00-\x1f\x7f]", text):
            raise ValueError
        parts = urlsplit(text)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise ValueError
    except ValueError:  # (urlsplit's own too: "https://[::1")
        raise InvalidInput(f"{what} {text!r} is not a web address: use https://...") from None
    return text
