"""Launch to incident on screen, in a real terminal (tmux), against a bare Textual app.

    .venv/bin/python -m bench.startup [--runs 7] [--events 100000] [--no-json]

Each run starts a process in a fresh tmux server and polls ``capture-pane`` every 10 ms
until a marker is on screen: "BARE-READY" for the baseline (bench/bare_app.py), the newest
timeline entry and the incident's title in the status bar for warroom (the status bar and
the timeline are the first frame; the other
panes and the footer follow it, and "all panes" is when they are on screen too). All are
measured the same way in the same run, interleaved; the figures are medians.

A second baseline, "stack" (bench/stack_app.py), is the bare app plus the stack warroom is
built on, loaded before the first frame: the pydantic models, the aiosqlite store, the
folded state and the newest page as plain lines. warroom's first frame no longer waits for
that stack (storage/peek.py), so it can beat this baseline; its "all panes" moment cannot.

The modules are byte-compiled first, as ``pip install`` does: with
``PYTHONDONTWRITEBYTECODE`` set (as on the machines this runs on) an editable checkout would
otherwise be compiled from source at every launch, while Textual's modules are not.

"first-start" is warroom-10 with a new, empty config directory at every launch: nothing
remembered yet, as on the first start on a machine.

The issue's targets: warroom / bare <= 1.5, and 100,000 events no slower than 10.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import json
import os
import platform
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
TITLE = "Startup benchmark"


async def make_db(path: Path, events: int) -> None:
    store = await Store.open(path)
    start = datetime.now(UTC) - timedelta(hours=3)
    clock = FrozenClock(start)
    d = await store.declare(c.declare(clock, TITLE, Severity.SEV2, service="bench"))
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


def time_to_screen(
    argv: list[str], marker: tuple[str, ...], env: dict[str, str], then: tuple[str, ...] = ()
) -> tuple[float, float]:
    """Seconds until every ``marker`` is on screen, and until ``then`` are all there too."""
    sock = f"bench-{uuid.uuid4().hex[:8]}"
    envs = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    cmd = f"cd {shlex.quote(str(ROOT))} && exec env -u COLUMNS -u LINES {envs} " + " ".join(
        shlex.quote(a) for a in argv
    )
    t0 = time.perf_counter()
    subprocess.run(
        ["tmux", "-L", sock, "-f", "/dev/null", "new-session", "-d", "-x", "160", "-y", "40", cmd],
        check=True,
    )
    first = None
    try:
        while True:
            out = subprocess.run(
                ["tmux", "-L", sock, "capture-pane", "-p"], capture_output=True, text=True
            ).stdout
            now = time.perf_counter() - t0
            if first is None and all(m in out for m in marker):
                first = now
            if first is not None and all(m in out for m in then):
                return first, now
            if now > 30:
                raise RuntimeError(f"{marker!r} and {then!r} never appeared:\n{out}")
            time.sleep(0.01)
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"], capture_output=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--no-json", action="store_true", help="do not write bench/results/")
    args = ap.parse_args()
    for package in ("incident", "session", "storage", "feeds", "tui", "bench"):
        compileall.compile_dir(ROOT / package, quiet=1)
    tmp = Path(tempfile.mkdtemp(prefix="warroom-bench-"))
    small, big = tmp / "small.db", tmp / "big.db"
    t = time.perf_counter()
    asyncio.run(make_db(small, 10))
    asyncio.run(make_db(big, args.events))
    print(f"made databases (10 and {args.events:,} events) in {time.perf_counter() - t:.1f} s")
    env = {
        "WARROOM_CONFIG_DIR": str(tmp / "cfg"),
        "TERM": "xterm-256color",
        "PYTHONPATH": str(ROOT),
        "HOME": os.environ.get("HOME", "/tmp"),
        "PATH": os.environ.get("PATH", ""),
    }
    py = sys.executable
    panes = ("Phase checklist", "Comms", "Quit")  # the rest of the console, and its footer
    incident = (MARK, TITLE)  # the newest entry and the status bar with its title
    cases = {
        "bare": ([py, str(ROOT / "bench/bare_app.py")], ("BARE-READY",), ()),
        "stack": ([py, str(ROOT / "bench/stack_app.py"), str(small), "1"], (MARK,), ()),
        "warroom-10": ([py, "-m", "tui.cli", "--db", str(small), "attach", "1"], incident, panes),
        "warroom-big": ([py, "-m", "tui.cli", "--db", str(big), "attach", "1"], incident, panes),
        # a first start on this machine: nothing remembered (theme cache, settings) yet
        "first-start": (
            [py, "-m", "tui.cli", "--db", str(small), "attach", "1"],
            incident,
            panes,
        ),
    }
    first: dict[str, list[float]] = {k: [] for k in cases}
    full: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(args.runs):  # interleaved, so drift hits every case alike
        for name, (argv, marker, then) in cases.items():
            fresh = {"WARROOM_CONFIG_DIR": str(tmp / f"cfg-{uuid.uuid4().hex}")}
            a, b = time_to_screen(argv, marker, env | fresh if name == "first-start" else env, then)
            first[name].append(a)
            full[name].append(b)
    med = {k: statistics.median(v) for k, v in first.items()}
    med_full = {k: statistics.median(v) for k, v in full.items()}
    print(f"{'case':<14}{'on screen':>10}{'all panes':>10}   runs (on screen)")
    for k, v in first.items():
        print(f"{k:<14}{med[k]:>10.3f}{med_full[k]:>10.3f}   " + " ".join(f"{x:.3f}" for x in v))
    ratios = {
        "warroom_10_over_bare": med["warroom-10"] / med["bare"],
        "warroom_big_over_10": med["warroom-big"] / med["warroom-10"],
        "warroom_big_over_bare": med["warroom-big"] / med["bare"],
        "stack_over_bare": med["stack"] / med["bare"],
        "warroom_10_over_stack": med["warroom-10"] / med["stack"],
        "all_panes_10_over_bare": med_full["warroom-10"] / med["bare"],
        "first_start_over_bare": med["first-start"] / med["bare"],
    }
    print(
        f"warroom(10 events) / bare          = {ratios['warroom_10_over_bare']:.2f}"
        "  (target <= 1.5)"
    )
    print(
        f"warroom({args.events:,}) / warroom(10) = {ratios['warroom_big_over_10']:.2f}"
        "  (target <= 1.0, noise aside)"
    )
    print(f"warroom({args.events:,}) / bare      = {ratios['warroom_big_over_bare']:.2f}")
    print(
        f"stack / bare                       = {ratios['stack_over_bare']:.2f}"
        "  (pydantic + aiosqlite before the first frame)"
    )
    print(f"warroom(10) / stack                = {ratios['warroom_10_over_stack']:.2f}")
    print(f"all panes(10) / bare               = {ratios['all_panes_10_over_bare']:.2f}")
    print(
        f"first start (10) / bare            = {ratios['first_start_over_bare']:.2f}"
        "  (nothing remembered yet)"
    )
    if not args.no_json:
        out = ROOT / "bench" / "results" / f"startup-{time.strftime('%Y%m%d-%H%M%S')}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(
            json.dumps(
                {
                    "when": datetime.now(UTC).isoformat(timespec="seconds"),
                    "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                    "runs": args.runs,
                    "events": args.events,
                    "on_screen_s": first,
                    "all_panes_s": full,
                    "median_on_screen_s": med,
                    "median_all_panes_s": med_full,
                    "ratios": ratios,
                },
                indent=1,
            )
        )
        print(f"figures: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
