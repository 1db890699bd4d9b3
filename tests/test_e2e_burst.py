"""End to end, in tmux: keys that arrive in one read act as if typed slowly. Each burst is
one ``tmux send-keys`` call, so the console reads it in one go (as from a paste, a laggy
SSH link, or a console busy with a flood)."""

from __future__ import annotations

import pytest

from tests.tmux_driver import WARROOM, Tmux, have_tmux, run_cli, warroom_env

pytestmark = [pytest.mark.tmux, pytest.mark.skipif(not have_tmux(), reason="tmux is not installed")]

LINES = "printf 'line 1 exception\\nline 2 exception\\nan error here\\n'; exec sleep 300"


@pytest.fixture
def env(tmp_path):
    env = warroom_env(tmp_path / "w.db", tmp_path / "config")
    done = run_cli(env, "declare", "Checkout 500s", "--severity", "SEV-2", "--service", "checkout")
    assert done.returncode == 0, done.stderr
    return env


def burst(session: Tmux, *keys: str) -> None:
    """Everything in one ``send-keys``: one write to the console's terminal."""
    session.tmux("send-keys", "-t", "0", *keys)


def note_row(env: dict[str, str], text: str) -> str:
    report = run_cli(env, "report", "INC-1")
    assert report.returncode == 0, report.stderr
    return next((line for line in report.stdout.splitlines() if text in line), "")


@pytest.mark.parametrize("when", ["ready", "as it appears"])
def test_a_note_typed_in_one_write_fills_each_field(env, when):
    """``n``, text, Tab, text, Enter in one write: the event and the action taken (both
    texts used to land in the event field, or the first letters were lost)."""
    session = Tmux(env)
    session.start([*WARROOM, "attach", "INC-1"])
    try:
        if when == "ready":
            session.wait_for("n Note")  # the footer: every pane is there
        else:
            session.wait_for("Checkout 500s", poll=0.01)  # the moment the incident shows
        burst(session, "n", "Pool gone", "Tab", "restarted db1", "Enter")
        session.wait_for("Saved #2")
        screen = session.wait_for("Pool gone")
        assert "Add timeline note" not in screen
    finally:
        session.kill_server()
    row = note_row(env, "Pool gone")
    assert "restarted db1" in row and "Pool gonerestarted" not in row, row


@pytest.mark.parametrize(
    ("keys", "shown"),
    [(("/exception", "Enter"), "paused"), (("&error", "Enter"), 'filter "error" (regex)')],
    ids=["search", "filter"],
)
def test_a_search_typed_in_one_write_after_3_goes_into_the_log_pane(env, keys, shown):
    """``3``, then ``/exception`` Enter (or ``&error`` Enter) in one write: the search (or
    filter) applies; the letters never stop (``x``) or rerun (``r``) the source, nor open
    the contacts (``c``) or a correction (``e``)."""
    assert run_cli(env, "tail", "INC-1", "--cmd", LINES, "--name", "pipe").returncode == 0
    session = Tmux(env)
    session.start([*WARROOM, "attach", "INC-1"])
    try:
        session.wait_for("3 an error here")  # (the line, numbered: the command names it too)
        session.wait_for("n Note")
        session.keys("3", pause=0.0)
        session.wait_for("/ Search")  # the log pane's keys, in the footer: at once
        burst(session, *keys)
        screen = session.wait_for(shown)
        assert "● running" in screen, screen
        for other in ("Emergency contacts", "Correct entry", "stopped", "already running"):
            assert other not in screen, screen
    finally:
        session.kill_server()
    ledger = run_cli(env, "report", "INC-1")
    assert "pipe stopped" not in ledger.stdout and "restarted" not in ledger.stdout


def test_after_3_the_log_pane_s_keys_act_at_once(env):
    """After ``3`` the log pane's keys act without a Tab first (typed slowly here): the
    focus is in the shown source's view, not on the tab strip."""
    assert run_cli(env, "tail", "INC-1", "--cmd", LINES, "--name", "pipe").returncode == 0
    session = Tmux(env)
    session.start([*WARROOM, "attach", "INC-1"])
    try:
        session.wait_for("3 an error here")  # (the line, numbered: the command names it too)
        session.wait_for("n Note")
        session.keys("3")
        session.wait_for("/ Search")  # the log pane's keys, in the footer
        session.keys("&")
        session.wait_for("show only lines matching")
        session.keys("error", literal=True)
        session.keys("Enter")
        screen = session.wait_for('filter "error" (regex) 1 of 3 lines')
        assert " 1 line 1 exception" not in screen  # (its number, then the line)
    finally:
        session.kill_server()
