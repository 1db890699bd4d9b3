"""The pieces of ``bench_load``: the flood, a console in tmux, the timed in-process writer,
and reading back what the database holds (the SQLite file or the server)."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import threading
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from tests.fault_harness import survivors
from tests.tmux_driver import ROOT, WARROOM, Tmux

RESULTS = ROOT / "bench" / "results"
LAG_BOUND_S = 0.050
RSS_BOUND_MB = 250

FLOOD = r"""
import random, sys, time
rate = int(sys.argv[1]); rng = random.Random(); w = sys.stdout.write
paths = ["/api/v2/checkout", "/api/v2/cart", "/api/v2/auth/token", "/healthz"]
n = 0
while True:
    t0 = time.monotonic()
    batch = []
    for _ in range(max(1, rate // 50)):
        n += 1
        lvl = "ERROR" if rng.random() < 0.05 else "INFO "
        batch.append(f"2026-11-25T14:{n // 60000 % 60:02d}:{n // 1000 % 60:02d}.{n % 1000:03d}Z "
                     f"{lvl} checkout-api GET {rng.choice(paths)} 200 {rng.randint(4, 900)}ms "
                     f"seq={n:010d}\n")
    w("".join(batch)); sys.stdout.flush()
    time.sleep(max(0.0, 0.02 - (time.monotonic() - t0)))
"""


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, int(len(s) * q))]


def ms(v: float | None) -> float | None:
    return None if v is None else round(v * 1000, 1)


class Console:
    def __init__(self, n: int, env: dict[str, str], lag: Path) -> None:
        self.n = n
        self.lag = lag
        self.session = Tmux({**env, "WARROOM_LAG_LOG": str(lag)}, width=120, height=36)
        self.proc: psutil.Process | None = None
        self.rss: list[float] = []
        self.cpu: list[float] = []
        self.started = 0.0

    def start(self) -> None:
        self.session.start([*WARROOM, "attach", "INC-1"])
        self.started = time.monotonic()
        self.session.wait_for("Load bench", timeout=60)
        self.proc = psutil.Process(self.session.pane_pid())
        self.proc.cpu_percent(None)

    def sample(self) -> None:
        if self.proc is None:
            return
        try:
            self.rss.append(self.proc.memory_info().rss / 1e6)
            self.cpu.append(self.proc.cpu_percent(None))
        except psutil.Error:
            pass

    def type_note(self, text: str) -> str:
        """Type a note: "shown" once the timeline shows it (the console shows a note only
        once it is committed: acknowledged), "unshown" when it never did in 20 s, "no dialog"
        when the dialog did not open in 20 s (nothing typed then: Escape)."""
        self.session.keys("n", pause=0.0)
        try:
            self.session.wait_for("Add timeline note", timeout=20)
        except AssertionError:
            self.session.keys("Escape", pause=0.0)
            return "no dialog"
        self.session.keys(text, literal=True, pause=0.0)
        self.session.keys("Enter", pause=0.0)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            screen = self.session.screen()
            if text in screen and "Add timeline note" not in screen:
                return "shown"
            time.sleep(0.2)
        return "unshown"

    def stop(self) -> float:
        """SIGTERM; returns how long it took to exit."""
        t0 = time.monotonic()
        if self.proc is not None:
            children = self.proc.children(recursive=True)
            try:
                self.proc.send_signal(signal.SIGTERM)
            except psutil.Error:
                pass
            left = survivors([self.proc], timeout=30)
            survivors(children, timeout=5)
            if left:
                self.proc.kill()
        took = time.monotonic() - t0
        self.session.kill_server()
        return took

    def lag_samples(self, skip_s: float = 5.0) -> list[float]:
        if not self.lag.exists():
            return []
        rows = [line.split() for line in self.lag.read_text().splitlines() if line.strip()]
        if not rows:
            return []
        t_first = float(rows[0][0])
        return [float(late) for t, late in rows if float(t) - t_first >= skip_s]


def timed_appends(
    where: str, stop: threading.Event, acks: list[tuple[int, str]], latencies: list[float]
) -> None:
    """An in-process writer: one note every 100 ms, each acknowledged append timed."""
    from incident.journal import Event, Note
    from storage.paths import resolve_db
    from tui.cli_store import open_store

    async def run() -> None:
        async with await open_store(resolve_db(where)) as store:
            n = 0
            while not stop.is_set():
                n += 1
                now = datetime.now(UTC)
                text = f"timed {n}"
                t0 = time.perf_counter()
                saved = await store.append(
                    Event(
                        incident_id=1, occurred_at=now, recorded_at=now, text=text, payload=Note()
                    )
                )
                latencies.append(time.perf_counter() - t0)
                acks.append((saved.id or 0, text))
                await asyncio.sleep(0.1)

    asyncio.run(run())


def flood_processes() -> int:
    """The flood generators running now (each console that ran a source would add one)."""
    n = 0
    for p in psutil.process_iter(["cmdline"]):
        try:
            cmdline = p.info["cmdline"] or []
            n += len(cmdline) >= 3 and cmdline[1:3] == ["-c", FLOOD]
        except psutil.Error:
            pass
    return n


def read_back(where: str) -> dict[str, Any]:
    """What the database holds at the end: events (id -> text), captured lines, the ledger's
    operations and why sources were restarted, and the integrity check (SQLite's
    ``PRAGMA integrity_check``; the server has none to run: "n/a")."""
    from storage.dsn import is_server

    if is_server(where):
        import psycopg

        with psycopg.connect(where) as conn:
            integrity = "n/a (server)"
            stored = {r[0]: r[1] for r in conn.execute("SELECT id, text FROM events")}
            captured = conn.execute("SELECT count(*) FROM captured_lines").fetchone()
            payloads = conn.execute("SELECT payload FROM events WHERE kind='command'").fetchall()
            captured_n = captured[0] if captured else 0
    else:
        with closing(sqlite3.connect(where, timeout=60)) as c:
            integrity = c.execute("PRAGMA integrity_check").fetchone()[0]
            stored = dict(c.execute("SELECT id, text FROM events"))
            captured_n = c.execute("SELECT count(*) FROM captured_lines").fetchone()[0]
            payloads = c.execute("SELECT payload FROM events WHERE kind='command'").fetchall()
    ledger: dict[str, int] = {}
    reasons: list[str] = []  # why a source was restarted (a console went away)
    for (payload,) in payloads:
        entry = json.loads(payload)
        ledger[entry["op"]] = ledger.get(entry["op"], 0) + 1
        if entry["op"] == "restarted":
            reasons.append(entry.get("reason") or "")
    return {
        "integrity": integrity,
        "stored": stored,
        "captured": captured_n,
        "ledger": ledger,
        "reasons": reasons,
    }
