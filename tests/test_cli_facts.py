"""``warroom edit`` and ``warroom action``: the incident's facts and action items from the
command line. Each change is a journal event; every bad input is one line on stderr, a
non-zero exit, and the journal as it was."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from storage.paths import ENV_VAR
from tests.test_cli import REPO, assert_refused, ok, run


@pytest.fixture
def inc1(db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> Path:
    monkeypatch.setenv(ENV_VAR, str(db_path))
    monkeypatch.setenv("WARROOM_USER", "@tester")
    assert ok(capsys, "declare", "API 500 errors", "-s", "2", "--service", "api") == "INC-1\n"
    return db_path


def report(capsys) -> list[str]:
    return ok(capsys, "report", "INC-1").splitlines()


def test_edit_sets_each_fact_as_an_event_and_the_report_shows_the_latest(inc1, capsys) -> None:
    out = ok(
        capsys,
        "edit",
        "INC-1",
        "--service",
        "gateway",
        "--impact",
        "logins fail",
        "--detected-by",
        "pager",
        "--status-page",
        "https://status.example.com/i/1",
        "--root-cause",
        "pool exhaustion",
        "--eta",
        "15:30 UTC",
        "--commander",
        "@alice",
        "--title",
        "Logins down",
    )
    assert out.splitlines() == [
        "INC-1 #2 Set title: Logins down",
        "INC-1 #3 Set service: gateway",
        "INC-1 #4 Set impact: logins fail",
        "INC-1 #5 Set detected by: pager",
        "INC-1 #6 Set status page link: https://status.example.com/i/1",
        "INC-1 #7 Set root cause: what: pool exhaustion",
        "INC-1 #8 Set ETA: 15:30 UTC",
        "INC-1 #9 @alice joined as Incident Commander",
    ]
    assert ok(capsys, "edit", "1", "--service", "db").splitlines() == ["INC-1 #10 Set service: db"]
    lines = report(capsys)
    for line in [
        "- **Title**: Logins down",
        "- **Service**: db",
        "- **Impact**: logins fail",
        "- **Detected**: pager",
        "- **Status Page**: Not yet known (https://status.example.com/i/1)",
        "- **ETA**: 15:30 UTC",
        "- **What**: pool exhaustion",
        "- Incident Commander: @alice",
    ]:
        assert line in lines, line
    # the old value is still in the journal: the timeline says what it was set to
    assert any("Set service: gateway" in line for line in lines)


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["edit", "INC-1"], "nothing to change: give at least one of --title"),
        (["edit", "INC-1", "--service", ""], "--service: the value cannot be empty"),
        (["edit", "INC-1", "--eta", "   "], "--eta: the value cannot be empty"),
        (["edit", "INC-1", "--status-page", "status.example.com"], "not a web address"),
        (["edit", "INC-1", "--status-page", "javascript:alert(1)"], "not a web address"),
        (["edit", "INC-1", "--title", "x" * 301], "the title is too long"),
        (["edit", "INC-9", "--service", "x"], "no incident INC-9"),
        (["edit", "INC-1", "--service", "api"], "nothing changed: INC-1 already has"),
        (["edit", "INC-1", "--colour", "red"], "unrecognized arguments: --colour red"),
        (["action", "INC-1"], "required: add|done|list"),
        (["action", "INC-1", "add", ""], "the value cannot be empty"),
        (["action", "INC-1", "add", "x", "--due", "friday"], "is not a date: use YYYY-MM-DD"),
        (["action", "INC-1", "add", "x", "--due", "2026-02-30"], "is not a date"),
        (["action", "INC-1", "done", "0"], "expected a positive whole number"),
        (["action", "INC-1", "done", "3"], "no action item 3 in INC-1"),
        (["action", "INC-9", "list"], "no incident INC-9"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(inc1, capsys, argv, words) -> None:
    line = assert_refused(capsys, inc1, *argv, same_bytes=False)
    assert words in line


def test_action_items_add_done_list(inc1, capsys) -> None:
    assert ok(capsys, "action", "INC-1", "list") == "INC-1 has no action items yet\n"
    assert ok(
        capsys, "action", "INC-1", "add", "Add pool alerts", "--owner", "@db", "--due", "2026-12-01"
    ) == ("INC-1 #2 Action item 1: Add pool alerts\n")
    ok(capsys, "action", "INC-1", "add", "Review runbooks")
    assert ok(capsys, "action", "INC-1", "done", "1") == "INC-1 #4 Action item 1 done\n"
    assert ok(capsys, "action", "INC-1", "list").splitlines() == [
        "1   [x] Add pool alerts  (@db, due 2026-12-01)",
        "2   [ ] Review runbooks",
    ]
    line = assert_refused(capsys, inc1, "action", "INC-1", "done", "1", same_bytes=False)
    assert line == "warroom: action item 1 is already done"
    lines = report(capsys)
    i = lines.index("### Action Items")
    assert lines[i + 1 : i + 3] == [
        "1. [x] Add pool alerts (@db, due 2026-12-01)",
        "2. [ ] Review runbooks",
    ]


def test_a_resolved_incident_can_still_be_edited(inc1, capsys) -> None:
    """The domain lets the write-up go on after RESOLVED (the post-mortem does it too)."""
    ok(capsys, "status", "INC-1", "resolved")
    ok(capsys, "edit", "INC-1", "--root-cause", "leak")
    ok(capsys, "action", "INC-1", "add", "Fix the leak")
    assert "- **What**: leak" in report(capsys)


def test_the_help_lists_edit_and_action() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "edit" in done.stdout and "action" in done.stdout
    assert "change the incident's facts" in done.stdout
    assert "action items: add, done, list" in done.stdout


def test_edit_help_names_every_fact(capsys) -> None:
    rc, out, _ = run(capsys, "edit", "--help")
    assert rc == 0
    for flag in (
        "--title",
        "--service",
        "--impact",
        "--detected-by",
        "--status-page URL",
        "--root-cause",
        "--eta",
        "--commander NAME",
    ):
        assert flag in out, flag
