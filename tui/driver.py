"""A terminal driver that survives losing its terminal.

Textual writes to the terminal from a writer thread with a bounded queue. When the SSH link
drops or tmux is killed, a write fails with EIO, the writer thread dies, its queue fills,
and the app hangs on its way out (seen in tests: a console that outlived its tmux server,
its log sources with it). Here the terminal file swallows those errors: once the terminal
is gone, output goes nowhere and the app finishes its clean exit (drafts flushed, children
ended, store closed).
"""

from __future__ import annotations

from typing import IO, Any

from textual.drivers.linux_driver import LinuxDriver


class GoneSafeTerminal:
    """A file proxy whose writes and flushes never raise ``OSError``."""

    def __init__(self, file: IO[str]) -> None:
        self._file = file
        self.gone = False

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                return self._file.write(text)
            except OSError:
                self.gone = True  # EIO (hung up), EPIPE: the terminal is not coming back
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self._file.flush()
            except OSError:
                self.gone = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


class SafeLinuxDriver(LinuxDriver):
    """Textual's Linux driver, writing through :class:`GoneSafeTerminal`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._file = GoneSafeTerminal(self._file)
