"""The ``warroom`` command line: verbs that do not open the console, and every way to misuse it.

Bad input of any kind gives exactly one line on stderr starting with "warroom", a non-zero
exit code, no traceback, and leaves the database file as it was, byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.paths import ENV_VAR, default_db_path, resolve_db_path
from tui.cli import main

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def db(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(ENV_VAR, str(db_path))
    monkeypatch.setenv("WARROOM_USER", "@tester")
    return db_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def ok(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    rc, out, err = run(capsys, *argv)
    assert (rc, err) == (0, ""), err
    return out


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def journal(path: Path) -> list[tuple]:
    """Every row of the journal, read without writing."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return (
            conn.execute("SELECT * FROM events ORDER BY id").fetchall()
            + conn.execute("SELECT * FROM incidents ORDER BY id").fetchall()
        )
    finally:
        conn.close()


def assert_refused(
    capsys: pytest.CaptureFixture[str], path: Path, *argv: str, same_bytes: bool = True
) -> str:
    """Run a bad command: one line on stderr, non-zero exit, and the file unchanged.

    ``same_bytes=False`` is for refusals that come after the journal was read: Store.close
    runs ``PRAGMA optimize``, which may store planner statistics, so only the journal
    itself is compared (see test_refusal_after_a_read_leaves_the_bytes_alone).
    """
    before = digest(path) if path.is_file() else None
    rows = journal(path) if not same_bytes else None
    rc, out, err = run(capsys, *argv)
    assert rc != 0
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("warroom")
    if same_bytes:
        assert (digest(path) if path.is_file() else None) == before
    else:
        assert journal(path) == rows
    return lines[0]


def iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def inc1(db: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert ok(capsys, "declare", "API 500 errors", "--severity", "SEV-2") == "INC-1\n"
    return db


# ------------------------------------------------------------------ declare and list
def test_declare_numbers_increase(db: Path, capsys) -> None:
    assert ok(capsys, "declare", "first", "-s", "1") == "INC-1\n"
    assert (
        ok(
            capsys,
            "declare",
            "second",
            "-s",
            "sev2",
            "--service",
            "auth",
            "--impact",
            "slow logins",
            "--detected-by",
            "alert",
            "--commander",
            "@ic",
        )
        == "INC-2\n"
    )
    assert ok(capsys, "--db", str(db), "declare", "third", "--severity", "SEV-3") == "INC-3\n"
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def test_declare_backdated(db: Path, capsys) -> None:
    started = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    ok(capsys, "declare", "t", "-s", "2", "--started", iso(started))
    data = json.loads(ok(capsys, "list", "--json"))
    assert data[0]["started_at"] == iso(started)


def test_list(db: Path, capsys) -> None:
    assert (
        ok(capsys, "list") == f"no incidents (no database at {db} yet); declare one "
        "with: warroom declare TITLE --severity SEV-2\n"
    )
    assert not db.exists()  # a read verb never creates the file
    ok(capsys, "declare", "API 500 errors", "-s", "1")
    ok(capsys, "declare", "slow search", "-s", "3")
    ok(capsys, "status", "INC-2", "resolved")
    active = ok(capsys, "list").splitlines()
    assert len(active) == 1
    assert active[0].startswith("INC-1    SEV-1  🚨 ACTIVE ")
    assert active[0].endswith(" ongoing              API 500 errors")
    every = ok(capsys, "list", "--all").splitlines()
    assert [line.split()[0] for line in every] == ["INC-2", "INC-1"]
    assert "✅ RESOLVED" in every[0] and "slow search" in every[0]
    ok(capsys, "status", "INC-1", "resolved")
    assert ok(capsys, "list") == "no active incidents; 2 resolved: warroom list --all\n"


def test_list_json(db: Path, capsys) -> None:
    assert json.loads(ok(capsys, "list", "--json")) == []
    ok(capsys, "declare", "API 500 errors", "-s", "1")
    ok(capsys, "declare", "slow search", "-s", "3")
    ok(capsys, "status", "2", "resolved")
    assert [i["id"] for i in json.loads(ok(capsys, "list", "--json"))] == ["INC-1"]
    data = json.loads(ok(capsys, "list", "--all", "--json"))
    assert [i["id"] for i in data] == ["INC-2", "INC-1"]
    assert set(data[0]) == {
        "id",
        "title",
        "severity",
        "status",
        "started_at",
        "resolved_at",
        "duration_seconds",
        "events",
    }
    assert (data[0]["title"], data[0]["severity"], data[0]["status"]) == (
        "slow search",
        "SEV-3",
        "RESOLVED",
    )
    assert data[0]["events"] == 2 and data[0]["duration_seconds"] >= 0
    assert data[1]["resolved_at"] is None and data[1]["duration_seconds"] is None


def test_list_escapes_hostile_titles(db: Path, capsys) -> None:
    ok(capsys, "declare", "evil\x1b]52;c;eA==\x07\u202etitle", "-s", "2")
    out = ok(capsys, "list")
    assert "\x1b" not in out and "\u202e" not in out
    assert "evil␛]52;c;eA==␇⟨U+202E⟩title" in out


# ------------------------------------------------------------------ note, status, severity
def test_note(inc1: Path, capsys) -> None:
    out = ok(
        capsys,
        "note",
        "INC-1",
        "Alert fired: API 500 errors",
        "--owner",
        "@ops",
        "--action",
        "Acknowledged",
    )
    assert out == "INC-1 #2 Alert fired: API 500 errors\n"
    assert ok(capsys, "note", "inc-1", "second") == "INC-1 #3 second\n"
    data = json.loads(ok(capsys, "report", "1", "--format", "json"))
    rows = {r["id"]: r for r in data["timeline"]}
    assert (rows[2]["text"], rows[2]["action"], rows[2]["owner"]) == (
        "Alert fired: API 500 errors",
        "Acknowledged",
        "@ops",
    )
    assert rows[3]["owner"] == "@tester"  # the default owner is whoever runs the command


def test_note_at(inc1: Path, capsys) -> None:
    when = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=90)
    rc, out, err = run(capsys, "note", "1", "backdated", "--at", iso(when))
    assert (rc, out.split(" ", 1)[0]) == (0, "INC-1")  # saved, and said to be early:
    assert err.startswith(f"warroom: warning: {iso(when)} is before the incident began")
    assert err.count("\n") == 1
    rc, _, err = run(
        capsys,
        "note",
        "1",
        "offset",
        "--at",
        (when + timedelta(minutes=1)).astimezone().isoformat(),
    )
    assert rc == 0 and "before the incident began" in err
    data = json.loads(ok(capsys, "report", "1", "--format", "json"))
    rows = {r["text"]: r for r in data["timeline"]}
    assert rows["backdated"]["occurred_at"] == iso(when)
    assert rows["offset"]["occurred_at"] == iso(when + timedelta(minutes=1))
    assert data["timeline"][0]["text"] == "backdated"  # before the declaration


def test_status_with_resolution(inc1: Path, capsys) -> None:
    assert ok(capsys, "status", "1", "mitigated") == "INC-1 #2 Status ACTIVE → MITIGATED 🔧\n"
    out = ok(
        capsys,
        "status",
        "1",
        "RESOLVED",
        "--immediate",
        "Increased pool size",
        "--permanent",
        "Fixed leak",
        "--deployed",
        "v2.3.2",
    )
    assert out == "INC-1 #3 Status MITIGATED → RESOLVED ✅\n"
    report = ok(capsys, "report", "1")
    assert "### Status: ✅ RESOLVED" in report
    assert "- **Immediate**: Increased pool size" in report
    assert "- **Permanent**: Fixed leak" in report
    assert "- **Deployed**: v2.3.2" in report
    assert "| Status MITIGATED → RESOLVED ✅ | Increased pool size | @tester |" in report
    ok(capsys, "status", "1", "active")
    assert "### Status: 🚨 ACTIVE" in ok(capsys, "report", "1")


def test_severity(inc1: Path, capsys) -> None:
    out = ok(capsys, "severity", "1", "sev-1", "--reason", "full outage")
    assert out == "INC-1 #2 Severity raised SEV-2 → SEV-1: full outage\n"
    assert ok(capsys, "severity", "1", "3") == "INC-1 #3 Severity lowered SEV-1 → SEV-3\n"
    assert "- **Severity**: SEV-3" in ok(capsys, "report", "1")


# ------------------------------------------------------------------ report
def test_report_markdown_and_json(inc1: Path, capsys) -> None:
    md = ok(capsys, "report", "INC-1")
    assert md.startswith("## Incident Report - INC-1\n\n### Status: 🚨 ACTIVE\n")
    assert "| Time (UTC) | Event | Action Taken | Owner |" in md
    assert ok(capsys, "report", "INC-1", "--format", "markdown") == md
    js = ok(capsys, "report", "1", "--format", "json")
    assert json.loads(js)["incident"]["title"] == "API 500 errors"
    assert ok(capsys, "report", "1", "--format", "json") == js


def test_report_output_file(inc1: Path, capsys, tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    assert ok(capsys, "report", "1", "--output", str(target)) == ""
    assert target.read_text(encoding="utf-8") == ok(capsys, "report", "1")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    js = tmp_path / "report.json"
    assert ok(capsys, "report", "1", "-o", str(js), "--format", "json") == ""
    assert json.loads(js.read_text(encoding="utf-8"))["number"] == "INC-1"


def test_report_output_unwritable(inc1: Path, capsys, tmp_path: Path) -> None:
    line = assert_refused(capsys, inc1, "report", "1", "--output", str(tmp_path), same_bytes=False)
    assert "is a directory" in line
    assert_refused(
        capsys, inc1, "report", "1", "-o", str(tmp_path / "no" / "such" / "x.md"), same_bytes=False
    )


# ------------------------------------------------------------------ tail
def test_export_counts_in_words(inc1: Path, capsys, tmp_path: Path) -> None:
    """One event is "1 event" (it was "1 events, 0 secret(s) redacted")."""
    out = ok(capsys, "export", "1", "-o", str(tmp_path / "x.db"))
    assert out.endswith("(1 event, 0 secrets redacted)\n"), out
    ok(capsys, "note", "1", "password=hunter2hunter2")
    out = ok(capsys, "export", "1", "-o", str(tmp_path / "y.db"))
    assert out.endswith("(2 events, 1 secret redacted)\n"), out


def test_tail_cmd(inc1: Path, capsys) -> None:
    out = ok(capsys, "tail", "1", "--cmd", "tail -F /var/log/app.log")
    assert out == "INC-1 #2 Log source tail added: tail -F /var/log/app.log\n"
    ok(capsys, "tail", "1", "--cmd", "journalctl -f", "--name", "journal")
    state = json.loads(ok(capsys, "report", "1", "--format", "json"))["incident"]
    assert list(state["sources"]) == ["s1", "s2"]
    spec = state["sources"]["s1"]["spec"]
    assert (spec["kind"], spec["command"], spec["cwd"]) == (
        "cmd",
        "tail -F /var/log/app.log",
        os.getcwd(),
    )
    assert state["sources"]["s2"]["spec"]["name"] == "journal"


def test_tail_grep(inc1: Path, capsys, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    out = ok(capsys, "tail", "1", "--grep", r"ERROR|5\d\d", "app.log", "/var/log/*.log", "-i", "-v")
    assert out.startswith("INC-1 #2 Log source grep ERROR|5\\d\\d added: grep ")
    ok(capsys, "tail", "1", "--grep", "(literal", "x.log", "--fixed", "--name", "lit")
    state = json.loads(ok(capsys, "report", "1", "--format", "json"))["incident"]
    spec = state["sources"]["s1"]["spec"]
    assert spec["pattern"] == r"ERROR|5\d\d"
    assert spec["paths"] == [str(tmp_path / "app.log"), "/var/log/*.log"]
    assert (spec["ignore_case"], spec["invert"], spec["fixed"]) == (True, True, False)
    lit = state["sources"]["s2"]["spec"]
    assert (lit["name"], lit["pattern"], lit["fixed"]) == ("lit", "(literal", True)


def test_tail_stop_and_list_from_the_command_line(inc1: Path, capsys) -> None:
    """A source that breaks every console can be stopped without one: a "stopped" entry
    in the ledger, which the console that runs it obeys and no console starts again."""
    ok(capsys, "tail", "1", "--cmd", "tail -F /var/log/app.log", "--name", "app")
    ok(capsys, "tail", "1", "--grep", "(a+)+$", "/var/log/x.log", "--name", "hostile")
    listed = ok(capsys, "tail", "1", "--list").splitlines()
    assert [line.split()[0] for line in listed] == ["s1", "s2"]
    assert "waiting to start" in listed[1] and "hostile" in listed[1]
    out = ok(capsys, "tail", "1", "--stop", "hostile")
    assert out.startswith("INC-1 #4 Log source hostile stopped")
    state = json.loads(ok(capsys, "report", "1", "--format", "json"))["incident"]
    assert state["sources"]["s2"]["state"] == "stopped"
    assert state["sources"]["s1"]["state"] == "added"
    assert "stopped" in ok(capsys, "tail", "1", "--list").splitlines()[1]
    ok(capsys, "tail", "1", "--stop", "s1")  # by id too


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (("tail", "1", "--stop", "nope"), "no log source 'nope' in INC-1"),
        (("tail", "1", "--stop", "s1", "--cmd", "x"), "not allowed"),
    ],
)
def test_tail_stop_refusals(inc1: Path, capsys, argv, words) -> None:
    assert words in assert_refused(capsys, inc1, *argv)


def test_tail_stop_refuses_a_source_that_is_not_running(inc1: Path, capsys) -> None:
    ok(capsys, "tail", "1", "--cmd", "x", "--name", "twin")
    ok(capsys, "tail", "1", "--cmd", "y", "--name", "twin")
    assert "give the id (s1, s2)" in assert_refused(capsys, inc1, "tail", "1", "--stop", "twin")
    ok(capsys, "tail", "1", "--stop", "s1")
    assert "is not running" in assert_refused(capsys, inc1, "tail", "1", "--stop", "s1")


def test_tail_list_without_sources(inc1: Path, capsys) -> None:
    assert "has no log sources" in ok(capsys, "tail", "1", "--list")


# ------------------------------------------------------------------ where the database is
def test_db_flag_wins_over_environment(db: Path, capsys, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    assert ok(capsys, "--db", str(other), "declare", "t", "-s", "2") == "INC-1\n"
    assert other.is_file()
    assert not db.exists()
    assert ok(capsys, "declare", "t", "-s", "2") == "INC-1\n"  # $WARROOM_DB
    assert db.is_file()


def test_resolve_db_path_precedence(tmp_path: Path) -> None:
    env = {ENV_VAR: str(tmp_path / "env.db")}
    assert resolve_db_path(str(tmp_path / "flag.db"), env) == tmp_path / "flag.db"
    assert resolve_db_path(None, env) == tmp_path / "env.db"
    assert resolve_db_path("", env) == tmp_path / "env.db"
    assert resolve_db_path(None, {}) == default_db_path()
    assert resolve_db_path(None, {ENV_VAR: ""}) == default_db_path()
    assert resolve_db_path("~/x.db", {}) == Path.home() / "x.db"


def test_default_location_is_the_user_data_dir(capsys, tmp_path: Path, monkeypatch) -> None:
    data = tmp_path / "data"
    monkeypatch.setattr("storage.paths.user_data_path", lambda app, appauthor=None: data / app)
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setenv("WARROOM_USER", "@tester")
    assert default_db_path() == data / "warroom" / "warroom.db"
    assert ok(capsys, "declare", "t", "-s", "2") == "INC-1\n"
    path = data / "warroom" / "warroom.db"
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_default_location_follows_platformdirs(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_db_path() == tmp_path / "xdg" / "warroom" / "warroom.db"


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "argv",
    [
        ("note", "INC-99", "hello"),
        ("status", "7", "resolved"),
        ("severity", "7", "sev-1"),
        ("report", "INC-42"),
        ("report", "42", "--format", "json"),
        ("tail", "5", "--cmd", "true"),
    ],
)
def test_unknown_incident(inc1: Path, capsys, argv: tuple[str, ...]) -> None:
    line = assert_refused(capsys, inc1, *argv)
    assert line.startswith("warroom: no incident INC-")


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (("declare", "t", "--severity", "SEV-9"), "unknown severity"),
        (("declare", "t", "-s", "critical"), "unknown severity"),
        (("severity", "1", "SEV-0"), "unknown severity"),
        (("status", "1", "closed"), "unknown status"),
        (("status", "1", ""), "unknown status"),
        (("note", "INC-x", "hi"), "bad incident id"),
        (("note", "0", "hi"), "bad incident id"),
        (("report", "1", "--format", "pdf"), "invalid choice"),
        (("declare", "no severity"), "required"),
        (("frobnicate",), "invalid choice"),
        (("tail", "1"), "required"),
        (("tail", "1", "--cmd", "x", "--grep", "y", "z"), "not allowed"),
        (("--bogus", "list"), "unrecognized"),
    ],
)
def test_bad_arguments(inc1: Path, capsys, argv: tuple[str, ...], words: str) -> None:
    line = assert_refused(capsys, inc1, *argv)
    assert words in line
    assert line.endswith("(see --help)")


@pytest.mark.parametrize(
    "argv",
    [
        ("note", "1", "x", "--at", "garbage"),
        ("note", "1", "x", "--at", "25:00"),
        ("note", "1", "x", "--at", "2999-01-01T00:00:00Z"),
        ("note", "1", "x", "--at", "1969-07-20T20:17:00Z"),
        ("note", "1", "x", "--at", "0001-01-01T00:00:00+01:00"),
        ("declare", "t", "-s", "2", "--started", "yesterday"),
    ],
)
def test_bad_time(inc1: Path, capsys, argv: tuple[str, ...]) -> None:
    line = assert_refused(capsys, inc1, *argv)
    assert "time" in line


def test_bad_time_creates_no_database(db: Path, capsys) -> None:
    assert_refused(capsys, db, "declare", "t", "-s", "2", "--started", "soon")
    assert not db.exists()


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (("tail", "1", "--grep", "(", "/var/log"), "bad pattern"),
        (("tail", "1", "--grep", "[a-", "x.log"), "bad pattern"),
        (("tail", "1", "--grep", "ERROR"), "at least one PATH"),
        (("tail", "1", "--grep", "", "x.log"), "non-empty PATTERN"),
        (("tail", "1", "--cmd", "  "), "command cannot be empty"),
    ],
)
def test_bad_source(inc1: Path, capsys, argv: tuple[str, ...], words: str) -> None:
    assert words in assert_refused(capsys, inc1, *argv)


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (("note", "1", ""), "cannot be empty"),
        (("note", "1", "a\x00b"), "NUL"),
        (("note", "1", "x" * 20_001), "too long"),
        (("declare", "  ", "-s", "2"), "cannot be empty"),
        (("declare", "x" * 301, "-s", "2"), "too long"),
        (("status", "1", "active"), "already ACTIVE"),
        (("severity", "1", "SEV-2"), "already SEV-2"),
    ],
)
def test_bad_values(inc1: Path, capsys, argv: tuple[str, ...], words: str) -> None:
    assert words in assert_refused(capsys, inc1, *argv, same_bytes=False)


def test_refusal_after_a_read_leaves_the_bytes_alone(inc1: Path, capsys) -> None:
    assert_refused(capsys, inc1, "status", "1", "active")


def test_db_is_a_directory(capsys, tmp_path: Path) -> None:
    folder = tmp_path / "dir.db"
    folder.mkdir()
    line = assert_refused(capsys, folder, "--db", str(folder), "list")
    assert "not a regular file" in line
    assert list(folder.iterdir()) == []


def test_db_parent_is_a_file(capsys, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    assert_refused(
        capsys, tmp_path / "file" / "w.db", "--db", str(tmp_path / "file" / "w.db"), "list"
    )
    assert (tmp_path / "file").read_text() == "x"


@pytest.mark.parametrize(
    "content",
    [
        b"this is my shopping list, not a database\n",
        bytes(range(256)) * 40,
        b"SQLite format 2\x00" + b"\x00" * 1000,
    ],
)
def test_db_is_not_sqlite(capsys, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "w.db"
    path.write_bytes(content)
    for argv in (("list",), ("declare", "t", "-s", "1"), ("note", "1", "x")):
        assert "not a SQLite database" in assert_refused(capsys, path, "--db", str(path), *argv)
    assert path.read_bytes() == content


@pytest.mark.parametrize("keep", [100, 4096])
def test_db_is_corrupt(inc1: Path, capsys, keep: int) -> None:
    ok(capsys, "note", "1", "something to lose")
    data = bytearray(inc1.read_bytes())
    data[keep:] = bytes((i * 37 + 11) % 256 for i in range(len(data) - keep))
    inc1.write_bytes(bytes(data))
    for argv in (("list",), ("report", "1"), ("note", "1", "x"), ("declare", "t", "-s", "1")):
        line = assert_refused(capsys, inc1, *argv)
        assert "corrupt" in line


def test_db_is_another_programs_sqlite(capsys, tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.close()
    line = assert_refused(capsys, path, "--db", str(path), "declare", "t", "-s", "1")
    assert "not a warroom database" in line


def test_db_from_a_newer_warroom(inc1: Path, capsys) -> None:
    conn = sqlite3.connect(inc1)
    conn.execute("PRAGMA user_version=999")
    conn.commit()
    conn.close()
    for argv in (("list",), ("note", "1", "x"), ("declare", "t", "-s", "1"), ("report", "1")):
        line = assert_refused(capsys, inc1, *argv)
        assert "newer warroom" in line and "999" in line


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_db_unreadable(inc1: Path, capsys) -> None:
    inc1.chmod(0)
    try:
        assert_refused(capsys, inc1, "list")
    finally:
        inc1.chmod(0o600)


# ------------------------------------------------------------------ as a real process
def _proc(args: list[str], db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, ENV_VAR: str(db), "WARROOM_USER": "@proc"}
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=60, cwd=REPO)


def test_console_script(db_path: Path) -> None:
    exe = Path(sys.executable).with_name("warroom")
    if not exe.is_file():
        pytest.skip("the warroom console script is not installed next to this Python")
    first = _proc([str(exe), "declare", "API 500 errors", "-s", "SEV-1"], db_path)
    assert (first.returncode, first.stdout, first.stderr) == (0, "INC-1\n", "")
    second = _proc([sys.executable, "-m", "tui.cli", "declare", "again", "-s", "2"], db_path)
    assert (second.returncode, second.stdout) == (0, "INC-2\n")
    listed = _proc([str(exe), "list", "--json"], db_path)
    assert [i["id"] for i in json.loads(listed.stdout)] == ["INC-2", "INC-1"]


def test_process_error_is_one_line(db_path: Path) -> None:
    db_path.write_bytes(b"\x00garbage" * 100)
    before = digest(db_path)
    for args in (
        [sys.executable, "-m", "tui.cli", "list"],
        [sys.executable, "-m", "tui.cli", "declare", "t", "-s", "SEV-7"],
    ):
        done = _proc(args, db_path)
        assert done.returncode != 0
        assert done.stdout == ""
        assert "Traceback" not in done.stderr
        assert len(done.stderr.splitlines()) == 1
        assert done.stderr.startswith("warroom")
    assert digest(db_path) == before


def test_list_json_neutralises_controls_in_titles(db: Path, capsys) -> None:
    ok(capsys, "declare", "T\x1b]52;c;cHduZWQ=\x07 \u202e evil", "--severity", "SEV-3")
    out = ok(capsys, "list", "--json")
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert json.loads(out)[0]["title"].startswith("T\x1b]52")  # the data is kept, escaped


def test_saved_line_neutralises_controls(inc1: Path, capsys) -> None:
    out = ok(capsys, "note", "1", "clear \x1b[2J screen \x9b31m")
    assert "\x1b" not in out and "\x9b" not in out
    assert "␛[2J" in out


@pytest.mark.parametrize("env_value", ["0", "x", "-5"])
def test_bad_capture_lines_from_the_environment(
    db: Path, capsys, monkeypatch, env_value: str
) -> None:
    monkeypatch.setenv("WARROOM_CAPTURE_LINES", env_value)
    rc, _out, err = run(capsys, "list")
    assert rc == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "positive whole number" in err


def test_capture_lines_option_is_parsed(db: Path) -> None:
    from tui.cli import build_parser

    assert build_parser().parse_args(["--capture-lines", "500", "list"]).capture_lines == 500


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("64M", 64 << 20),
        ("64MiB", 64 << 20),
        ("64mb", 64 << 20),
        ("1G", 1 << 30),
        ("2048K", 2 << 20),
        ("1048576", 1 << 20),
        (" 3 M ", 3 << 20),
    ],
)
def test_capture_bytes_option_is_parsed(db: Path, monkeypatch, value: str, expected: int) -> None:
    from tui.cli import build_parser

    assert build_parser().parse_args(["list"]).capture_bytes == 64 << 20
    args = build_parser().parse_args(["--capture-bytes", value, "list"])
    assert args.capture_bytes == expected
    monkeypatch.setenv("WARROOM_CAPTURE_BYTES", value)
    assert build_parser().parse_args(["list"]).capture_bytes == expected


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("0", "at least 1M"),
        ("512K", "at least 1M"),
        ("1048575", "at least 1M"),
        ("x", "a size such as 64M"),
        ("-5M", "a size such as 64M"),
        ("64T", "a size such as"),
        ("1.5G", "a size such as"),
        ("", "a size such as"),
        ("64 Mbytes", "a size such as"),
        ("9" * 13, "a size such as"),
    ],
)
def test_bad_capture_bytes_are_one_line(
    db: Path, capsys, monkeypatch, value: str, words: str
) -> None:
    rc, _out, err = run(capsys, f"--capture-bytes={value}", "list")
    assert rc == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert words in err and err.startswith("warroom")
    monkeypatch.setenv("WARROOM_CAPTURE_BYTES", value)
    rc, _out, err = run(capsys, "list")
    assert rc == 2 and len(err.strip().splitlines()) == 1 and words in err


def test_the_capture_budget_reaches_the_capture_writer(db: Path) -> None:
    from incident.clock import SystemClock
    from tui.cli import Launch, build_app, build_parser

    args = build_parser().parse_args(["--capture-bytes", "8M", "--capture-lines", "500"])
    app = build_app(
        Launch(
            db,
            None,
            SystemClock(),
            capture_lines=args.capture_lines,
            capture_bytes=args.capture_bytes,
            remember_theme=False,
        )
    )
    try:
        assert (app.runner.capture.limit, app.runner.capture.max_bytes) == (500, 8 << 20)
    finally:
        app.runner.capture.close()


def test_db_after_the_verb(db: Path, capsys, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    ok(capsys, "declare", "in the default", "-s", "2")
    ok(capsys, "declare", "elsewhere", "-s", "3", "--db", str(other))
    assert "elsewhere" in ok(capsys, "list", "--db", str(other))
    assert "elsewhere" not in ok(capsys, "list")


def test_a_verb_loads_no_textual(tmp_path):
    """`warroom note` and the other verbs are scripts' and hooks' tools: they load the
    store and the domain, never the console's UI toolkit (a third of a note's time)."""
    db = tmp_path / "w.db"
    code = f"""
import sys
from tui.cli import main
assert main(["--db", {str(db)!r}, "declare", "t", "-s", "2"]) == 0
assert main(["--db", {str(db)!r}, "note", "1", "x"]) == 0
assert main(["--db", {str(db)!r}, "list"]) == 0
print(sorted(m for m in sys.modules if m.split(".")[0] == "textual"))
"""
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_a_time_that_lands_elsewhere_is_said_though_saved(db: Path, capsys, monkeypatch):
    """``--at 10:00`` typed at 08:43Z was stored as yesterday without a word; a note dated
    1970 or before the declaration was accepted unflagged."""
    import tui.cli
    from incident.clock import FrozenClock

    now = FrozenClock(datetime(2026, 12, 5, 8, 43, tzinfo=UTC))
    monkeypatch.setattr(tui.cli, "SystemClock", lambda: now)
    ok(capsys, "declare", "API 500 errors", "-s", "2", "--started", "2026-12-04T06:00Z")
    rc, out, err = run(capsys, "note", "1", "late alert", "--at", "10:00")
    assert rc == 0 and out.startswith("INC-1 #2 ")
    assert (
        err == "warroom: warning: 10:00 is later than now (08:43Z), so it was taken as "
        "yesterday: 2026-12-04T10:00:00Z\n"
    )
    rc, out, err = run(capsys, "note", "1", "ancient", "--at", "1970-01-01T00:00:00Z")
    assert (
        rc == 0
        and err
        == "warroom: warning: 1970-01-01T00:00:00Z is before the "
        "incident began (2026-12-04T06:00:00Z): recorded as given, out of order (e corrects "
        "an entry's time)\n"
    )
    assert ok(capsys, "note", "1", "just now", "--at", "08:40").startswith("INC-1 #4 ")


def test_a_positional_given_as_a_bare_double_dash_is_checked(inc1: Path, capsys) -> None:
    """`severity 1 -- --`: argparse (3.11) handed the value over as [] unchecked."""
    rc, out, err = run(capsys, "severity", "1", "--", "--")
    assert (rc, out) == (2, "") and err.count("\n") == 1 and "unknown severity '--'" in err
