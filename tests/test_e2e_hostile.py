"""End to end: a log source that prints hostile bytes cannot reach the IC's terminal.

The real app runs in tmux (160x40, the Logs pane visible bottom-left) and tails a file of
terminal attacks and oddities: Rich markup, OSC 0/2 title sets, an OSC 52 clipboard write,
clear screen, full reset, a C1 CSI, a bidi override, a NUL, invalid UTF-8 and a 1 MB line.
Every byte the app writes to the terminal is recorded with ``tmux pipe-pane``; none of the
sequences may be in it, the title must stay ours, the markup must show as typed, the line
after the 1 MB one must be captured, and the console must still answer keys.
"""

from __future__ import annotations

import shlex
import sqlite3
import time
from pathlib import Path

import pytest

from feeds.lines import MAX_LINE
from tests.tmux_driver import WARROOM, Tmux, have_tmux, run_cli, warroom_env

pytestmark = [pytest.mark.tmux, pytest.mark.skipif(not have_tmux(), reason="tmux is not installed")]

BIG = 1_000_000
MARKUP = "markup [bold red]x[/] and [link=http://evil]y[/link] as typed"
# The last lines are the ones on screen (the view follows the end, 9 rows at 160x40): every
# attack is among them, so each one is drawn, and the recorded output means something.
LINES = [
    b"hostile-start: a normal line",
    b"before-the-big-line",
    b"BIG" + b"x" * (BIG - 3),
    b"after-the-big-line",
    b"osc0 \x1b]0;PWNED\x07 title",
    b"osc2 \x1b]2;PWNED\x1b\\ title",
    b"osc52 \x1b]52;c;UFdORUQ=\x07 clipboard",
    b"clear \x1b[2J screen, reset \x1bc terminal",
    b"c1 \xc2\x9b31m csi, bidi \xe2\x80\xaegnp.exe reversed",  # U+009B, U+202E in UTF-8
    b"nul \x00 byte, bad utf-8 \xff\xfe\xc3\x28 bytes",
    MARKUP.encode(),
    b"hostile-end",
]
# How each attack line looks on screen: every control made a visible symbol.
SHOWN = [
    "osc0 ␛]0;PWNED␇ title",
    "osc2 ␛]2;PWNED␛\\ title",
    "osc52 ␛]52;c;UFdORUQ=␇",
    "clear ␛[2J screen, reset ␛c terminal",
    "c1 ⟨U+009B⟩31m csi, bidi ⟨U+202E⟩gnp.exe",
    "nul ␀ byte, bad utf-8 \ufffd",
]
# What must never reach the terminal (each appears in the file above).
FORBIDDEN = {
    "OSC 0 title": b"\x1b]0;PWNED",
    "OSC 2 title": b"\x1b]2;PWNED",
    "OSC 52 clipboard": b"\x1b]52;",
    "clear screen": b"\x1b[2J",
    "full reset": b"\x1bc",
    "C1 CSI": "\x9b".encode(),
    "bidi override": "\u202e".encode(),
    "NUL": b"\x00",
    "invalid UTF-8": b"\xff",
    "a live link": b"\x1b]8;",
}


def _captured(db: Path, timeout: float = 15.0) -> dict[int, str]:
    """The flood source's captured lines by number, once the last one is stored."""
    deadline = time.monotonic() + timeout
    rows: dict[int, str] = {}
    while time.monotonic() < deadline:
        try:
            with sqlite3.connect(db) as conn:
                rows = dict(conn.execute("SELECT no, text FROM captured_lines"))
        except sqlite3.OperationalError:  # a writer holds the lock: look again
            rows = {}
        if "hostile-end" in rows.values():
            return rows
        time.sleep(0.1)  # (a poll: the capture is read from another process's file)
    raise AssertionError(f"the capture never got to the end: {sorted(rows.values())[:5]}")


def test_hostile_log_lines_stay_on_the_glass(tmp_path):
    db = tmp_path / "w.db"
    env = warroom_env(db, tmp_path / "config")
    hostile = tmp_path / "hostile.log"
    hostile.write_bytes(b"\n".join(LINES) + b"\n")
    assert run_cli(env, "declare", "Hostile logs", "--severity", "SEV-2").returncode == 0
    done = run_cli(
        env,
        "tail",
        "INC-1",
        "--cmd",
        f"cat {shlex.quote(str(hostile))}; sleep 600",
        "--name",
        "hostile",
    )
    assert done.returncode == 0, done.stderr

    tty = tmp_path / "tty.bytes"
    tty.touch()
    session = Tmux(env, width=160, height=40)
    # A title of our own first (tmux takes pane_title from OSC 2), then the console.
    launch = "printf '\\033]2;KNOWN\\033\\\\'; exec " + " ".join(
        shlex.quote(a) for a in [*WARROOM, "attach", "INC-1"]
    )
    session.start(["sh", "-c", launch])
    try:
        session.tmux("pipe-pane", "-o", "-t", "0", f"cat >> {shlex.quote(str(tty))}")
        screen = session.wait_for("hostile-end", timeout=20)
        for shown in [*SHOWN, MARKUP, "after-the-big-line"]:
            assert shown in screen, f"{shown!r} is not on screen:\n{screen}"

        title = session.tmux("display-message", "-p", "-t", "0", "#{pane_title}").strip()
        assert "PWNED" not in title
        assert title == "KNOWN"

        rows = _captured(db)
        by_text = {text: no for no, text in rows.items()}
        big = [no for no, text in rows.items() if text.startswith("BIG")]
        assert len(big) == 1  # cut to its head, with a marker saying how much was cut
        assert rows[big[0]].endswith(f"... [{BIG - MAX_LINE:,} bytes cut]")
        assert by_text["before-the-big-line"] == big[0] - 1
        assert by_text["after-the-big-line"] == big[0] + 1
        assert by_text[MARKUP] == big[0] + 8
        assert not any(
            c in text for text in rows.values() for c in ("\x1b", "\x00", "\x07", "\x9b", "\u202e")
        ), "a raw control was stored"
        assert "osc0 ␛]0;PWNED␇ title" in rows.values()

        # The console still answers: help, then the note dialog.
        session.keys("?")
        session.wait_for("In the panes", timeout=10)
        session.keys("Escape")
        session.keys("n")
        session.wait_for("Add timeline note", timeout=10)
        session.keys("Escape")
        time.sleep(0.3)  # the last frames reach the pipe
        title = session.tmux("display-message", "-p", "-t", "0", "#{pane_title}").strip()
        assert title == "KNOWN"
    finally:
        session.kill_server()

    written = tty.read_bytes()
    assert b"hostile-end" in written, "pipe-pane recorded nothing"
    for shown in ("␛]0;PWNED␇", "␛]2;PWNED␛\\", "␛]52;", "␛[2J", "␛c", "⟨U+202E⟩"):
        assert shown.encode() in written, f"{shown!r} was never drawn: the check is void"
    leaked = [name for name, seq in FORBIDDEN.items() if seq in written]
    assert leaked == [], f"reached the terminal: {leaked}"
