"""End to end: a log file whose last line has no newline (13 of 16 production logs end so).

The real app runs in tmux and follows the file with a grep source and with ``tail -F``: the
unfinished last line shows in the pane once the file has been idle a moment; when the rest
of the line is written, the pane shows the whole line in its place, once, and the capture
holds it once, whole.
"""

from __future__ import annotations

import shlex
import sqlite3
from pathlib import Path

import pytest

from tests.tmux_driver import WARROOM, Tmux, have_tmux, run_cli, warroom_env
from tests.waiting import until_sync

pytestmark = [pytest.mark.tmux, pytest.mark.skipif(not have_tmux(), reason="tmux is not installed")]


def _captured(db: Path) -> list[str]:
    try:
        with sqlite3.connect(db) as conn:
            return [t for (t,) in conn.execute("SELECT text FROM captured_lines ORDER BY no")]
    except sqlite3.OperationalError:  # a writer holds the lock: look again
        return []


@pytest.mark.parametrize("kind", ["grep", "tail -F"])
def test_an_unfinished_last_line_shows_then_is_completed_in_place(tmp_path, kind):
    db = tmp_path / "w.db"
    env = warroom_env(db, tmp_path / "config")
    log = tmp_path / "app.log"
    log.write_text("INFO boot\nERROR first\nERROR last, unfinished")
    assert run_cli(env, "declare", "Unfinished lines", "--severity", "SEV-2").returncode == 0
    if kind == "grep":
        how = ["--grep", "ERROR", str(log), "--name", "errors"]
        first, last = "app.log:2: ERROR first", "app.log:3: ERROR last, unfinished"
    else:
        how = ["--cmd", f"tail -n +1 -F {shlex.quote(str(log))}", "--name", "tail"]
        first, last = "ERROR first", "ERROR last, unfinished"
    done = run_cli(env, "tail", "INC-1", *how)
    assert done.returncode == 0, done.stderr

    session = Tmux(env, width=160, height=40)
    session.start([*WARROOM, "attach", "INC-1"])
    try:
        screen = session.wait_for(last, timeout=20)  # shown, though it has no newline
        assert first in screen and screen.count("ERROR last") == 1
        with log.open("a") as f:
            f.write(" and now finished\nINFO after\n")
        whole = f"{last} and now finished"
        screen = session.wait_for(whole, timeout=10)
        assert screen.count("ERROR last") == 1, screen  # in place of its start, not twice
        rows = until_sync(
            lambda: (got := _captured(db)) and any("and now finished" in t for t in got) and got,
            what="the finished line captured",
            seen=lambda: _captured(db),
        )
        assert [t for t in rows if "ERROR last" in t] == [whole]  # once, whole
    finally:
        session.kill_server()
