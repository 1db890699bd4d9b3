"""Redaction corpus: every kind of secret is removed, context and ordinary text are kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from incident import commands as c
from incident import timeline_commands as timeline_cmd
from incident.clock import FrozenClock
from incident.evidence import from_log_line
from incident.model import Severity
from incident.redact import MARK, redact, redact_events
from incident.state import fold

SECRETS = [
    ("Authorization: Bearer eyJabc.def-ghi_jkl", "eyJabc"),
    ("curl -H 'authorization: token 0123456789abcdef'", "0123456789abcdef"),
    ("sent Bearer abcdefghijklmnop to the proxy", "abcdefghijklmnop"),
    ("postgres://app:hunter2@db.internal:5432/orders", "hunter2"),
    ("mongodb+srv://svc:p%40ss@cluster0.example.net/test", "p%40ss"),
    ("amqp://guest:guest-secret@rabbit:5672/", "guest-secret"),
    ("password=correct-horse-battery", "correct-horse-battery"),
    ('"client_secret": "s3cr3t-value"', "s3cr3t-value"),
    ("API_KEY: 1234567890abcdef", "1234567890abcdef"),
    ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI"),
    ("key id AKIAIOSFODNN7EXAMPLE leaked", "AKIAIOSFODNN7EXAMPLE"),
    ("token ghp_16C7e42F292c6912E7710c838347Ae178B4a in log", "ghp_16C7e42F"),
    ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuv", "github_pat_11ABCDEFG"),
    ("slack xoxb-123456789012-abcdefABCDEF", "xoxb-1234"),
    ("stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_4eC39"),
    ("maps AIzaSyA-1234567890abcdefghijklmnopqrstu", "AIzaSyA-1234"),
    (
        "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9P",
        "dozjgNryP4J3",
    ),
    ("Server=db;Database=app;User Id=sa;Password=P@ssw0rd;", "P@ssw0rd"),
    (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
        "MIIEowIBAAKCAQEA",
    ),
    ("session_id=abcdef123456; path=/", "abcdef123456"),
]
HARMLESS = [
    "Identified DB connection pool exhausted",
    "Increased pool size 50 -> 200 (password rotation is tomorrow's item)",
    "https://status.example.com/incidents/42",
    "token refresh leaks a connection",
    "2026-11-25T14:30:00Z ERROR checkout-api POST /api/v2/checkout 500",
]


@pytest.mark.parametrize(("text", "secret"), SECRETS)
def test_each_kind_of_secret_is_removed(text: str, secret: str) -> None:
    out, n = redact(text)
    assert secret not in out and n >= 1 and MARK in out


@pytest.mark.parametrize("text", HARMLESS)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == (text, 0)


def test_context_stays_readable() -> None:
    assert redact("password=abc123 user=bob")[0] == f"password={MARK} user=bob"
    assert redact("postgres://app:x@db/orders")[0] == f"postgres://app:{MARK}@db/orders"


def test_events_are_redacted_everywhere_and_counted() -> None:
    clock = FrozenClock(datetime(2026, 11, 25, 14, 30, tzinfo=UTC))
    declared = c.declare(clock, "DB down", Severity.SEV1).model_copy(
        update={"id": 1, "incident_id": 1}
    )
    state = fold([declared])
    note = c.note(
        clock, state, "tried postgres://app:hunter2@db/x", action="rotated password=oldpass"
    ).model_copy(update={"id": 2})
    pin = timeline_cmd.pin(
        clock,
        state,
        from_log_line(
            source="tail -F app.log",
            source_id="s1",
            line="Authorization: Bearer abcdef123456",
            line_no=3,
            read_at=clock.now(),
            zone=UTC,
            before=["api_key=zzz999"],
        ),
    ).model_copy(update={"id": 3})
    events, n = redact_events([declared, note, pin])
    dumped = "".join(e.model_dump_json() for e in events)
    for secret in ("hunter2", "oldpass", "abcdef123456", "zzz999"):
        assert secret not in dumped
    assert n >= 5  # note text, action, evidence line (x2: text and payload), context
    assert events[0] == declared  # nothing to redact: unchanged
