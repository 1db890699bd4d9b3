"""Counts in words (incident/words.py)."""

from __future__ import annotations

import pytest

from incident.words import plural


@pytest.mark.parametrize(
    ("n", "args", "said"),
    [
        (0, ("minute",), "0 minutes"),
        (1, ("minute",), "1 minute"),
        (2, ("line",), "2 lines"),
        (1204, ("line",), "1,204 lines"),
        (1, ("match", "matches"), "1 match"),
        (3, ("match", "matches"), "3 matches"),
    ],
)
def test_plural(n, args, said):
    assert plural(n, *args) == said


def test_a_log_pane_counts_its_lines_in_words():
    """The pane's status line: "1 line", not "1 lines" (its own source and one another
    console runs)."""
    from types import SimpleNamespace

    from feeds.source import SourceStats
    from incident.ports import Holder
    from session.sources import SourceRunner

    runner = SourceRunner(SimpleNamespace(read_only=False), None, None)  # type: ignore[arg-type]
    stats = SourceStats("s1", "running", None, 0.0, 0, 0, 0.0, 1)
    runner.live["s1"] = SimpleNamespace(stats=lambda: stats)  # type: ignore[assignment]
    assert runner.stats_line("s1").endswith(" · 1 line")
    runner.following["s2"] = Holder("t", 4242, 0.0, "@alice")
    assert runner.stats_line("s2") == "in @alice's console (pid 4242) · 0 lines"
