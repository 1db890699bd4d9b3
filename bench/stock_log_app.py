"""The baseline of bench/bench_ingest.py: Textual's stock ``Log`` (default ``max_lines``)
fed by ``cat FILE``, the way the field notes' measurement did it.

    .venv/bin/python bench/stock_log_app.py FILE

``cat`` runs as an asyncio subprocess; its stdout is read in 64 KiB chunks, cut at the last
newline, decoded once and split into lines, and each chunk's lines go to ``write_lines``.
``WARROOM_LAG_LOG=path`` records event-loop lag exactly as the console does (10 ms ticks,
"monotonic lateness" per line, written at exit), so both are measured alike.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time

from textual.app import App, ComposeResult
from textual.widgets import Log

CHUNK = 65536


class StockLogApp(App[None]):
    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self._lag: list[tuple[float, float]] = []
        self._lag_path = os.environ.get("WARROOM_LAG_LOG")

    def compose(self) -> ComposeResult:
        yield Log()

    def on_mount(self) -> None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, self.exit)
        if self._lag_path:
            self._lag_tick(time.monotonic())
        self.run_worker(self._feed(), exclusive=True)

    def _lag_tick(self, scheduled: float) -> None:
        now = time.monotonic()
        self._lag.append((now, now - scheduled))
        asyncio.get_running_loop().call_later(0.01, self._lag_tick, now + 0.01)

    async def _feed(self) -> None:
        log = self.query_one(Log)
        proc = await asyncio.create_subprocess_exec(
            "cat", self.path, stdout=asyncio.subprocess.PIPE
        )
        assert proc.stdout is not None
        tail = b""
        while chunk := await proc.stdout.read(CHUNK):
            data = tail + chunk
            cut = data.rfind(b"\n")
            if cut < 0:
                tail = data
                continue
            tail = data[cut + 1 :]
            log.write_lines(data[:cut].decode("utf-8", "replace").split("\n"))
        if tail:
            log.write_lines([tail.decode("utf-8", "replace")])
        await proc.wait()

    def on_unmount(self) -> None:
        if self._lag_path:
            with open(self._lag_path, "w") as f:
                f.writelines(f"{t:.6f} {lag:.6f}\n" for t, lag in self._lag)


if __name__ == "__main__":
    StockLogApp(sys.argv[1]).run()
