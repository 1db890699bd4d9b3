"""Quitting ends well, as a new user sees it: the real app in tmux, the quit key pressed,
and the shell around it says the exit status.

``warroom demo`` (the README's first command), then ``q``, was a traceback
(``ValueError: no active connection``) and exit 1 every time; so was ``warroom postmortem``
after saving a field. Every screen, wide and at 80x24, with a dialog or the help open: exit
0, no traceback, the terminal given back as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tmux_driver import MARKER, RESTORED, WARROOM, Shell, have_tmux, run_cli, warroom_env

pytestmark = [pytest.mark.tmux, pytest.mark.skipif(not have_tmux(), reason="tmux is not installed")]

DEMO_TITLE = "Checkout API"  # (the title, as much as 80 columns leave of it)
WIDE, NARROW = (120, 36), (80, 24)


@pytest.fixture
def home(tmp_path) -> dict[str, str]:
    """A new user's environment: no --db nor $WARROOM_DB, the data directory in tmp_path."""
    env = warroom_env(tmp_path / "unused.db", tmp_path / "config")
    del env["WARROOM_DB"]
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    return env


def real_db(env: dict[str, str]) -> Path:
    return Path(env["XDG_DATA_HOME"]) / "warroom" / "warroom.db"


def quit_with(session: Shell, *keys: str) -> str:
    """Press ``keys`` (the last one quits); the shell must say exit 0, with no traceback
    anywhere in the pane's history, and the terminal restored."""
    for key in keys:
        session.keys(key)
    session.wait_for(MARKER, timeout=15)
    everything = session.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "0")
    assert "Traceback" not in everything, everything
    assert f"{MARKER}0" in everything, everything
    assert session.flags() == RESTORED, "the terminal was not given back as it was"
    return everything


def run(env: dict[str, str], size: tuple[int, int], *argv: str) -> Shell:
    session = Shell(env, width=size[0], height=size[1])
    session.start_shell([*WARROOM, *argv])
    return session


@pytest.mark.parametrize("size", [WIDE, NARROW], ids=["120x36", "80x24"])
def test_the_first_command_then_q_ends_with_exit_0(home, size):
    session = run(home, size, "demo")
    try:
        session.wait_for(DEMO_TITLE)
        session.wait_for("Timeline")
        quit_with(session, "q")
    finally:
        session.kill_server()
    assert not real_db(home).exists(), "the demo touched the real database"


@pytest.mark.parametrize(
    ("opened", "shown"),
    [("?", "Change severity - "), ("n", "Add timeline note")],
    ids=["help", "note-dialog"],
)
def test_quit_from_over_the_console_ends_with_exit_0(home, opened, shown):
    session = run(home, NARROW, "demo")
    try:
        session.wait_for(DEMO_TITLE)
        session.keys(opened)
        session.wait_for(shown)
        quit_with(session, "C-q")
    finally:
        session.kill_server()


@pytest.fixture
def declared(request, tmp_path) -> dict[str, str]:
    """INC-1 declared in a SQLite file, or (``indirect`` param ``"postgres"``) in a fresh
    database on the test server."""
    backend = getattr(request, "param", "sqlite")
    db = request.getfixturevalue("pg_dsn") if backend == "postgres" else tmp_path / "w.db"
    env = warroom_env(db, tmp_path / "config")
    done = run_cli(env, "declare", "Checkout 500s", "--severity", "SEV-2")
    assert done.returncode == 0, done.stderr
    return env


@pytest.mark.parametrize("argv", [(), ("attach", "INC-1")], ids=["no verb", "attach"])
def test_the_console_then_q_ends_with_exit_0(declared, argv):
    session = run(declared, NARROW, *argv)
    try:
        session.wait_for("Checkout 500s")
        session.wait_for("Timeline")
        quit_with(session, "q")
    finally:
        session.kill_server()


@pytest.mark.parametrize("size", [WIDE, NARROW], ids=["120x36", "80x24"])
def test_review_then_q_ends_with_exit_0(declared, size):
    session = run(declared, size, "review", "INC-1")
    try:
        session.wait_for("READ-ONLY")
        quit_with(session, "q")
    finally:
        session.kill_server()


@pytest.mark.parametrize("declared", ["sqlite", "postgres"], indirect=True)
def test_postmortem_after_saving_a_field_ends_with_exit_0(declared):
    """``warroom postmortem`` on a file and on a server incident: a field saved is in the
    report, and the write-up ends with exit 0."""
    session = run(declared, WIDE, "postmortem", "INC-1")
    try:
        session.wait_for("Post-mortem write-up")
        session.keys("Pool exhausted by a leak", literal=True)
        session.keys("Enter")
        session.wait_for("Saved #")
        quit_with(session, "C-q")
    finally:
        session.kill_server()
    report = run_cli(declared, "report", "INC-1")
    assert report.returncode == 0 and "Pool exhausted by a leak" in report.stdout
