"""End to end, in tmux at 80x24: a log pane's filter says how it read the text, and ctrl+t
in the bar (as a terminal sends it, through tmux) flips the reading."""

from __future__ import annotations

import pytest

from tests.tmux_driver import WARROOM, Tmux, have_tmux, run_cli, warroom_env

pytestmark = [pytest.mark.tmux, pytest.mark.skipif(not have_tmux(), reason="tmux is not installed")]

LINES = (
    "printf '[notice] up\\n[error] disk full\\n[notice] retry\\n[error] write failed\\n"
    "[notice] done\\n'; exec sleep 300"
)


def test_ctrl_t_flips_the_filter_s_reading_at_80x24(tmp_path):
    env = warroom_env(tmp_path / "w.db", tmp_path / "config")
    assert run_cli(env, "declare", "Disk", "--severity", "SEV-2").returncode == 0
    assert run_cli(env, "tail", "INC-1", "--cmd", LINES, "--name", "app").returncode == 0
    session = Tmux(env, width=80, height=24)
    session.start([*WARROOM, "attach", "INC-1"])
    try:
        session.wait_for("n Note")
        session.keys("3")
        session.wait_for("[notice] done")
        session.keys("&")
        session.wait_for("ctrl+t toggles")  # the bar's placeholder says how
        session.keys("[error]", literal=True)
        session.wait_for("filter reads as literal; ~ for regex")
        session.keys("Enter")
        screen = session.wait_for('filter "[error]" (literal; ~ for regex) 2 of 5 lines')
        assert "3 [notice] retry" not in screen, screen  # (its number, then the line)
        session.keys("&")
        session.wait_for("filter reads as literal")
        session.keys("C-t")
        session.wait_for("filter reads as regex")
        session.keys("Enter")
        screen = session.wait_for('filter "~[error]" (regex) passes all 5 lines')
        assert "3 [notice] retry" in screen, screen
    finally:
        session.kill_server()
