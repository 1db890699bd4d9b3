"""Propagation: a change made in one place, seen by eight consoles on connections of their own.

    .venv/bin/python -m bench.bench_propagation                  # both backends
    .venv/bin/python -m bench.bench_propagation --backend postgres --notes 100 --repeats 3

What a "console" is here (eight real Textual consoles in tmux would take the shared machine's
two cores for themselves and measure the terminal, not the store):

- eight **headless consoles**: eight processes, each with its own store connection
  (SQLite: eight connections to one file; the server: eight connections, each with its
  own LISTEN connection) and an ``IncidentSession`` (``session/``) folding its change feed
  on the console's own cadence (``tui.app.POLL_SECONDS``, one look at a time, as
  ``WarRoomApp`` does). A note is *seen* by a console when the session's fold that brings it
  has published its new state (its listener runs): what the console then paints.
- one **real console** beside them (``warroom attach`` in tmux, 120x36; ``--no-screen`` to
  leave it out): a note is *on screen* when ``tmux capture-pane`` first shows its text
  (the screen is read every 20 ms, so that adds up to 20 ms and the capture's own time).

One writer (this process, its own ``Store``) appends ``--notes`` notes, 100 to 400 ms apart
(at random, so that the notes fall anywhere in the consoles' poll cycle); each is timed from
the moment its append is acknowledged (committed) to the moment each console saw it. Then
``--cli-notes`` ``warroom --db ... note`` processes (3) write a note each, one after the
other: timed from the CLI's acknowledgement (it printed ``INC-n #id``: committed) to the
slowest of the eight consoles, and to the real console's screen.
Reported: p50/p95/max over every (note, console) pair, and of the slowest console per note
("all eight have it"); the target is p95 < 1 s. Each backend is run ``--repeats`` times
(3 by default, in turn) and the median of each figure printed; the figures also go to
``bench/results/propagation-<time>.json`` and ``.txt`` (gitignored).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.journal_targets import PgTarget, SqliteTarget, percentile
from bench.propagation_parts import Consoles, ScreenWatch, cli_note
from incident.journal import Event, Note
from storage.paths import resolve_db
from tui.cli_store import open_store

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TARGET_P95_S = 1.0
Target = SqliteTarget | PgTarget


def stats(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50_ms": None, "p95_ms": None, "max_ms": None, "n": 0}
    return {
        "p50_ms": percentile(values, 50) * 1e3,
        "p95_ms": percentile(values, 95) * 1e3,
        "max_ms": max(values) * 1e3,
        "n": len(values),
    }


async def write_notes(where: str, iid: int, texts: list[str], gap: tuple[float, float]) -> dict:
    """Append each note, one at a time; when each was acknowledged (monotonic seconds)."""
    acked = {}
    async with await open_store(resolve_db(where)) as store:
        for text in texts:
            now = datetime.now(UTC)
            event = Event(
                incident_id=iid, occurred_at=now, recorded_at=now, text=text, payload=Note()
            )
            await store.append(event)
            acked[text] = time.monotonic()
            await asyncio.sleep(random.uniform(*gap))
    return acked


def one_run(
    target: Target,
    consoles: int,
    notes: int,
    screen: bool,
    poll_s: float,
    tmp: Path,
    cli_notes: int = 3,
) -> dict[str, Any]:
    where, iid = asyncio.run(target.fresh())
    tag = os.urandom(3).hex()
    texts = [f"prop {k:03d} {tag}" for k in range(notes)]
    cli_texts = [f"cli note {k} {tag}" for k in range(cli_notes)]
    watch = ScreenWatch(where, iid, tmp) if screen else None
    with Consoles(where, iid, consoles, poll_s) as heads, contextlib.ExitStack() as stack:
        if watch is not None:
            stack.callback(watch.stop)
            watch.start()
            watch.expect([*texts, *cli_texts])
        warm = [f"warm-up {tag}"]  # every console live and folding before the clock starts
        asyncio.run(write_notes(where, iid, warm, (0.0, 0.0)))
        if not heads.wait_for(warm, timeout=30) or (
            watch is not None and not watch.wait_for(warm, timeout=30)
        ):
            raise RuntimeError("the consoles did not show the warm-up note in 30 s")
        acked = asyncio.run(write_notes(where, iid, texts, (0.1, 0.4)))
        cli_acked, cli_wall = {}, []
        for text in cli_texts:
            cli_acked[text], wall = cli_note(where, iid, text)
            cli_wall.append(wall)
        everything = [*texts, *cli_texts]
        heads.wait_for(everything, timeout=15)
        if watch is not None:
            watch.wait_for(everything, timeout=15)
    pairs = [
        heads.seen[c][t] - acked[t] for c in range(consoles) for t in texts if t in heads.seen[c]
    ]
    slowest = [
        max(heads.seen[c][t] for c in range(consoles)) - acked[t]
        for t in texts
        if all(t in heads.seen[c] for c in range(consoles))
    ]
    missing = sum(t not in heads.seen[c] for c in range(consoles) for t in everything)
    cli = [
        max(heads.seen[c][t] for c in range(consoles)) - cli_acked[t]
        for t in cli_texts
        if all(t in heads.seen[c] for c in range(consoles))
    ]
    out: dict[str, Any] = {
        "each console": stats(pairs),
        "all consoles (slowest per note)": stats(slowest),
        "CLI note, all consoles (slowest)": stats(cli),
        "cli_wall_ms": statistics.median(cli_wall) * 1e3,
        "missing": missing,
    }
    if watch is not None:
        shown = [watch.seen[t] - acked[t] for t in texts if t in watch.seen]
        out["real console, on screen"] = stats(shown)
        out["CLI note, on screen"] = stats(
            [watch.seen[t] - cli_acked[t] for t in cli_texts if t in watch.seen]
        )
        out["missing"] += sum(t not in watch.seen for t in everything)
    return out


ROWS = (
    "each console",
    "all consoles (slowest per note)",
    "real console, on screen",
    "CLI note, all consoles (slowest)",
    "CLI note, on screen",
)


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"missing": sum(r["missing"] for r in runs)}
    out["cli_wall_ms"] = statistics.median(r["cli_wall_ms"] for r in runs)
    for row in ROWS:
        got = [r[row] for r in runs if row in r and r[row]["n"]]
        out[row] = {
            k: statistics.median(g[k] for g in got) if got else None
            for k in ("p50_ms", "p95_ms", "max_ms")
        }
    return out


def table(results: dict[str, dict[str, Any]]) -> str:
    def ms(v: float | None) -> str:
        return f"{v:8.0f}" if v is not None else f"{'-':>8}"

    names = list(results)
    lines = [
        f"{'median of runs (ms after the ack)':<36}"
        + "".join(f" | {name:<10}{'p50':>8}{'p95':>8}{'max':>8}" for name in names)
    ]
    for row in ROWS:
        if not any(results[n][row]["p50_ms"] is not None for n in names):
            continue
        line = f"{row:<36}"
        for n in names:
            r = results[n][row]
            line += f" | {'':<10}{ms(r['p50_ms'])}{ms(r['p95_ms'])}{ms(r['max_ms'])}"
        lines.append(line)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--consoles", type=int, default=8, help="headless consoles")
    p.add_argument("--notes", type=int, default=60, help="notes per run")
    p.add_argument("--cli-notes", type=int, default=3, help="warroom note processes per run")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--no-screen", action="store_true", help="no real console beside them")
    p.add_argument("--pg", metavar="URL", default=None, help="a PostgreSQL server to run on")
    p.add_argument("--no-json", action="store_true", help="do not write bench/results/*")
    p.add_argument(
        "--console", nargs=3, metavar=("DB", "INCIDENT", "POLL_S"), help=argparse.SUPPRESS
    )
    args = p.parse_args(argv)
    if args.console:
        from bench.propagation_parts import headless_console

        db, incident, poll_s = args.console
        asyncio.run(headless_console(db, int(incident), float(poll_s)))
        return 0
    if min(args.consoles, args.notes, args.repeats, args.cli_notes) < 1:
        print(
            "bench_propagation: --consoles, --notes, --cli-notes, --repeats must be at least 1",
            file=sys.stderr,
        )
        return 2
    screen = not args.no_screen
    if screen and shutil.which("tmux") is None:
        print("bench_propagation: no tmux for the real console (try --no-screen)", file=sys.stderr)
        return 2

    from bench.pg_server import ServerUnavailable, server
    from tui.app import POLL_SECONDS

    tmp = Path(tempfile.mkdtemp(prefix="warroom-prop-"))
    began = time.monotonic()
    about: list[str] = []
    runs: dict[str, list[dict[str, Any]]] = {}
    try:
        with contextlib.ExitStack() as stack:
            targets: list[Target] = []
            if args.backend in ("sqlite", "both"):
                targets.append(SqliteTarget(tmp))
                about.append(f"sqlite: {args.consoles} connections to one file on {tmp.parent}")
            if args.backend in ("postgres", "both"):
                pg = stack.enter_context(server(args.pg))
                targets.append(PgTarget(pg))
                about.append(pg.describe())
            for i in range(args.repeats):
                for t in targets:
                    r = one_run(
                        t, args.consoles, args.notes, screen, POLL_SECONDS, tmp, args.cli_notes
                    )
                    runs.setdefault(t.name, []).append(r)
                    each = r["each console"]
                    print(
                        f"  {t.name}: run {i + 1}/{args.repeats}: p95 {each['p95_ms']:.0f} ms,"
                        f" missing {r['missing']}",
                        file=sys.stderr,
                    )
    except ServerUnavailable as e:
        print(f"bench_propagation: postgres: {e} (try --backend sqlite)", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    results = {name: median_of(r) for name, r in runs.items()}
    lines = [
        f"warroom propagation benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: "
        f"{args.consoles} headless consoles{' + 1 real console in tmux' if screen else ''}, "
        f"{args.notes} notes per run, median of {args.repeats} runs, "
        f"{time.monotonic() - began:.0f} s",
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
        + f" at the end; consoles poll every {POLL_SECONDS * 1000:.0f} ms",
        *about,
        "",
        table(results),
        "",
    ]
    bad = 0
    for name, r in results.items():
        p95 = r["each console"]["p95_ms"]
        met = p95 is not None and p95 < TARGET_P95_S * 1e3
        bad += r["missing"] + (not met)
        lines.append(
            f"{name}: p95 {p95:.0f} ms (target < {TARGET_P95_S * 1e3:.0f} ms: "
            f"{'met' if met else 'NOT met'}); not seen in time: {r['missing']}; "
            f"a CLI note's process took {r['cli_wall_ms']:.0f} ms (start to exit)"
        )
    report = "\n".join(lines)
    print(report)
    if not args.no_json:
        out = HERE / "results" / f"propagation-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
        out.parent.mkdir(exist_ok=True)
        out.with_suffix(".txt").write_text(report + "\n")
        out.write_text(json.dumps({"about": about, "runs": runs, "results": results}, indent=2))
        print(f"written {out.relative_to(ROOT)} and .txt")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
