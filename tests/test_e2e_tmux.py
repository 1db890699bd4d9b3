"""End to end, as a person would: the real app in tmux, keys typed, the screen read.

The SSH link drops (the tmux server is killed: SIGHUP), the IC attaches again, and the
note is there; no process of the first session runs on. The note and the half-typed draft
across a drop run on both backends (``env`` with ``"postgres"``: the test server's URL).
"""

from __future__ import annotations

import time

import psutil
import pytest

from tests.tmux_driver import WARROOM, Tmux, have_tmux, run_cli, warroom_env
from tests.waiting import until_sync

pytestmark = [pytest.mark.tmux, pytest.mark.skipif(not have_tmux(), reason="tmux is not installed")]


@pytest.fixture
def env(request, tmp_path):
    """A declared INC-1 in a SQLite file, or (``indirect`` param ``"postgres"``) in a fresh
    database on the test server: the console and the CLI take its URL as ``WARROOM_DB``."""
    backend = getattr(request, "param", "sqlite")
    db = request.getfixturevalue("pg_dsn") if backend == "postgres" else tmp_path / "w.db"
    env = warroom_env(db, tmp_path / "config")
    done = run_cli(env, "declare", "Checkout 500s", "--severity", "SEV-2", "--service", "checkout")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "INC-1"
    return env


def _gone(procs: list[psutil.Process], timeout: float = 5.0) -> list[psutil.Process]:
    _, alive = psutil.wait_procs(procs, timeout=timeout)
    return [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


BOTH = pytest.mark.parametrize("env", ["sqlite", "postgres"], indirect=True)


@BOTH
def test_note_survives_a_dropped_session(env):
    first = Tmux(env)
    first.start([*WARROOM, "attach", "INC-1"])
    try:
        first.wait_for("INC-1")
        first.wait_for("Checkout 500s")
        procs = first.session_processes()
        first.keys("n")
        first.wait_for("Add timeline note")
        first.keys("Pool gone [b]db1[/b]", literal=True)
        first.keys("Enter")
        first.wait_for("Pool gone [b]db1[/b]")
    finally:
        first.kill_server()
    assert _gone(procs) == [], "a process of the dropped session survived"

    second = Tmux(env)
    second.start([*WARROOM, "attach"])
    try:
        second.wait_for("Pool gone [b]db1[/b]")
        second.wait_for("INC-1")
    finally:
        second.kill_server()


def test_a_note_typed_as_the_console_appears_is_saved_whole(env):
    """The first frame comes before the journal is open and the panes: ``n`` and a note
    typed the moment the incident shows go into the note dialog, in order, none lost."""
    session = Tmux(env)
    session.start([*WARROOM, "attach"])
    try:
        session.wait_for("Checkout 500s", poll=0.01)  # the moment the incident shows
        session.keys("n", pause=0.05)
        session.keys("Typed at once [b]x[/b]", literal=True, pause=0.0)
        session.keys("Enter", pause=0.0)
        session.wait_for("Saved #2")
        screen = session.wait_for("Typed at once [b]x[/b]")
        assert "Add timeline note" not in screen
    finally:
        session.kill_server()
    report = run_cli(env, "report", "INC-1")
    assert report.returncode == 0, report.stderr
    assert r"Typed at once \[b\]x\[/b\]" in report.stdout  # (Markdown-escaped)


@pytest.mark.parametrize("after", [0.0, 0.1, 0.2])
def test_a_console_dropped_as_it_appears_leaves_no_process(env, after):
    """The link drops while the first frame is up and the journal is still opening: the
    console ends, and nothing it opened (a store thread, a source) keeps a process alive."""
    session = Tmux(env)
    session.start([*WARROOM, "attach"])
    try:
        session.wait_for("Checkout 500s", poll=0.01)  # the moment the incident shows
        procs = session.session_processes()
        time.sleep(after)  # (not a wait: how long after the first frame the link drops)
    finally:
        session.kill_server()
    assert procs and _gone(procs) == [], "a process of the dropped session survived"


@BOTH
def test_half_typed_note_is_restored_after_a_drop(env):
    first = Tmux(env)
    first.start([*WARROOM, "attach", "INC-1"])
    try:
        first.wait_for("Checkout 500s")
        procs = first.session_processes()
        first.keys("n")
        first.wait_for("Add timeline note")
        first.keys("Rolling back deploy 4", literal=True)
        time.sleep(1.0)  # (not a wait: the autosave's promise is "within a second")
    finally:
        first.kill_server()
    assert _gone(procs) == []

    second = Tmux(env)
    second.start([*WARROOM, "attach", "INC-1"])
    try:
        second.wait_for("Checkout 500s")
        screen = second.wait_for("Rolling back deploy 4")  # reopened by itself, no key
        assert "restored, not saved yet" in screen
    finally:
        second.kill_server()
    # Nothing was saved to the timeline: it was only a draft.
    report = run_cli(env, "report", "INC-1")
    assert "Rolling back deploy 4" not in report.stdout


def test_sigterm_ends_the_console_cleanly(env):
    session = Tmux(env)
    session.start([*WARROOM, "attach", "INC-1"])
    try:
        session.wait_for("Checkout 500s")
        procs = session.session_processes()
        warroom = next(p for p in procs if "tui.cli" in " ".join(p.cmdline()))
        warroom.terminate()
        assert _gone(procs) == []
    finally:
        session.kill_server()


def _source_tree(session: Tmux) -> list[psutil.Process]:
    return [p for p in session.session_processes() if "sleep" in " ".join(p.cmdline())]


def _wait_for_children(session: Tmux, timeout: float = 10.0) -> list[psutil.Process]:
    return until_sync(
        lambda: _source_tree(session), timeout=timeout, poll=0.1, what="the source started"
    )


def test_a_dropped_session_ends_its_log_sources(env):
    assert (
        run_cli(env, "tail", "INC-1", "--cmd", "sleep 300 | cat", "--name", "pipe").returncode == 0
    )
    session = Tmux(env)
    session.start([*WARROOM, "attach", "INC-1"])
    try:
        session.wait_for("running")
        procs = session.session_processes()
        children = _wait_for_children(session)
    finally:
        session.kill_server()  # SIGHUP, as when the SSH link drops
    assert _gone(procs + children) == []


def test_sigkill_of_the_console_takes_its_sources_down(env):
    assert (
        run_cli(env, "tail", "INC-1", "--cmd", "sleep 300 | cat", "--name", "pipe").returncode == 0
    )
    session = Tmux(env)
    session.start([*WARROOM, "attach", "INC-1"])
    try:
        session.wait_for("running")
        children = _wait_for_children(session)
        console = next(p for p in session.session_processes() if "tui.cli" in " ".join(p.cmdline()))
        console.kill()
        assert _gone(children, timeout=5) == [], "sources outlived a SIGKILLed console"
    finally:
        session.kill_server()
