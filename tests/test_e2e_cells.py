"""End to end: tabs and wide characters from a real log reach a real terminal whole.

The real app runs in tmux (160x40, the Logs pane bottom-left) and tails a file. A raw tab
used to go to the terminal, which moved the cursor to its own tab stop: characters were
left over from earlier frames and the pane's right border went missing on every Java stack
trace. Wide characters (CJK, emoji) were counted as one cell each: wrapped rows lost their
ends. capture-pane shows what the terminal holds: every row of the pane keeps its right
border in the same column, and every character of the lines arrives, in order.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from rich.cells import cell_len

from session.cells import expand_tabs
from tests.tmux_driver import WARROOM, Tmux, have_tmux, run_cli, warroom_env
from tests.waiting import until_sync

pytestmark = [pytest.mark.tmux, pytest.mark.skipif(not have_tmux(), reason="tmux is not installed")]

BORDER = "││"  # the Logs pane's right edge, then the Comms pane's left one


def _start(tmp_path: Path, lines: list[str]) -> Tmux:
    db = tmp_path / "w.db"
    env = warroom_env(db, tmp_path / "config")
    log = tmp_path / "app.log"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run_cli(env, "declare", "Cells", "--severity", "SEV-2").returncode == 0
    done = run_cli(
        env, "tail", "INC-1", "--cmd", f"cat {shlex.quote(str(log))}; sleep 600", "--name", "app"
    )
    assert done.returncode == 0, done.stderr
    session = Tmux(env, width=160, height=40)
    session.start([*WARROOM, "attach", "INC-1"])
    return session


def _log_rows(screen: str) -> list[str]:
    """The rows of the Logs pane's log view: after the command line, above its bottom."""
    rows = screen.split("\n")
    top = next(i for i, row in enumerate(rows) if "$ cat " in row)
    bottom = next(i for i in range(top, len(rows)) if rows[i].startswith("╰"))
    return rows[top + 1 : bottom]


def _edge(screen: str) -> int:
    """The cell column of the Logs pane's right edge, from its top border."""
    top = next(row for row in screen.split("\n") if row.startswith("╭─ Logs"))
    return cell_len(top[: top.index("╮╭")])


def _border_columns(rows: list[str]) -> set[int]:
    """The cell column of the pane's right border on each row (one value when intact)."""
    return {cell_len(row[: row.index(BORDER)]) if BORDER in row else -1 for row in rows}


def _bodies(rows: list[str]) -> list[str]:
    """What each row of the view shows after the gutter (8 cells), trailing blanks gone."""
    return [row[1 : row.index(BORDER)][8:].rstrip(" ") for row in rows if BORDER in row]


def test_tabs_reach_the_terminal_as_spaces_to_the_next_stop(tmp_path):
    lines = [
        "plain-ref " + "p" * 30,
        'Exception in thread "main" java.lang.IllegalStateException: boom',
        "\tat com.example.Main.run(Main.java:42)",
        "\tat com.example.Main.main(Main.java:7)\tTAB-2",
        "a\tbb\tccc\tdddd\teeeee\t|",
        "🔥fire\t🔥\t日本\tWIDE-TAB-END",
        "last-line",
    ]
    session = _start(tmp_path, lines)
    try:
        session.wait_for("last-line", timeout=20)
        rows = until_sync(
            lambda: (
                (r := _log_rows(s := session.screen())) and _border_columns(r) == {_edge(s)} and r
            ),
            timeout=10,
            what="every row of the Logs pane with its right border where its top border ends",
            seen=lambda: session.screen(),
        )
        shown = _bodies(rows)
        for line in lines:
            assert expand_tabs(line) in shown, f"{expand_tabs(line)!r} not whole in {shown}"
        assert all(cell_len(row) == 160 for row in rows)  # (the Comms pane ends each)
        assert not any("\t" in row for row in session.screen().split("\n"))
        after = shown[shown.index("last-line") + 1 :]
        assert after and all(body == "" for body in after)  # nothing left over below
    finally:
        session.kill_server()


def test_wide_characters_wrap_whole_in_a_real_terminal(tmp_path):
    cjk = "".join(chr(0x4E00 + i) for i in range(240))
    emoji = "🔥🚨✅" * 30
    lines = ["CJK:" + cjk, "EMOJI:" + emoji, "last-line"]  # 10 rows wrapped: all in view
    session = _start(tmp_path, lines)
    try:
        session.wait_for("last-line", timeout=20)
        session.keys("3")  # the Logs pane, then wrap
        session.keys("w")
        rows = until_sync(
            lambda: (
                (r := _log_rows(session.screen()))
                and "".join(_bodies(r)).count("last-line")
                and "CJK:" + cjk in "".join(_bodies(r))
                and r
            ),
            timeout=10,
            what="all of the CJK line wrapped on screen",
            seen=lambda: session.screen(),
        )
        joined = "".join(_bodies(rows))
        assert joined == "CJK:" + cjk + "EMOJI:" + emoji + "last-line", joined
        assert _border_columns(rows) == {_edge(session.screen())}
        assert all(cell_len(row) == 160 for row in rows)  # (the Comms pane ends each)
    finally:
        session.kill_server()
