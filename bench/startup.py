"""Launch to incident on screen, in a real terminal (tmux), against a bare Textual app.

    .venv/bin/python -m bench.startup [--runs 5] [--events 100000]

Each run starts a process in a fresh tmux server and polls ``capture-pane`` every 10 ms
until a marker is on screen: "BARE-READY" for the baseline (bench/bare_app.py), the newest
timeline entry for warroom. Both are measured the same way in the same run; the figures
are medians. The issue's targets: warroom / bare <= 1.5, and 100,000 events no slower
than 10.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from incident import commands as c
from incident.clock import FrozenClock
from incident.model import Severity
from storage.store import Store

ROOT = Path(__file__).resolve().parents[1]
MARK = "LAST-ENTRY-MARK"


async def make_db(path: Path, events: int) -> None:
    store = await Store.open(path)
    start = datetime.now(UTC) - timedelta(hours=3)
    clock = FrozenClock(start)
    d = await store.declare(c.declare(clock, "Startup benchmark", Severity.SEV2,
                                      service="bench"))
    state = await store.load_state(d.incident_id)
    batch = []
    for n in range(events - 2):
        clock.set(start + timedelta(seconds=n * 0.1))
        batch.append(c.note(clock, state, f"note {n} lorem ipsum dolor", owner="@bench"))
        if len(batch) == 5000:
            await store.append_many(batch)
            batch = []
    clock.set(start + timedelta(hours=2, minutes=59))
    batch.append(c.note(clock, state, MARK, owner="@bench"))
    await store.append_many(batch)
    await store.close()


def time_to_screen(argv: list[str], marker: str, env: dict[str, str]) -> float:
    sock = f"bench-{uuid.uuid4().hex[:8]}"
    envs = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    cmd = f"cd {shlex.quote(str(ROOT))} && exec env -u COLUMNS -u LINES {envs} " + \
        " ".join(shlex.quote(a) for a in argv)
    t0 = time.perf_counter()
    subprocess.run(["tmux", "-L", sock, "-f", "/dev/null", "new-session", "-d", "-x", "160",
                    "-y", "40", cmd], check=True)
    try:
        while True:
            out = subprocess.run(["tmux", "-L", sock, "capture-pane", "-p"],
                                 capture_output=True, text=True).stdout
            if marker in out:
                return time.perf_counter() - t0
            if time.perf_counter() - t0 > 30:
                raise RuntimeError(f"{marker!r} never appeared:\n{out}")
            time.sleep(0.01)
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"], capture_output=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--events", type=int, default=100_000)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="warroom-bench-"))
    small, big = tmp / "small.db", tmp / "big.db"
    t = time.perf_counter()
    asyncio.run(make_db(small, 10))
    asyncio.run(make_db(big, args.events))
    print(f"made databases (10 and {args.events:,} events) in {time.perf_counter() - t:.1f} s")
    env = {"WARROOM_CONFIG_DIR": str(tmp / "cfg"), "TERM": "xterm-256color",
           "PYTHONPATH": str(ROOT), "HOME": os.environ.get("HOME", "/tmp"),
           "PATH": os.environ.get("PATH", "")}
    py = sys.executable
    results: dict[str, list[float]] = {"bare": [], "warroom-10": [], "warroom-big": []}
    for _ in range(args.runs):  # interleaved, so drift hits all three alike
        results["bare"].append(time_to_screen([py, str(ROOT / "bench/bare_app.py")],
                                              "BARE-READY", env))
        results["warroom-10"].append(time_to_screen(
            [py, "-m", "tui.cli", "--db", str(small), "attach", "1"], MARK, env))
        results["warroom-big"].append(time_to_screen(
            [py, "-m", "tui.cli", "--db", str(big), "attach", "1"], MARK, env))
    med = {k: statistics.median(v) for k, v in results.items()}
    print(f"{'case':<14}{'median s':>10}   runs")
    for k, v in results.items():
        print(f"{k:<14}{med[k]:>10.3f}   " + " ".join(f"{x:.3f}" for x in v))
    print(f"warroom(10 events) / bare          = {med['warroom-10'] / med['bare']:.2f}"
          "  (target <= 1.5)")
    print(f"warroom({args.events:,}) / warroom(10) = "
          f"{med['warroom-big'] / med['warroom-10']:.2f}  (target <= 1.0, noise aside)")
    print(f"warroom({args.events:,}) / bare      = {med['warroom-big'] / med['bare']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
