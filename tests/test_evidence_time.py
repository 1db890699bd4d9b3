"""A pinned line's own time: read in its source's zone when the line names none (and the
evidence says the zone was assumed), in the line's own offset when it names one; old
journals, without zones, still load."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from incident.evidence import from_log_line, line_time
from incident.journal import PAYLOAD_ADAPTER, Evidence, SourceSpec
from session.zones import parse_zone

BERLIN = parse_zone("Europe/Berlin")
READ = datetime(2005, 12, 5, 19, 20, tzinfo=UTC)


def pinned(line: str, zone=BERLIN) -> Evidence:
    return from_log_line(
        source="tail -F app.log", source_id="s1", line=line, line_no=1, read_at=READ, zone=zone
    )


def test_a_time_without_a_zone_is_read_in_the_sources_zone_and_says_so():
    ev = pinned("2005-12-05 20:15:57.123 ERROR pool exhausted")
    assert ev.line_time == datetime(2005, 12, 5, 19, 15, 57, 123000, tzinfo=UTC)
    assert (ev.line_zone, ev.zone_assumed) == ("Europe/Berlin", True)
    summer = pinned("2005-07-05T20:15:57 ERROR")  # (CEST: two hours ahead of UTC)
    assert summer.line_time == datetime(2005, 7, 5, 18, 15, 57, tzinfo=UTC)
    syslog = pinned("Dec  5 20:15:57 web1 sshd[42]: refused")  # (no year: the read's)
    assert syslog.line_time == datetime(2005, 12, 5, 19, 15, 57, tzinfo=UTC)
    assert (syslog.line_zone, syslog.zone_assumed) == ("Europe/Berlin", True)


def test_the_zone_in_the_line_wins_over_the_sources():
    for line, zone in (
        ("2005-12-05T20:15:57+01:00 ERROR", "+01:00"),
        ("2005-12-05 20:15:57 +0100 ERROR", "+01:00"),
        ("2005-12-05T19:15:57Z ERROR", "UTC"),
    ):
        ev = pinned(line, zone=parse_zone("Asia/Tokyo"))
        assert ev.line_time == datetime(2005, 12, 5, 19, 15, 57, tzinfo=UTC), line
        assert (ev.line_zone, ev.zone_assumed) == (zone, False), line


def test_a_line_without_a_time_has_none_and_assumes_nothing():
    ev = pinned("ERROR pool exhausted")
    assert (ev.line_time, ev.line_zone, ev.zone_assumed) == (None, None, False)
    assert line_time("13:61:00 nonsense", read_at=READ, zone=BERLIN) is None


def test_a_journal_from_before_zones_still_loads():
    old = PAYLOAD_ADAPTER.validate_python(
        {
            "kind": "evidence",
            "source": "tail -F app.log",
            "line_time": "2005-12-05T19:15:57Z",
            "line": "2005-12-05 19:15:57 ERROR",
        }
    )
    assert (old.line_zone, old.zone_assumed) == (None, False)
    spec = SourceSpec.model_validate({"kind": "cmd", "name": "t", "command": "tail -F x"})
    assert spec.zone is None
    again = PAYLOAD_ADAPTER.validate_json(pinned("2005-12-05 20:15:57 x").model_dump_json())
    assert (again.line_zone, again.zone_assumed) == ("Europe/Berlin", True)


def test_the_json_report_carries_the_line_time_in_utc_and_its_zone():
    import json

    from incident import commands as cmd
    from incident import timeline_commands as timeline_cmd
    from incident.clock import FrozenClock
    from incident.model import Severity
    from incident.report import render_json
    from incident.state import fold

    clock = FrozenClock(READ)
    events = [cmd.declare(clock, "t", Severity.SEV2).model_copy(update={"id": 1})]
    pin = timeline_cmd.pin(clock, fold(events), pinned("2005-12-05 20:15:57.123 ERROR"))
    events.append(pin.model_copy(update={"id": 2}))
    (row,) = [r for r in json.loads(render_json(events))["timeline"] if r["kind"] == "evidence"]
    payload = row["payload"]
    assert payload["line_time"] == "2005-12-05T19:15:57.123000Z"
    assert (payload["line_zone"], payload["zone_assumed"]) == ("Europe/Berlin", True)


def test_a_grep_match_s_time_is_read_after_its_file_and_line_prefix() -> None:
    """``Apache.log:11: [Sun Dec 04 04:47:44 2005] ...`` happened at the Apache line's own
    time: grep's ``path:N: `` prefix is not part of the line's header."""
    ev = from_log_line(
        source="grep error /var/log/Apache.log",
        source_id="s1",
        line="Apache.log:11: [Sun Dec 04 04:47:44 2005] [error] mod_jk child in error state 6",
        line_no=4,
        read_at=datetime(2026, 12, 5, 12, tzinfo=UTC),
        zone=ZoneInfo("Europe/Berlin"),
        grep=True,
    )
    assert (ev.path, ev.line_no) == ("Apache.log", 11)
    assert ev.line_time == datetime(2005, 12, 4, 3, 47, 44, tzinfo=UTC)
    assert (ev.line_zone, ev.zone_assumed) == ("Europe/Berlin", True)
