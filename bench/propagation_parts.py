"""The pieces of ``bench_propagation``: the headless consoles (each a process with its own
store connection and ``IncidentSession``), the real console whose screen is watched, and the
``warroom note`` CLI process."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from tests.tmux_driver import WARROOM, Tmux, warroom_env

ROOT = Path(__file__).resolve().parents[1]
TITLE = "Benchmark"  # the incident's title (bench.journal_targets.declare_in)
SCREEN_EVERY_S = 0.02


async def headless_console(where: str, incident_id: int, poll_s: float) -> None:
    """One console without a terminal: its own store connection and change feed, folded every
    ``poll_s`` as the app's change-feed timer does; prints ``{"text", "seen"}`` (monotonic
    seconds: one clock for every process on the machine) for each event a fold brings, until
    a line (or EOF) on stdin."""
    from incident.clock import SystemClock
    from session.session import IncidentSession
    from storage.paths import resolve_db
    from tui.cli_store import open_store

    session = IncidentSession(
        lambda: open_store(resolve_db(where)), incident_id, SystemClock(), "@bench"
    )

    def seen(change: Any) -> None:
        now = time.monotonic()
        for e in change.events:
            print(json.dumps({"text": e.text, "seen": now}), flush=True)

    session.subscribe(seen)
    await session.open()
    listener = getattr(session.journal, "listener", None)  # the server's LISTEN connection
    while listener is not None and not listener.up:
        await asyncio.sleep(0.02)
    print("ready", flush=True)
    stop = asyncio.ensure_future(asyncio.to_thread(sys.stdin.readline))
    beat = time.monotonic()
    while not stop.done():
        await session.poll()
        beat += poll_s
        await asyncio.sleep(max(0.0, beat - time.monotonic()))
    await session.close()


class Consoles:
    """``n`` headless consoles on the database ``where``; ``seen[k][text]``: when console
    ``k`` had the note."""

    def __init__(self, where: str, incident_id: int, n: int, poll_s: float) -> None:
        self.argv = [
            sys.executable, "-m", "bench.bench_propagation", "--console", where,
            str(incident_id), str(poll_s),
        ]  # fmt: skip
        self.n = n
        self.seen: list[dict[str, float]] = [{} for _ in range(n)]
        self.procs: list[subprocess.Popen[str]] = []
        self.threads: list[threading.Thread] = []

    def __enter__(self) -> Consoles:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        try:
            for _ in range(self.n):
                self.procs.append(
                    subprocess.Popen(
                        self.argv,
                        stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE,
                        text=True,
                        env=env,
                        cwd=ROOT,
                    )
                )
            for p in self.procs:
                assert p.stdout is not None
                if p.stdout.readline().strip() != "ready":
                    raise RuntimeError("a headless console failed to start")
            for k, p in enumerate(self.procs):
                t = threading.Thread(target=self._read, args=(k, p), daemon=True)
                t.start()
                self.threads.append(t)
        except BaseException:
            self.__exit__()
            raise
        return self

    def _read(self, k: int, p: subprocess.Popen[str]) -> None:
        assert p.stdout is not None
        for line in p.stdout:
            got = json.loads(line)
            self.seen[k].setdefault(got["text"], got["seen"])

    def wait_for(self, texts: list[str], timeout: float) -> bool:
        """Until every console has every text (False at ``timeout``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(t in s for s in self.seen for t in texts):
                return True
            time.sleep(0.02)
        return False

    def __exit__(self, *exc: object) -> None:
        for p in self.procs:
            try:
                assert p.stdin is not None
                p.stdin.write("stop\n")
                p.stdin.close()
            except (OSError, ValueError):
                pass
        for p in self.procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


class ScreenWatch:
    """A real console (``warroom attach`` in tmux, 120x36) and a thread reading its screen
    every ``SCREEN_EVERY_S``; ``seen[text]``: when the screen first showed it."""

    def __init__(self, where: str, incident_id: int, tmp: Path) -> None:
        self.env = warroom_env(where, tmp / f"config-{uuid.uuid4().hex[:6]}")  # type: ignore[arg-type]
        self.incident_id = incident_id
        self.tmux = Tmux(self.env, width=120, height=36)
        self.seen: dict[str, float] = {}
        self.watching: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def start(self) -> None:
        self.tmux.start([*WARROOM, "attach", f"INC-{self.incident_id}"])
        self.tmux.wait_for(TITLE, timeout=60)
        self._thread.start()

    def expect(self, texts: list[str]) -> None:
        self.watching.update(texts)

    def _watch(self) -> None:
        while not self._stop.is_set():
            screen = self.tmux.screen()
            now = time.monotonic()
            for text in list(self.watching):
                if text not in self.seen and text in screen:
                    self.seen[text] = now
            time.sleep(SCREEN_EVERY_S)

    def wait_for(self, texts: list[str], timeout: float) -> bool:
        self.expect(texts)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(t in self.seen for t in texts):
                return True
            time.sleep(0.02)
        return False

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)
        self.tmux.kill_server()


def cli_note(where: str, incident_id: int, text: str) -> tuple[float, float]:
    """``warroom --db WHERE note INC-n TEXT`` in a process of its own: when it acknowledged
    the note (printed ``INC-n #id ...``: committed; monotonic seconds), and how long the whole
    process took (start-up and exit included)."""
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [*WARROOM, "--db", where, "note", f"INC-{incident_id}", text],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "WARROOM_USER": "@cli"},
    )  # fmt: skip
    assert proc.stdout is not None
    first = proc.stdout.readline()
    acked = time.monotonic()
    _, err = proc.communicate(timeout=120)
    wall = time.monotonic() - t0
    if proc.returncode != 0 or not first.startswith(f"INC-{incident_id} #"):
        raise RuntimeError(f"warroom note: {err.strip() or first.strip()}")
    return acked, wall
