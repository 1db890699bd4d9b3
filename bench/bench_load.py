"""Load: eight consoles on one database, a busy log flood, CLI writers, for minutes.

    .venv/bin/python -m bench.bench_load [--minutes 3] [--consoles 8] [--writers 2]
                                         [--rate 2000] [--sources 1] [--no-json]

One incident, ``--sources`` log sources: each a generator of realistic ~110-byte log lines
at ``--rate`` lines/s. One console runs each source and captures it into the database; the
other seven follow it, reading the capture every half second and showing it
(``tui/runner.py``). Until 2026-11-26 every console ran every source itself: eight floods.
The figures say how many flood processes ran at most (it must be ``--sources``) and what the
ledger recorded. Eight consoles (the real app, each in its own tmux server,
120x36, ``WARROOM_LAG_LOG`` on) attach to it; ``--writers`` threads run ``warroom note`` in
subprocesses back to back; every 10 s one console (in turn) gets a note typed into it
(acknowledged once its timeline shows it); one in-process ``Store`` appends a note every
100 ms and times each acknowledged append. RSS and CPU of every console are sampled every
2 s. At the end every console gets SIGTERM (its loop
lag log is written as it exits) and the database is checked:

* events lost: acknowledged CLI notes, console notes shown and timed appends that are not
  in the journal with their text (must be 0); ``PRAGMA integrity_check``;
* CLI ``warroom note`` wall time p50/p99 (a whole process: start-up, open, append, exit),
  and ``Store.append`` p50/p99/max under the load;
* event-loop lag (a 10 ms timer's lateness, tui/app.py) p50/p99/max, over every console's
  ticks after its first 5 s; resident memory per console (max over the run, and at the end)
  against the log issue's bounds (p99 lag < 50 ms, RSS < 250 MB).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shlex
import signal
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import psutil

from tests.fault_harness import CliWriter, WriterLog, survivors
from tests.tmux_driver import ROOT, WARROOM, Tmux, run_cli, warroom_env

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
    db: Path, stop: threading.Event, acks: list[tuple[int, str]], latencies: list[float]
) -> None:
    """An in-process writer: one note every 100 ms, each acknowledged append timed."""
    from incident.journal import Event, Note
    from storage.store import Store

    async def run() -> None:
        async with await Store.open(db) as store:
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


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--minutes", type=float, default=3.0)
    p.add_argument("--consoles", type=int, default=8)
    p.add_argument("--writers", type=int, default=2)
    p.add_argument("--rate", type=int, default=2000, help="log lines/s per source")
    p.add_argument("--sources", type=int, default=1, help="flood sources in the incident")
    p.add_argument("--no-json", action="store_true")
    args = p.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="warroom-load-") as tmp_dir:
        tmp = Path(tmp_dir)
        db = tmp / "load.db"
        env = warroom_env(db, tmp / "config")
        assert run_cli(env, "declare", "Load bench", "-s", "1").returncode == 0
        flood = f"{shlex.quote(sys.executable)} -c {shlex.quote(FLOOD)} {args.rate}"
        for k in range(args.sources):
            done = run_cli(env, "tail", "INC-1", "--cmd", flood, "--name", f"flood{k}")
            assert done.returncode == 0, done.stderr
        floods = 0  # the most flood processes seen running at once

        consoles = [Console(i, env, tmp / f"lag{i}.txt") for i in range(args.consoles)]
        print(
            f"starting {len(consoles)} consoles, {args.sources} source(s) of {args.rate} "
            "lines/s ...",
            flush=True,
        )
        for c in consoles:
            c.start()
        log = WriterLog()
        writers = [CliWriter(env, 1, f"cli{k}", log) for k in range(args.writers)]
        stop = threading.Event()
        timed_acks: list[tuple[int, str]] = []
        append_lat: list[float] = []
        timer = threading.Thread(
            target=timed_appends, args=(db, stop, timed_acks, append_lat), daemon=True
        )
        for w in writers:
            w.start()
        timer.start()
        typed: list[str] = []  # shown by a console: acknowledged
        typing: dict[str, int] = {}
        unshown: list[str] = []  # typed and saved with Enter, not on screen within 20 s
        t_end = time.monotonic() + args.minutes * 60
        next_note = time.monotonic() + 10
        turn = 0
        while time.monotonic() < t_end:
            for c in consoles:
                c.sample()
            floods = max(floods, flood_processes())
            if time.monotonic() >= next_note:
                text = f"typed into console {turn % len(consoles)} #{turn}"
                outcome = consoles[turn % len(consoles)].type_note(text)
                typing[outcome] = typing.get(outcome, 0) + 1
                if outcome == "shown":
                    typed.append(text)
                elif outcome == "unshown":
                    unshown.append(text)
                turn += 1
                next_note += 10
            left = t_end - time.monotonic()
            print(
                f"\r{left:5.0f} s left: {len(log.acks)} CLI notes, {len(timed_acks)} timed "
                f"appends, {len(typed)} typed",
                end="",
                flush=True,
            )
            time.sleep(2)
        print()
        for w in writers:
            w.stop.set()
        stop.set()
        for w in writers:
            w.join(120)
        timer.join(60)
        time.sleep(2)  # the last typed note reaches the store
        exit_s = [c.stop() for c in consoles]

        with closing(sqlite3.connect(db, timeout=60)) as conn:
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
            stored = dict(conn.execute("SELECT id, text FROM events"))
            captured = conn.execute("SELECT count(*) FROM captured_lines").fetchone()[0]
            ledger: dict[str, int] = {}
            reasons: list[str] = []  # why a source was restarted (a console went away)
            for (payload,) in conn.execute("SELECT payload FROM events WHERE kind='command'"):
                entry = json.loads(payload)
                ledger[entry["op"]] = ledger.get(entry["op"], 0) + 1
                if entry["op"] == "restarted":
                    reasons.append(entry.get("reason") or "")
        texts = set(stored.values())
        lost_cli = [a for a in log.acks if stored.get(a.id) != a.text]
        lost_timed = [a for a in timed_acks if stored.get(a[0]) != a[1]]
        lost_typed = [t for t in typed if t not in texts]
        lags = [x for c in consoles for x in c.lag_samples()]
        per_console_p99 = [ms(pct(c.lag_samples(), 0.99)) for c in consoles]
        rss_max = [round(max(c.rss), 1) if c.rss else None for c in consoles]
        rss_end = [round(c.rss[-1], 1) if c.rss else None for c in consoles]
        cli_lat = log.latencies
        figures = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "sqlite": sqlite3.sqlite_version,
            },
            "minutes": args.minutes,
            "consoles": args.consoles,
            "writers": args.writers,
            "sources": args.sources,
            "lines_per_second_per_source": args.rate,
            "flood_processes_max": floods,
            "ledger_ops": ledger,
            "restarts": reasons,
            "cli_notes_acknowledged": len(log.acks),
            "cli_refusals": len(log.refusals),
            "cli_tracebacks": len(log.tracebacks),
            "timed_appends": len(timed_acks),
            "typed_console_notes_shown": len(typed),
            "typing_outcomes": typing,
            "unshown_notes_stored_by_the_end": sum(t in texts for t in unshown),
            "events_lost": len(lost_cli) + len(lost_timed) + len(lost_typed),
            "lost_detail": {
                "cli": len(lost_cli),
                "timed": len(lost_timed),
                "typed": lost_typed[:5],
            },
            "integrity_check": integrity,
            "events_stored": len(stored),
            "captured_lines_stored": captured,
            "cli_note_wall_ms": {"p50": ms(pct(cli_lat, 0.5)), "p99": ms(pct(cli_lat, 0.99))},
            "store_append_ms": {
                "p50": ms(pct(append_lat, 0.5)),
                "p99": ms(pct(append_lat, 0.99)),
                "max": ms(max(append_lat) if append_lat else None),
            },
            "loop_lag_ms": {
                "ticks": len(lags),
                "p50": ms(pct(lags, 0.5)),
                "p99": ms(pct(lags, 0.99)),
                "max": ms(max(lags) if lags else None),
                "p99_per_console": per_console_p99,
            },
            "rss_mb": {"max_per_console": rss_max, "end_per_console": rss_end},
            "cpu_percent_mean_per_console": [
                round(statistics.mean(c.cpu), 1) if c.cpu else None for c in consoles
            ],
            "sigterm_exit_s_max": round(max(exit_s), 2),
            "bounds": {"p99_lag_ms": LAG_BOUND_S * 1000, "rss_mb": RSS_BOUND_MB},
        }
        figures["within_bounds"] = {
            "lag": bool(lags) and pct(lags, 0.99) < LAG_BOUND_S,
            "rss": all(r is not None and r < RSS_BOUND_MB for r in rss_max),
        }
    print(json.dumps(figures, indent=2))
    if not args.no_json:
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = RESULTS / f"load-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
        out.write_text(json.dumps(figures, indent=2) + "\n")
        print(f"written to {out}")
    return 0 if figures["events_lost"] == 0 and integrity == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
