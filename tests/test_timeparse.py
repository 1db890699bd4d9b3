"""Reading typed times (always to aware UTC), and showing durations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incident.errors import InvalidInput
from incident.timeparse import clock_delta, human_duration, iso_z, parse_when

NOW = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)


def at(h: int, m: int, s: int = 0, *, day: int = 25) -> datetime:
    return datetime(2026, 11, day, h, m, s, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("2026-11-25T14:30:00Z", at(14, 30)),
        ("2026-11-25T14:30Z", at(14, 30)),
        ("2026-11-25t10:00:00z", at(10, 0)),
        ("2026-11-25T14:30:00+00:00", at(14, 30)),
        ("2026-11-25T19:30:00+05:30", at(14, 0)),
        ("2026-11-25T05:00:00-08:00", at(13, 0)),
        ("2026-11-25T14:00:00.250000Z", at(14, 0).replace(microsecond=250_000)),
        ("2026-11-25 14:00 UTC", at(14, 0)),
        ("2026-11-25T13:00:00", at(13, 0)),  # naive ISO is UTC
        ("2026-11-25 13:00", at(13, 0)),
        ("2026-11-25", at(0, 0)),
        ("  2026-11-25T14:30:00Z  ", at(14, 30)),
        ("2026-11-25T14:32:00Z", at(14, 32)),  # within the clock-skew tolerance
    ],
)
def test_iso(text: str, want: datetime) -> None:
    got = parse_when(text, NOW)
    assert got == want
    assert got.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("14:05", at(14, 5)),
        ("09:07:08", at(9, 7, 8)),
        ("9:07", at(9, 7)),
        ("00:00", at(0, 0)),
        ("14:30", at(14, 30)),
        ("14:32", at(14, 32)),  # skew tolerance: still today
        ("14:05Z", at(14, 5)),
        ("14:05 UTC", at(14, 5)),
        ("14:33", at(14, 33, day=24)),  # would be in the future: yesterday
        ("23:59:59", at(23, 59, 59, day=24)),
    ],
)
def test_clock_time_today_or_yesterday(text: str, want: datetime) -> None:
    got = parse_when(text, NOW)
    assert got == want
    assert got.tzinfo is UTC


def test_clock_time_drops_microseconds_of_now() -> None:
    now = NOW.replace(microsecond=987_654)
    assert parse_when("14:00", now) == at(14, 0)


def test_clock_time_across_midnight() -> None:
    now = datetime(2026, 1, 1, 0, 10, tzinfo=UTC)
    assert parse_when("23:50", now) == datetime(2025, 12, 31, 23, 50, tzinfo=UTC)
    assert parse_when("00:05", now) == datetime(2026, 1, 1, 0, 5, tzinfo=UTC)


def test_clock_time_reads_now_in_utc() -> None:
    now = datetime(2026, 11, 25, 23, 30, tzinfo=timezone(timedelta(hours=9)))  # 14:30Z
    assert parse_when("14:00", now) == at(14, 0)


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-25T14:33:00Z",
        "2026-11-26",
        "2027-01-01T00:00:00+14:00",
        "2026-11-25T15:00:00",
        "2026-11-25T16:00:00+01:01",
    ],
)
def test_future_rejected(text: str) -> None:
    with pytest.raises(InvalidInput, match="in the future"):
        parse_when(text, NOW)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "yesterday",
        "now",
        "14",
        "14h30",
        "24:00",
        "12:60",
        "12:30:60",
        "99:99",
        "2026-13-01",
        "2026-11-25T25:00Z",
        "2026-11-25T14:30+25:00",
        "14:30+01:00",
        "1764081000",
        "2026-11-25T14:30Zulu",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:00:00-05:00",
    ],
)
def test_garbage_rejected(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_when(text, NOW)


@pytest.mark.parametrize(
    "text",
    [
        "1969-12-31T23:59:59Z",
        "1900-01-01",
        "1970-01-01T00:30:00+01:00",
        "0001-01-01T00:00:00",
    ],
)
def test_before_1970_rejected(text: str) -> None:
    with pytest.raises(InvalidInput, match="1970"):
        parse_when(text, NOW)


def test_1970_itself_accepted() -> None:
    assert parse_when("1970-01-01T00:00:00Z", NOW) == datetime(1970, 1, 1, tzinfo=UTC)


def test_error_message_is_one_line_and_names_the_input() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_when("half past two", NOW)
    assert "half past two" in str(info.value)
    assert "\n" not in str(info.value)


# Whole seconds, as every real zone is: Python 3.11's fromisoformat drops the fraction of
# an offset such as "+00:00:00.000001" (hypothesis found one on a fresh clone).
_offsets = st.integers(min_value=-(23 * 3600 + 59 * 60), max_value=23 * 3600 + 59 * 60).map(
    lambda s: timezone(timedelta(seconds=s))
)


@given(
    st.datetimes(
        min_value=datetime(1970, 1, 2), max_value=datetime(2026, 11, 24), timezones=_offsets
    )
)
def test_isoformat_round_trips(when: datetime) -> None:
    got = parse_when(when.isoformat(), NOW)
    assert got == when
    assert got.tzinfo is UTC


@given(st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2026, 11, 24)))
def test_iso_z_round_trips(when: datetime) -> None:
    aware = when.replace(tzinfo=UTC)
    assert parse_when(iso_z(aware), NOW) == aware


def test_iso_z() -> None:
    assert iso_z(at(14, 30)) == "2026-11-25T14:30:00Z"
    assert iso_z(at(14, 30).replace(microsecond=5)) == "2026-11-25T14:30:00.000005Z"
    assert (
        iso_z(datetime(2026, 11, 25, 15, 30, tzinfo=timezone(timedelta(hours=1))))
        == "2026-11-25T14:30:00Z"
    )


@pytest.mark.parametrize(
    ("delta", "want"),
    [
        (timedelta(0), "0 seconds"),
        (timedelta(seconds=1), "1 second"),
        (timedelta(seconds=59.9), "59 seconds"),
        (timedelta(seconds=60), "1 minute"),
        (timedelta(minutes=30), "30 minutes"),
        (timedelta(minutes=30, seconds=59), "30 minutes"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(hours=1, minutes=5), "1 hour 5 minutes"),
        (timedelta(hours=2, minutes=1), "2 hours 1 minute"),
        (timedelta(days=1), "1 day"),
        (timedelta(days=1, minutes=5), "1 day 5 minutes"),
        (timedelta(days=2, hours=3, minutes=4), "2 days 3 hours"),
        (timedelta(minutes=-30), "-30 minutes"),
    ],
)
def test_human_duration(delta: timedelta, want: str) -> None:
    assert human_duration(delta) == want


@pytest.mark.parametrize(
    ("delta", "want"),
    [
        (timedelta(0), "00:00"),
        (timedelta(seconds=5), "00:05"),
        (timedelta(minutes=12, seconds=5), "12:05"),
        (timedelta(minutes=59, seconds=59), "59:59"),
        (timedelta(hours=1, minutes=2, seconds=3), "1:02:03"),
        (timedelta(hours=26), "26:00:00"),
        (timedelta(seconds=-75), "-01:15"),
        (timedelta(hours=-1, seconds=-1), "-1:00:01"),
    ],
)
def test_clock_delta(delta: timedelta, want: str) -> None:
    assert clock_delta(delta) == want
