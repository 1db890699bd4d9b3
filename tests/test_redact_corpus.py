"""Redaction by class (issue #16 item 2): every secret shape of the corpus is removed
whatever text surrounds it, ordinary log lines come through unchanged, every rule completes
on hostile input, and the ledger records only the environment a source's command names.

And the evidence digest (item 3): a redacted pin carries the digest of what it carries, so
it verifies, and no digest of the unredacted lines leaves with it.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incident import commands as c
from incident import source_commands as source_cmd
from incident import timeline_commands as timeline_cmd
from incident.clock import FrozenClock
from incident.evidence import digest, from_log_line, verify
from incident.journal import Evidence
from incident.model import Severity
from incident.redact import MARK, RULES, redact, redact_events, redact_lines
from incident.state import fold
from tests.redact_corpus import HARMLESS, SECRETS

CLOCK = FrozenClock(datetime(2026, 11, 25, 14, 30, tzinfo=UTC))


@pytest.mark.parametrize(("kind", "text", "values"), SECRETS, ids=[s[0] for s in SECRETS])
def test_each_class_of_secret_is_removed(kind: str, text: str, values: tuple[str, ...]) -> None:
    out, n = redact(text)
    assert n >= 1 and MARK in out
    assert [v for v in values if v in out] == [], out


@pytest.mark.parametrize("text", HARMLESS)
def test_ordinary_log_lines_come_through_unchanged(text: str) -> None:
    assert redact(text) == (text, 0)


# text around a secret: anything printable, newlines and tabs too, kept apart by a space
AROUND = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00"),
    max_size=40,
)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SECRETS), AROUND, AROUND)
def test_secrets_are_removed_whatever_surrounds_them(case, before: str, after: str) -> None:
    _, text, values = case
    out, n = redact(f"{before} {text} {after}")
    assert n >= 1
    assert [v for v in values if v in out] == [], out


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(HARMLESS), st.sampled_from(HARMLESS))
def test_harmless_lines_together_stay_harmless(a: str, b: str) -> None:
    assert redact(f"{a} {b}") == (f"{a} {b}", 0)


def test_a_private_key_spread_over_captured_lines_is_redacted_to_its_end() -> None:
    lines = [
        "starting",
        "-----BEGIN OPENSSH PRIVATE KEY-----",
        "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
        "QyNTUxOQAAACDkFmN8ks",
        "-----END OPENSSH PRIVATE KEY-----",
        "done password=x1",
    ]
    out, n = redact_lines(lines)
    assert out == [
        "starting",
        "-----BEGIN OPENSSH PRIVATE KEY-----",
        MARK,
        MARK,
        "-----END OPENSSH PRIVATE KEY-----",
        f"done password={MARK}",
    ]
    assert n == 2


# Every rule's regex over strings built to make a backtracking engine give up: long runs of
# one character, of separators, of keywords and of half-made secrets. Run in a child with a
# generous bound so that a rule which backtracks without bound fails instead of hanging.
HOSTILE_SCRIPT = """
from incident.redact import RULES, _rule_spans, redact
from incident.secret_tokens import generated_spans
N = 100_000
units = ["a", "A", "0", "=", ":", "@", "/", " ", "\\t", "-", "_", ".", "'", '"', "\\\\",
         "%", "&", "key=", "pw ", "sigma=", "a://", "://a:", "-----BEGIN PRIVATE KEY-----",
         "eyJ", "eyJa.", "xoxb-", "--password ", "-u ", "mysql -p ", "Cookie: ", "Bearer ",
         "aB3", "aB3/", "AKIA", "sk-", "'password': '", "password=\\"", "machine x ",
         "redis-cli -a ", "https://u:p@", "@", "a1b2c3d4e5f6a7b8", "X-Api-Key: "]
texts = [(u * (N // len(u) + 1))[:N] for u in units]
texts += [u + "x" * N for u in ("key=", "password ", "Authorization: Basic ", "a://b:")]
for text in texts:
    redact(text)
    generated_spans(text)
    for rule in RULES:
        _rule_spans(rule, text)
print(len(texts), len(RULES))
"""


def test_every_rule_completes_on_hostile_input() -> None:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(HOSTILE_SCRIPT)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    texts, rules = map(int, done.stdout.split())
    assert rules == len(RULES) and texts >= 40


# ---------------------------------------------------------------------- the environment
ENV = {
    "PATH": "/usr/bin:/bin",
    "HOME": "/home/ic",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "PWD": "/srv",
    "MYSQL_PWD": "myPw0rd",
    "REDIS_URL": "redis://:r3disPw@cache:6379/0",
    "SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T0ABCDEFG/B0HIJKLMN/aBcDeFgHiJkLmN",
    "LDAP_BIND_PW": "ld4pbind",
    "NAMESPACE": "payments",
    "DEPLOY_TOKEN": "dep-9911",
    "AWS_PROFILE": "prod",
}


def test_the_ledger_records_only_allowed_and_named_variables() -> None:
    env = source_cmd.recorded_environment(ENV, "kubectl -n $NAMESPACE logs -f deploy/api")
    assert env == {
        "PATH": "/usr/bin:/bin",
        "HOME": "/home/ic",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PWD": "/srv",
        "NAMESPACE": "payments",
        "AWS_PROFILE": "prod",
    }


def test_named_variables_are_masked_when_their_name_or_value_is_secret() -> None:
    command = (
        'mysql -e "select 1" ; redis-cli -u "${REDIS_URL}" ; curl "$SLACK_WEBHOOK_URL" '
        "; ldapsearch -w ${LDAP_BIND_PW:-x} ; echo $DEPLOY_TOKEN $MYSQL_PWD $NAMESPACE"
    )
    env = source_cmd.recorded_environment(ENV, command)
    for name in ("MYSQL_PWD", "REDIS_URL", "SLACK_WEBHOOK_URL", "LDAP_BIND_PW", "DEPLOY_TOKEN"):
        assert env[name] == source_cmd.MASKED, name
    assert env["NAMESPACE"] == "payments"
    dumped = repr(env)
    for value in ("myPw0rd", "r3disPw", "aBcDeFgHiJkLmN", "ld4pbind", "dep-9911"):
        assert value not in dumped


def test_the_started_event_carries_the_recorded_environment() -> None:
    declared = c.declare(CLOCK, "t", Severity.SEV2).model_copy(update={"id": 1, "incident_id": 1})
    state = fold([declared])
    added = source_cmd.add_source(
        CLOCK, state, source_cmd.command_spec("tail -F $LOG", name=None, cwd="/")
    )
    state = fold([declared, added.model_copy(update={"id": 2})])
    started = source_cmd.source_ledger(
        CLOCK,
        state,
        "s1",
        "started",
        pid=7,
        env=source_cmd.environment_of(state, "s1", {**ENV, "LOG": "/x.log"}),
    )
    assert set(started.payload.env) == {
        "PATH",
        "HOME",
        "LANG",
        "LC_ALL",
        "PWD",
        "AWS_PROFILE",
        "LOG",
    }


# ---------------------------------------------------------------------- the evidence digest
def _pin(line: str, before: list[str], after: list[str]):
    declared = c.declare(CLOCK, "t", Severity.SEV2).model_copy(update={"id": 1, "incident_id": 1})
    state = fold([declared])
    ev = from_log_line(
        source="tail -F app.log",
        source_id="s1",
        line=line,
        line_no=9,
        read_at=CLOCK.now(),
        zone=UTC,
        before=before,
        after=after,
    )
    return declared, timeline_cmd.pin(CLOCK, state, ev).model_copy(update={"id": 2})


def test_a_redacted_pin_carries_the_digest_of_what_it_carries() -> None:
    words = ["hunter2", "letmein", "swordfish", "trustno1"]
    declared, pin = _pin(f"login failed password={words[0]}", ["api_key=zzz999"], ["ok"])
    original = pin.payload
    assert verify(original)
    events, n = redact_events([declared, pin])
    ev = events[1].payload
    assert isinstance(ev, Evidence) and ev.redacted and n >= 3
    assert verify(ev), "a redacted pin fails its own check"
    assert ev.sha256 == digest(ev.context) != original.sha256
    assert ev.line == ev.context[1] == f"login failed password={MARK}"
    dumped = "".join(e.model_dump_json() for e in events)
    assert original.sha256[:16] not in dumped
    # the guessing oracle is gone: no candidate's digest matches anything that left
    for w in words:
        guess = digest(["api_key=zzz999", f"login failed password={w}", "ok"])
        assert guess[:16] not in dumped


def test_a_pin_with_nothing_to_redact_keeps_its_digest_and_is_not_marked() -> None:
    declared, pin = _pin("GET /healthz 200", ["a"], ["b"])
    events, n = redact_events([declared, pin])
    assert n == 0 and events[1] == pin and verify(events[1].payload)
    assert not events[1].payload.redacted


def test_a_host_snapshot_whose_text_was_redacted_carries_no_digest() -> None:
    declared = c.declare(CLOCK, "t", Severity.SEV2).model_copy(update={"id": 1, "incident_id": 1})
    lines = ["load 1.0", "top: mysql -pS3cretPw"]
    snap = Evidence(
        source="host",
        line=lines[0],
        sha256=digest(lines),
        snapshot={"procs": ["mysql -pS3cretPw"]},
    )
    pin = timeline_cmd.pin(CLOCK, fold([declared]), snap).model_copy(update={"id": 2})
    events, _ = redact_events([declared, pin])
    ev = events[1].payload
    assert ev.sha256 is None and ev.redacted and "S3cretPw" not in events[1].model_dump_json()


def test_rules_include_detect_secrets_detectors() -> None:
    names = {r.name.split("[")[0] for r in RULES if r.name.startswith("detect-secrets")}
    assert "detect-secrets AWSKeyDetector" in names and len(names) >= 15
    assert not any("IPPublicDetector" in n for n in names)
