"""How the console ends when its terminal goes away, and an opt-in measure of its loop.

SIGHUP (the SSH link dropped, tmux killed) and SIGTERM end the app cleanly: it exits, and
its unmount ends every child process and writes what is pending before the store closes.
Textual installs no such handlers itself.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from typing import Any


def install_signal_handlers(app: Any) -> None:
    """SIGHUP and SIGTERM: ``app.exit(128 + signal)``, the terminal given back if it is
    still there."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGHUP, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, _on_signal, app, sig)
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # not the main thread (tests) or no such signal here


def _on_signal(app: Any, sig: signal.Signals) -> None:
    if sig == signal.SIGHUP:
        # When the terminal is gone (the link dropped: writes fail with EIO), let the
        # restore sequences go nowhere instead of failing. When it is still there (a
        # `kill -HUP`, a parent shell that exited), it must be given back as it was.
        devnull = os.open(os.devnull, os.O_WRONLY)
        for fd in (1, 2):
            try:
                os.write(fd, b"")
            except OSError:
                try:
                    os.dup2(devnull, fd)
                except OSError:
                    pass
        os.close(devnull)
    app.exit(return_code=128 + int(sig))


def start_lag_log(path: str) -> tuple[str, list[tuple[float, float]]]:
    """Opt-in (``WARROOM_LAG_LOG=path``, off by default; bench/bench_ingest.py): a 10 ms
    timer's lateness; at exit ``path`` gets "<time.monotonic()> <late s>" per tick (the app
    writes the samples returned here)."""
    samples: list[tuple[float, float]] = []
    loop = asyncio.get_running_loop()

    def tick(due: float) -> None:
        now = time.monotonic()
        samples.append((now, now - due))
        loop.call_later(0.01, tick, now + 0.01)

    tick(time.monotonic())
    return path, samples
