"""End to end at 80x24, in tmux: an incident with an update overdue keeps its title on the
status bar's one line, and notices (three notes saved in a row) leave the timeline's rows
in view. Both defects were seen only in a real terminal of that size."""

from __future__ import annotations

import pytest

from tests.console_support import seed_sync
from tests.tmux_driver import WARROOM, Tmux, have_tmux, warroom_env
from tests.waiting import until_sync

pytestmark = [pytest.mark.tmux, pytest.mark.skipif(not have_tmux(), reason="tmux is not installed")]


def test_at_80x24_the_title_stays_and_notices_leave_the_timeline_in_view(tmp_path):
    db = tmp_path / "w.db"
    seed_sync(db)  # the demo incident, long ago: updates overdue, the phase over budget
    session = Tmux(warroom_env(db, tmp_path / "config"), width=80, height=24)
    session.start([*WARROOM, "attach", "INC-1"])
    try:
        screen = session.wait_for("OVERDUE", timeout=20)
        session.wait_for("Leak traced to")
        bar = session.screen().splitlines()[0]
        for shown in ("SEV-1", "MITIGATED", "OVERDUE", "Checkout API"):
            assert shown in bar, (shown, screen)
        assert "Timeline" in session.screen().splitlines()[1]  # (no second line of the bar)

        for n in (1, 2, 3):  # three saves in a row: three "Saved" notices at once
            session.keys("n")
            session.wait_for("Add timeline note")
            session.keys(f"Narrow note {n}", literal=True)
            session.keys("Enter")
            session.wait_for(f"Narrow note {n}")

        def notice_on_top() -> list[str] | None:
            lines = session.screen().splitlines()
            return lines if any("Saved #" in line for line in lines[:3]) else None

        lines = until_sync(notice_on_top, what="a notice at the top", poll=0.05)
        assert sum("Saved #" in line for line in lines) == 1, "\n".join(lines)
        assert all("Saved #" not in line for line in lines[3:]), "\n".join(lines)
        for n in (1, 2, 3):  # the newest rows are all in view, under no notice
            assert any(f"Narrow note {n}" in line for line in lines), "\n".join(lines)
        assert "Checkout API" in lines[0]
    finally:
        session.kill_server()
