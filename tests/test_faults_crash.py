"""Crashes: a console SIGKILLed at random moments while CLI writers write loses nothing.

Each round (tests/fault_harness.py) attaches the real console in tmux to an incident with a
shell-loop log source, runs ``warroom note`` writers in subprocesses, sometimes types a note
into the console, and SIGKILLs the console at a random moment (sometimes while it is still
starting). After each round: every acknowledged event is stored, ``PRAGMA integrity_check``
is ok, no process of the killed console runs on, and the console attaches again.

The default run does a few rounds; ``WARROOM_SLOW=1`` does 50 (docs/reliability.md has the
figures of the full runs). ``WARROOM_CRASH_SEED`` replays a failing run.

Both backends (``db_target``): the SQLite file, then a database on the test server, where the
default run does two rounds (each round on the server starts consoles and CLI processes
that connect: the suite's time); ``WARROOM_SLOW=1`` runs the full count on both.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from storage.dsn import ServerDsn
from tests.fault_harness import SLOW, record_figures, run, scale
from tests.tmux_driver import have_tmux

pytestmark = [pytest.mark.tmux, pytest.mark.skipif(not have_tmux(), reason="tmux is not installed")]

ROUNDS = int(os.environ.get("WARROOM_CRASH_ROUNDS", scale(4, 50)))


SERVER_ROUNDS = int(os.environ.get("WARROOM_CRASH_ROUNDS", scale(2, 50)))


def where(target: Path | ServerDsn) -> tuple[str, str | None]:
    """The backend's name, and the server's URL (None: the harness's own SQLite file)."""
    return ("postgres", target.dsn) if isinstance(target, ServerDsn) else ("sqlite", None)


@pytest.mark.skipif(SLOW, reason="the full run (test_sigkill_rounds_full) replaces it")
def test_sigkill_rounds(tmp_path, db_target):
    backend, db = where(db_target)
    rounds = SERVER_ROUNDS if db else ROUNDS
    seed = os.environ.get("WARROOM_CRASH_SEED")
    figures = run(tmp_path, rounds, seed=int(seed) if seed else None, db=db)
    record_figures("crash", backend=backend, **figures)
    assert figures["rounds_survived"] == rounds
    assert figures["acknowledged_cli_events"] > 0


@pytest.mark.slow
@pytest.mark.skipif(not SLOW, reason="long run: set WARROOM_SLOW=1")
def test_sigkill_rounds_full(tmp_path, db_target):
    backend, db = where(db_target)
    seed = os.environ.get("WARROOM_CRASH_SEED")
    figures = run(tmp_path, max(ROUNDS, 50), seed=int(seed) if seed else None, db=db)
    record_figures("crash", backend=backend, **figures)
    assert figures["rounds_survived"] >= 50
