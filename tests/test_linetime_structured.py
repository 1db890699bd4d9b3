"""Line times of structured records: JSON objects and logfmt lines (what ``kubectl logs``
shows for most Go and Node services)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from incident.linetime import read_line_time

READ = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("line", "at", "zone", "assumed"),
    [
        # zap (production config): level first, then Unix seconds with a fraction
        (
            '{"level":"error","ts":1764923807.123456,"caller":"srv/main.go:42","msg":"boom"}',
            datetime(2025, 12, 5, 8, 36, 47, 123456, tzinfo=UTC),
            "UTC",
            False,
        ),
        # logrus / slog JSON: a written time with its zone
        (
            '{"time":"2026-12-05T09:36:47.5+01:00","level":"ERROR","msg":"db down"}',
            datetime(2026, 12, 5, 8, 36, 47, 500000, tzinfo=UTC),
            "+01:00",
            False,
        ),
        # Logstash / ECS
        (
            '{"@timestamp":"2026-12-05T08:36:47.123Z","log.level":"warn","message":"slow"}',
            datetime(2026, 12, 5, 8, 36, 47, 123000, tzinfo=UTC),
            "UTC",
            False,
        ),
        # bunyan/pino: milliseconds since the epoch
        (
            '{"level":50,"time":1764923807123,"pid":7,"msg":"x"}',
            datetime(2025, 12, 5, 8, 36, 47, 123000, tzinfo=UTC),
            "UTC",
            False,
        ),
        # a written time without a zone is in the source's zone
        (
            '{"timestamp": "2026-12-05 09:36:47,250", "level": "INFO"}',
            datetime(2026, 12, 5, 8, 36, 47, 250000, tzinfo=UTC),
            "Europe/Berlin",
            True,
        ),
        # logfmt: logrus text, go-kit with the level first
        (
            'time="2026-12-05T08:36:47Z" level=error msg="connection refused"',
            datetime(2026, 12, 5, 8, 36, 47, tzinfo=UTC),
            "UTC",
            False,
        ),
        (
            "level=info ts=2026-12-05T08:36:47.123456789Z caller=main.go:12 msg=started",
            datetime(2026, 12, 5, 8, 36, 47, 123456, tzinfo=UTC),
            "UTC",
            False,
        ),
        ("t=1764923807 lvl=warn msg=x", datetime(2025, 12, 5, 8, 36, 47, tzinfo=UTC), "UTC", False),
    ],
)
def test_a_structured_record_s_time_key_is_its_header(line, at, zone, assumed) -> None:
    got = read_line_time(line, read_at=READ, zone=BERLIN)
    assert got is not None
    assert (got.at, got.zone, got.zone_assumed, got.year_assumed) == (at, zone, assumed, False)


@pytest.mark.parametrize(
    "line",
    [
        '{"level":"error","msg":"retry at 2026-12-05T08:36:47Z"}',  # only in the message
        'level=error msg="deadline 2026-12-05T08:36:47Z passed"',
        "a=1 b=2 c=3 d=4 e=5 ts=2026-12-05T08:36:47Z",  # too far in to be the header
        '{"ts":"yesterday","msg":"x"}',  # not a time
        '{"ts":"2026-02-30T08:00:00Z"}',  # no such day
        '{"ts":99999,"msg":"x"}',  # not Unix seconds
        '{"ts":1999999999,"msg":"x"}',  # 2033: after it was read
    ],
)
def test_a_record_without_a_readable_time_key_has_no_time(line) -> None:
    assert read_line_time(line, read_at=READ, zone=BERLIN) is None


def test_prose_with_an_equals_sign_is_not_taken_for_logfmt() -> None:
    got = read_line_time("2026-12-05 09:36:47 x=1 ts=1764923807", read_at=READ, zone=BERLIN)
    assert got is not None and got.at == datetime(2026, 12, 5, 8, 36, 47, tzinfo=UTC)
