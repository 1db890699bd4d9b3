"""End to end: a program's colours are drawn as colours, and nothing else it writes is obeyed.

The real app runs in tmux (160x40) and tails a file whose line holds ``ESC[31mred ESC[0m``
beside a clear-screen ``ESC[2J``. On the screen (``capture-pane``) "red" shows without its
code, and ``capture-pane -e`` shows a colour set around it (Rich's own rendering of the
style); the clear-screen shows as the visible ``␛[2J`` and never reaches the terminal (all
the app writes is recorded with ``pipe-pane``). The capture store keeps the line as it came.
"""

from __future__ import annotations

import re
import shlex
import sqlite3
import time

import pytest

from tests.tmux_driver import WARROOM, Tmux, have_tmux, run_cli, warroom_env

pytestmark = [pytest.mark.tmux, pytest.mark.skipif(not have_tmux(), reason="tmux is not installed")]

LINES = [
    b"sgr-start a plain line",
    b"colours: \x1b[31mred\x1b[0m and clear \x1b[2J screen, \x1b[1;38;5;208mbold-orange\x1b[m end",
    b"sgr-end",
]
SHOWN = "colours: red and clear ␛[2J screen, bold-orange end"
SGR = re.compile(r"\x1b\[([0-9;:]*)m")


def _sgr_before(row: str, word: str) -> list[str]:
    """The parameters of the SGR sequences between the previous visible text and ``word``
    in a ``capture-pane -e`` row."""
    head = row[: row.index(word)]
    found = []
    for m in reversed(list(SGR.finditer(head))):
        if m.end() != len(head) and not head[m.end() :].startswith("\x1b"):
            break
        found.append(m[1])
        head = head[: m.start()]
    return found


def _codes(params: list[str]) -> set[int]:
    """The SGR codes of some sequences' parameters (a colour's own numbers left out)."""
    codes: set[int] = set()
    for p in params:
        numbers = [int(n) if n else 0 for n in re.split("[;:]", p)]
        i = 0
        while i < len(numbers):
            codes.add(numbers[i])
            if numbers[i] in (38, 48) and i + 1 < len(numbers):
                i += 3 if numbers[i + 1] == 5 else 5
            else:
                i += 1
    return codes


def _stored(db, prefix: str, timeout: float = 15.0) -> bool:
    """The capture store holds a line starting with ``prefix`` (it is written in batches)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with sqlite3.connect(db) as conn:
                texts = [t for (t,) in conn.execute("SELECT text FROM captured_lines")]
        except sqlite3.OperationalError:  # a writer holds the lock: look again
            texts = []
        if any(t.startswith(prefix) for t in texts):
            return True
        time.sleep(0.1)  # (a poll: the capture is another process's file)
    return False


def test_a_programs_colour_is_drawn_and_its_other_escapes_shown(tmp_path):
    db = tmp_path / "w.db"
    env = warroom_env(db, tmp_path / "config")
    log = tmp_path / "coloured.log"
    log.write_bytes(b"\n".join(LINES) + b"\n")
    assert run_cli(env, "declare", "Coloured logs", "--severity", "SEV-2").returncode == 0
    done = run_cli(
        env, "tail", "INC-1", "--cmd", f"cat {shlex.quote(str(log))}; sleep 600", "--name", "c"
    )
    assert done.returncode == 0, done.stderr

    tty = tmp_path / "tty.bytes"
    tty.touch()
    session = Tmux(env, width=160, height=40)
    session.start([*WARROOM, "attach", "INC-1"])
    try:
        session.tmux("pipe-pane", "-o", "-t", "0", f"cat >> {shlex.quote(str(tty))}")
        screen = session.wait_for("sgr-end", timeout=20)
        assert SHOWN in screen, screen
        assert "␛[31m" not in screen and "␛[0m" not in screen and "␛[m" not in screen

        coloured = session.tmux("capture-pane", "-e", "-p", "-t", "0")
        row = next(r for r in coloured.splitlines() if "red" in r and "bold-orange" in r)
        assert _sgr_before(row, "red"), f"no colour set before 'red': {row!r}"
        assert _sgr_before(row, " and clear"), f"the colour is not ended after 'red': {row!r}"
        assert 1 in _codes(_sgr_before(row, "bold-orange")), f"not bold: {row!r}"
        # The capture is faithful to the source: its codes kept, made visible.
        assert _stored(db, "colours: ␛[31mred␛[0m and clear ␛[2J screen, ␛[1;38;5;208m")
        time.sleep(0.3)  # the last frames reach the pipe
    finally:
        session.kill_server()

    written = tty.read_bytes()
    assert "␛[2J".encode() in written, "the clear-screen was never drawn: the check is void"
    assert b"\x1b[2J" not in written, "a clear-screen from the log reached the terminal"
