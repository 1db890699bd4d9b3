"""The host's zone (session/zones.py: $TZ, else /etc/localtime's link, else the C library's
offset) and a zone a person types (--tz: an IANA name, UTC, an offset; else one line)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from incident.errors import InvalidInput
from session import zones
from session.zones import host_zone, parse_zone


@pytest.mark.parametrize(
    ("tz", "zone"),
    [
        ("Europe/Berlin", ZoneInfo("Europe/Berlin")),
        (":Asia/Kolkata", ZoneInfo("Asia/Kolkata")),
        ("/usr/share/zoneinfo/America/New_York", ZoneInfo("America/New_York")),
        ("", UTC),  # set but empty: UTC, as the C library reads it
        ("Etc/UTC", UTC),
    ],
)
def test_host_zone_from_tz(monkeypatch: pytest.MonkeyPatch, tz: str, zone: object) -> None:
    monkeypatch.setenv("TZ", tz)
    assert host_zone() == zone


def test_host_zone_from_the_localtime_link(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    link = tmp_path / "localtime"
    link.symlink_to("/usr/share/zoneinfo/America/Sao_Paulo")
    monkeypatch.delenv("TZ", raising=False)
    monkeypatch.setattr(zones, "LOCALTIME", link)
    assert host_zone() == ZoneInfo("America/Sao_Paulo")


def test_host_zone_without_a_name_is_the_c_library_s_offset(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("TZ", raising=False)
    monkeypatch.setattr(zones, "LOCALTIME", tmp_path / "missing")
    zone = host_zone()
    assert zone.utcoffset(datetime.now()) == datetime.now().astimezone().utcoffset()


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Europe/Berlin", ZoneInfo("Europe/Berlin")),
        (" America/Los_Angeles ", ZoneInfo("America/Los_Angeles")),
        ("UTC", UTC),
        ("utc", UTC),
        ("Z", UTC),
        ("+05:30", timezone(timedelta(hours=5, minutes=30))),
        ("-0700", timezone(timedelta(hours=-7))),
        ("+00:00", UTC),
    ],
)
def test_parse_zone(text: str, zone: object) -> None:
    assert parse_zone(text) == zone


@pytest.mark.parametrize(
    "text", ["Mars/Olympus", "", "  ", "+25:00", "+05:75", "../etc/passwd", "Europe", "a\0b"]
)
def test_an_unknown_zone_is_one_line_of_invalid_input(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_zone(text)
    message = str(caught.value)
    assert "\n" not in message and "unknown time zone" in message and "+05:30" in message
