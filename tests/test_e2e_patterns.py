"""End to end: no pattern, stored or typed, can freeze the console (the real app in tmux).

The issue's case: ``warroom tail INC --grep '(a+)+$' FILE`` over lines of 34 ``a`` and a
``!``, then attach. With Python's ``re`` the status bar's clock stopped, ``q`` did nothing
and SIGTERM and SIGHUP were ignored; the pane's ``/`` search froze it for seconds too.
"""

from __future__ import annotations

import re

import psutil
import pytest

from tests.tmux_driver import WARROOM, Tmux, have_tmux, run_cli, warroom_env
from tests.waiting import until_sync

pytestmark = [pytest.mark.tmux, pytest.mark.skipif(not have_tmux(), reason="tmux is not installed")]

HOSTILE = "(a+)+$"


def _elapsed(screen: str) -> str | None:
    m = re.search(r"⏱ (\d[\d:]*)", screen)
    return m.group(1) if m else None


def _clock_moves(session: Tmux, timeout: float = 15.0) -> None:
    """The status bar's elapsed clock changes (it stops when the loop is frozen)."""
    first = _elapsed(session.wait_for("⏱"))
    until_sync(
        lambda: _elapsed(session.screen()) not in (None, first),
        timeout=timeout,
        poll=0.1,
        what=f"the clock moved from {first}",
        seen=session.screen,
    )


def _console(session: Tmux) -> psutil.Process:
    return next(p for p in session.session_processes() if "tui.cli" in " ".join(p.cmdline()))


def test_a_catastrophic_pattern_neither_freezes_the_console_nor_its_signals(tmp_path):
    env = warroom_env(tmp_path / "w.db", tmp_path / "config")
    log = tmp_path / "hostile.log"
    log.write_text(("a" * 34 + "!\n") * 3000 + "tail-line " + "a" * 34 + "\n")
    assert run_cli(env, "declare", "Regex", "--severity", "SEV-2").returncode == 0
    done = run_cli(env, "tail", "INC-1", "--grep", HOSTILE, str(log), "--name", "hostile")
    assert done.returncode == 0, done.stderr

    session = Tmux(env, width=160, height=40)
    session.start([*WARROOM, "attach", "INC-1"])
    try:
        session.wait_for("tail-line", timeout=20)  # the grep went through the whole file
        _clock_moves(session)
        # The pane's search with the same pattern, over 3,000 lines that end in "!".
        session.keys("3")  # (the focus goes into the shown log: its keys act at once)
        session.keys("/")
        session.keys(HOSTILE, literal=True)
        session.keys("Enter")
        _clock_moves(session)
        session.keys("?")
        session.wait_for("In the panes", timeout=10)
        session.keys("Escape")
        console = _console(session)
        console.terminate()  # SIGTERM is honoured at once
        _gone, alive = psutil.wait_procs([console], timeout=10)
        assert not alive, "the console ignored SIGTERM"
    finally:
        session.kill_server()


def test_a_source_that_breaks_every_console_is_stopped_from_the_cli(tmp_path):
    """``warroom tail INC --stop NAME`` ends a source in the console that runs it."""
    env = warroom_env(tmp_path / "w.db", tmp_path / "config")
    assert run_cli(env, "declare", "Stop me", "--severity", "SEV-2").returncode == 0
    assert (
        run_cli(env, "tail", "INC-1", "--cmd", "sleep 600 | cat", "--name", "sleeper").returncode
        == 0
    )
    session = Tmux(env, width=160, height=40)
    session.start([*WARROOM, "attach", "INC-1"])
    try:
        session.wait_for("● running", timeout=20)
        sleepers = until_sync(
            lambda: [
                p for p in session.session_processes() if "sleep 600" in " ".join(p.cmdline())
            ],
            timeout=10,
            poll=0.1,
            what="the source's sleep running",
        )
        done = run_cli(env, "tail", "INC-1", "--stop", "sleeper")
        assert done.returncode == 0, done.stderr
        session.wait_for("■ stopped", timeout=10)
        _, alive = psutil.wait_procs(sleepers, timeout=10)
        assert not alive, "the source's processes outlived its stop"
        listed = run_cli(env, "tail", "INC-1", "--list").stdout
        assert "stopped" in listed
    finally:
        session.kill_server()
