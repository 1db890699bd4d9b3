"""Journal benchmark: what one acknowledged (committed, durable) event costs, on the SQLite
file and on a PostgreSQL server side by side.

    .venv/bin/python -m bench.bench_journal                       # both backends
    .venv/bin/python -m bench.bench_journal --backend sqlite --events 500 --repeats 3
    .venv/bin/python -m bench.bench_journal --backend postgres --pg postgresql://me@db/bench

Measures, on a fresh database per run, with the store's own settings (SQLite: WAL,
synchronous=FULL; the server: fsync and synchronous commit on):

- ``Store.append`` awaited in a loop from one process: appends/s, p50/p99 of one append;
- the same from 4 and from 8 processes at once on one incident (aggregate appends/s, and the
  latency each writer saw, waiting for the others' locks included), flat out, and 8 paced at
  10 appends/s each (a busy team rather than a saturated store; 100 each); at the end every
  acknowledged event must be stored exactly once (counted, each text checked: lost and
  duplicated are reported and make the exit status 1);
- baselines in the same run, same rows, the bare driver (``sqlite3``, ``psycopg``): one
  commit per row (how much of an append is the commit, how much the store), the same from 8
  paced processes at once (what 8 committing processes cost on this machine and disk,
  without the store), and every row in one transaction (the cost of per-event durability is
  the gap).

Without ``--pg`` the server is a throwaway cluster on the loopback (``bench/pg_server.py``).
Each measurement is repeated (``--repeats``, 5 by default; each repeat runs every measure on
each backend in turn, so a noisy neighbour hits both alike) and the median printed; the
figures also go to ``bench/results/journal-<time>.json`` and ``.txt`` (gitignored).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.journal_targets import PgTarget, SqliteTarget
from bench.journal_writers import PROCESSES, bare_worker, many_processes, one_process, worker

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WRITERS = 8  # the figure: append p99 < 20 ms on the loopback under 8 writers
PACED_RATE = 10  # appends/s of each of 8 paced writers (a busy team, not a saturated store)
PACED_EVENTS = 100  # per paced writer and run (at most --events)
Target = SqliteTarget | PgTarget


def measures(target: Target, n: int) -> dict[str, Callable[[], dict[str, float]]]:
    """The measurements of one backend, by label (the same labels on both)."""

    def raw(kind: str) -> Callable[[], dict[str, float]]:
        def run() -> dict[str, float]:
            where, iid = asyncio.run(target.fresh())
            return getattr(target, kind)(where, iid, n)

        return run

    return {
        "Store.append, 1 process": lambda: asyncio.run(one_process(target, n)),
        f"Store.append, {PROCESSES} processes at once": lambda: many_processes(target, n),
        f"Store.append, {WRITERS} processes at once": lambda: many_processes(target, n, WRITERS),
        f"Store.append, {WRITERS} processes, {PACED_RATE}/s each": lambda: many_processes(
            target, min(n, PACED_EVENTS), WRITERS, 1 / PACED_RATE
        ),
        f"bare driver, {WRITERS} processes, {PACED_RATE}/s each": lambda: many_processes(
            target, min(n, PACED_EVENTS), WRITERS, 1 / PACED_RATE, bare=True
        ),
        "bare driver, 1 commit per row": raw("raw_per_row"),
        "bare driver, every row in 1 transaction": raw("raw_batch"),
    }


# ---------------------------------------------------------------------------- report
def filesystem(path: Path) -> str:
    """The file system type of ``path`` (best effort, Linux)."""
    try:
        best, kind = "", "?"
        for line in Path("/proc/self/mounts").read_text().splitlines():
            _dev, mnt, fstype, *_ = line.split()
            if str(path.resolve()).startswith(mnt) and len(mnt) > len(best):
                best, kind = mnt, fstype
        return kind
    except OSError:
        return "?"


def summary(runs: list[dict[str, float]]) -> dict[str, Any]:
    keys = runs[0].keys()
    return {
        "median": {k: statistics.median(r[k] for r in runs) for k in keys},
        "min_rate": min(r["rate"] for r in runs),
        "max_rate": max(r["rate"] for r in runs),
        "lost": sum(r.get("lost", 0) for r in runs),
        "duplicated": sum(r.get("duplicated", 0) for r in runs),
        "runs": runs,
    }


def run_all(targets: list[Target], n: int, times: int) -> dict[str, dict[str, dict[str, Any]]]:
    """Every measure on every backend, ``times`` over (one repeat is a round of all of
    them, so that load from elsewhere falls on every row alike): backend -> label -> figures."""
    plans = {t.name: measures(t, n) for t in targets}
    runs: dict[str, dict[str, list[dict[str, float]]]] = {
        name: {label: [] for label in plan} for name, plan in plans.items()
    }
    for i in range(times):
        for name, plan in plans.items():
            for label, fn in plan.items():
                runs[name][label].append(fn())
                print(
                    f"  {name}: {label}: run {i + 1}/{times} "
                    f"{runs[name][label][-1]['rate']:,.0f}/s",
                    file=sys.stderr,
                )
    return {
        name: {label: summary(r) for label, r in by_label.items()}
        for name, by_label in runs.items()
    }


def side_by_side(results: dict[str, dict[str, dict[str, Any]]]) -> str:
    """One row per measure, one block of columns per backend."""

    def ms(v: float | None) -> str:
        return f"{v:7.2f}" if v is not None else f"{'-':>7}"

    names = list(results)
    labels = list(results[names[0]])
    width = 40
    head = f"{'median of runs':<{width}}" + "".join(
        f" | {name + ': events/s (min-max)':<30}{'p50 ms':>8}{'p99 ms':>8}" for name in names
    )
    lines = [head]
    for label in labels:
        line = f"{label:<{width}}"
        for name in names:
            r = results[name][label]
            m = r["median"]
            cell = f"{m['rate']:,.0f} ({r['min_rate']:,.0f}-{r['max_rate']:,.0f})"
            line += f" | {cell:<30}{ms(m.get('p50_ms')):>8}{ms(m.get('p99_ms')):>8}"
        lines.append(line)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="warroom journal benchmark")
    p.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--events", type=int, default=1000, help="appends per run (and per process)")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="where the SQLite databases go (default: the system temp dir); fsync cost "
        "depends on the disk",
    )
    p.add_argument(
        "--pg", metavar="URL", default=None,
        help="a PostgreSQL server to run on (a database of its own per run, made and "
        "dropped: needs CREATEDB); default: a throwaway cluster on the loopback",
    )  # fmt: skip
    p.add_argument("--no-json", action="store_true", help="do not write bench/results/*")
    p.add_argument("--pace", type=float, default=0.0, help=argparse.SUPPRESS)
    p.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    p.add_argument(
        "--worker", nargs=4, metavar=("DB", "INCIDENT", "N", "TAG"), help=argparse.SUPPRESS
    )
    args = p.parse_args(argv)
    if args.worker:
        db, incident, n, tag = args.worker
        if args.bare:
            bare_worker(db, int(incident), int(n), tag, args.pace)
        else:
            asyncio.run(worker(db, int(incident), int(n), tag, args.pace))
        return 0
    if args.events < 1 or args.repeats < 1:
        print("bench_journal: --events and --repeats must be at least 1", file=sys.stderr)
        return 2

    from bench.pg_server import ServerUnavailable, server

    work = Path(tempfile.mkdtemp(prefix="warroom-bench-", dir=args.dir))
    n, times = args.events, args.repeats
    began = time.monotonic()
    about: list[str] = []
    try:
        with contextlib.ExitStack() as stack:
            targets: list[Target] = []
            if args.backend in ("sqlite", "both"):
                targets.append(SqliteTarget(work))
                about.append(
                    f"SQLite {sqlite3.sqlite_version} (WAL + synchronous=FULL), databases on "
                    f"{filesystem(work)} ({work.parent})"
                )
            if args.backend in ("postgres", "both"):
                pg = stack.enter_context(server(args.pg))
                targets.append(PgTarget(pg))
                about.append(pg.describe())
            results = run_all(targets, n, times)
    except ServerUnavailable as e:
        print(f"bench_journal: postgres: {e} (try --backend sqlite)", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(work, ignore_errors=True)
    took = time.monotonic() - began

    lines = [
        f"warroom journal benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {n} events per "
        f"run (and per process), median of {times} runs, {took:.0f} s",
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average "
        + " ".join(f"{x:.2f}" for x in os.getloadavg()) + " at the end",
        *about,
        "",
        side_by_side(results),
        "",
    ]  # fmt: skip
    bad = 0
    for name, by_label in results.items():
        single = by_label["Store.append, 1 process"]["median"]["rate"]
        batch = by_label["bare driver, every row in 1 transaction"]["median"]["rate"]
        flat = by_label[f"Store.append, {WRITERS} processes at once"]["median"]
        paced = by_label[f"Store.append, {WRITERS} processes, {PACED_RATE}/s each"]["median"]
        lost = sum(r["lost"] for r in by_label.values())
        dup = sum(r["duplicated"] for r in by_label.values())
        bad += lost + dup
        lines.append(
            f"{name}: one acknowledged append costs {batch / single:,.0f}x a row of one "
            f"transaction. {WRITERS} writers (target: append p99 < 20 ms): flat out p99 "
            f"{flat['p99_ms']:.1f} ms (worst {flat['max_ms']:.0f}), at {PACED_RATE}/s each p99 "
            f"{paced['p99_ms']:.1f} ms (worst {paced['max_ms']:.0f}). Lost {lost}, duplicated "
            f"{dup} over every multi-writer run."
        )
    report = "\n".join(lines)
    print(report)
    if not args.no_json:
        stamp = f"{datetime.now(UTC):%Y%m%d-%H%M%S}"
        out = HERE / "results" / f"journal-{stamp}.json"
        out.parent.mkdir(exist_ok=True)
        out.with_suffix(".txt").write_text(report + "\n")
        out.write_text(
            json.dumps(
                {
                    "events": n,
                    "repeats": times,
                    "sqlite": sqlite3.sqlite_version,
                    "python": platform.python_version(),
                    "cpus": os.cpu_count(),
                    "about": about,
                    "loadavg": os.getloadavg(),
                    "seconds": took,
                    "results": results,
                },
                indent=2,
            )
        )
        print(f"written {out.relative_to(ROOT)} and .txt")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
