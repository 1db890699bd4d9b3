"""The terminal file never raises once the terminal is gone (a dead writer thread would
hang the app's exit)."""

from __future__ import annotations

import errno

from tui.driver import GoneSafeTerminal


class DeadTerminal:
    def __init__(self) -> None:
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        raise OSError(errno.EIO, "Input/output error")

    def flush(self) -> None:
        raise OSError(errno.EIO, "Input/output error")

    def fileno(self) -> int:
        return 2


def test_writes_and_flushes_after_a_hangup_go_nowhere():
    dead = DeadTerminal()
    term = GoneSafeTerminal(dead)
    assert term.write("\x1b[?1049l") == len("\x1b[?1049l")
    assert term.gone
    term.flush()
    term.write("more")
    assert dead.writes == 1  # once gone, it stops trying
    assert term.fileno() == 2  # everything else passes through


def test_a_live_terminal_is_written_to(tmp_path):
    with (tmp_path / "t").open("w") as f:
        term = GoneSafeTerminal(f)
        term.write("hello")
        term.flush()
        assert not term.gone
    assert (tmp_path / "t").read_text() == "hello"
