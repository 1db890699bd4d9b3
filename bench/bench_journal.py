"""Journal benchmark: what one acknowledged (committed, fsynced) event costs.

    .venv/bin/python -m bench.bench_journal            # or: .venv/bin/python bench/bench_journal.py
    .venv/bin/python -m bench.bench_journal --events 500 --repeats 3 --dir /some/disk

Measures, on a fresh database per run, with the store's own settings (WAL, synchronous=FULL):

- ``Store.append`` awaited in a loop from one process: appends/s, p50/p99 of one append;
- the same from four processes at once on one database (aggregate appends/s, and the latency
  each writer saw, waiting for the others' locks included);
- baselines in the same run, same rows, plain ``sqlite3``: one ``executemany`` in a single
  transaction (one fsync for everything: the cost of per-event durability is the gap), and one
  commit per row without aiosqlite (how much of an append is fsync, how much is the store).

Each measurement is repeated (``--repeats``, 5 by default) and the median printed; the figures
also go to ``bench/results/journal-<time>.json`` (gitignored).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from incident import commands
from incident.clock import FrozenClock
from incident.journal import Event, Note
from incident.model import Severity
from storage.store import Store, ts

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PROCESSES = 4


# ---------------------------------------------------------------------------- the data
def make_events(incident_id: int, n: int, tag: str = "bench") -> list[Event]:
    """``n`` notes of a realistic size (a line of text, an action, an owner)."""
    return [
        Event(
            incident_id=incident_id,
            occurred_at=T0 + timedelta(seconds=i),
            recorded_at=T0 + timedelta(seconds=i),
            text=f"{tag} {i}: p99 latency on checkout-api back under 300 ms after rollback",
            action="Watching the error rate",
            owner="ana",
            payload=Note(),
        )
        for i in range(n)
    ]


def rows(events: list[Event]) -> list[tuple[Any, ...]]:
    """The rows ``Store.append`` writes for ``events`` (same columns, same encoding)."""
    return [
        (
            e.incident_id,
            ts(e.occurred_at),
            ts(e.recorded_at),
            e.kind.value,
            e.text,
            e.action,
            e.owner,
            e.payload.model_dump_json(),
            e.corrects,
        )
        for e in events
    ]


INSERT = (
    "INSERT INTO events(incident_id, occurred_at, recorded_at, kind, text, action, owner,"
    " payload, corrects) VALUES (?,?,?,?,?,?,?,?,?)"
)


async def fresh_db(directory: Path) -> tuple[Path, int]:
    """A new database made by the store, with one declared incident."""
    path = Path(tempfile.mkdtemp(prefix="run-", dir=directory)) / "bench.db"
    async with await Store.open(path) as s:
        d = await s.declare(commands.declare(FrozenClock(T0), "Benchmark", Severity.SEV2))
    return path, d.incident_id


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


# ---------------------------------------------------------------------------- measurements
async def timed_appends(store: Store, events: list[Event]) -> tuple[float, float, list[float]]:
    """Append one at a time, each awaited: (start, end, per-append seconds)."""
    lat = []
    start = time.perf_counter()
    for e in events:
        t = time.perf_counter()
        await store.append(e)
        lat.append(time.perf_counter() - t)
    return start, time.perf_counter(), lat


async def one_process(directory: Path, n: int) -> dict[str, float]:
    path, iid = await fresh_db(directory)
    events = make_events(iid, n)
    async with await Store.open(path) as s:
        start, end, lat = await timed_appends(s, events)
        assert len(await s.events(iid)) == n + 1
    return {
        "rate": n / (end - start),
        "p50_ms": percentile(lat, 50) * 1e3,
        "p99_ms": percentile(lat, 99) * 1e3,
    }


async def worker(path: str, incident_id: int, n: int, tag: str) -> None:
    """One of the concurrent writers: ready, wait for go, append, report (JSON on stdout)."""
    events = make_events(incident_id, n, tag)
    async with await Store.open(path) as s:
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        wall = time.time()
        start, end, lat = await timed_appends(s, events)
    print(json.dumps({"start": wall, "end": wall + (end - start), "lat": lat}), flush=True)


def many_processes(directory: Path, n: int, processes: int = PROCESSES) -> dict[str, float]:
    path, iid = asyncio.run(fresh_db(directory))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--worker",
                str(path),
                str(iid),
                str(n),
                f"w{i}",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for i in range(processes)
    ]
    try:
        for p in procs:
            assert p.stdout is not None
            if p.stdout.readline().strip() != "ready":
                raise RuntimeError("a benchmark writer failed to start")
        for p in procs:  # go, as close together as we can
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        reports = []
        for p in procs:
            out, _ = p.communicate(timeout=300)
            if p.returncode:
                raise RuntimeError(f"a benchmark writer failed (exit {p.returncode})")
            reports.append(json.loads(out))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    with closing(sqlite3.connect(path)) as c:
        assert c.execute("SELECT count(*) FROM events").fetchone()[0] == processes * n + 1
    lat = [x for r in reports for x in r["lat"]]
    span = max(r["end"] for r in reports) - min(r["start"] for r in reports)
    return {
        "rate": processes * n / span,
        "p50_ms": percentile(lat, 50) * 1e3,
        "p99_ms": percentile(lat, 99) * 1e3,
        "max_ms": max(lat) * 1e3,
    }


def _raw(path: Path) -> sqlite3.Connection:
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("PRAGMA synchronous=FULL")  # as the store sets it (the file is in WAL already)
    c.execute("PRAGMA foreign_keys=ON")
    return c


def raw_batch(directory: Path, n: int) -> dict[str, float]:
    path, iid = asyncio.run(fresh_db(directory))
    data = rows(make_events(iid, n))
    with closing(_raw(path)) as c:
        start = time.perf_counter()
        c.execute("BEGIN IMMEDIATE")
        c.executemany(INSERT, data)
        c.execute("COMMIT")
        took = time.perf_counter() - start
    return {"rate": n / took}


def raw_per_row(directory: Path, n: int) -> dict[str, float]:
    path, iid = asyncio.run(fresh_db(directory))
    data = rows(make_events(iid, n))
    lat = []
    with closing(_raw(path)) as c:
        start = time.perf_counter()
        for row in data:
            t = time.perf_counter()
            c.execute("BEGIN IMMEDIATE")
            c.execute(INSERT, row)
            c.execute("COMMIT")
            lat.append(time.perf_counter() - t)
        took = time.perf_counter() - start
    return {
        "rate": n / took,
        "p50_ms": percentile(lat, 50) * 1e3,
        "p99_ms": percentile(lat, 99) * 1e3,
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


def repeat(name: str, fn: Callable[[], dict[str, float]], times: int) -> dict[str, Any]:
    runs = []
    for i in range(times):
        runs.append(fn())
        print(f"  {name}: run {i + 1}/{times} {runs[-1]['rate']:,.0f}/s", file=sys.stderr)
    keys = runs[0].keys()
    return {
        "median": {k: statistics.median(r[k] for r in runs) for k in keys},
        "min_rate": min(r["rate"] for r in runs),
        "max_rate": max(r["rate"] for r in runs),
        "runs": runs,
    }


def table(results: dict[str, dict[str, Any]]) -> str:
    def ms(v: float | None) -> str:
        return f"{v:8.2f}" if v is not None else f"{'-':>8}"

    lines = [f"{'median of runs':<44}{'events/s':>10}{'(min-max)':>18}{'p50 ms':>9}{'p99 ms':>9}"]
    for label, r in results.items():
        m = r["median"]
        spread = f"({r['min_rate']:,.0f}-{r['max_rate']:,.0f})"
        lines.append(
            f"{label:<44}{m['rate']:>10,.0f}{spread:>18}"
            f" {ms(m.get('p50_ms'))} {ms(m.get('p99_ms'))}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="warroom journal benchmark")
    p.add_argument("--events", type=int, default=1000, help="appends per run (and per process)")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="where the databases go (default: the system temp dir); fsync cost "
        "depends on the disk",
    )
    p.add_argument("--no-json", action="store_true", help="do not write bench/results/*.json")
    p.add_argument(
        "--worker", nargs=4, metavar=("DB", "INCIDENT", "N", "TAG"), help=argparse.SUPPRESS
    )
    args = p.parse_args(argv)
    if args.worker:
        db, incident, n, tag = args.worker
        asyncio.run(worker(db, int(incident), int(n), tag))
        return 0

    work = Path(tempfile.mkdtemp(prefix="warroom-bench-", dir=args.dir))
    n, times = args.events, args.repeats
    began = time.monotonic()
    try:
        results = {
            "Store.append, 1 process": repeat(
                "1 process", lambda: asyncio.run(one_process(work, n)), times
            ),
            f"Store.append, {PROCESSES} processes at once (aggregate)": repeat(
                f"{PROCESSES} processes", lambda: many_processes(work, n), times
            ),
            "raw sqlite3, 1 commit per row (no aiosqlite)": repeat(
                "raw per row", lambda: raw_per_row(work, n), times
            ),
            "raw sqlite3 executemany, 1 transaction": repeat(
                "raw batch", lambda: raw_batch(work, n), times
            ),
        }
    finally:
        fs = filesystem(work)
        shutil.rmtree(work, ignore_errors=True)
    took = time.monotonic() - began

    single = results["Store.append, 1 process"]["median"]["rate"]
    batch = results["raw sqlite3 executemany, 1 transaction"]["median"]["rate"]
    many = results[f"Store.append, {PROCESSES} processes at once (aggregate)"]["median"]
    print(
        f"\nwarroom journal benchmark: {n} events per run (and per process), median of "
        f"{times} runs, {took:.0f} s"
    )
    print(
        f"SQLite {sqlite3.sqlite_version}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, WAL + synchronous=FULL, databases on {fs} ({work.parent})\n"
    )
    print(table(results))
    print(
        f"\nper-event durability: one acknowledged append costs {batch / single:,.0f}x a row of "
        f"a single batch; {PROCESSES} writers at once: worst wait {many['max_ms']:.0f} ms"
    )

    if not args.no_json:
        out = HERE / "results" / f"journal-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(
            json.dumps(
                {
                    "events": n,
                    "repeats": times,
                    "sqlite": sqlite3.sqlite_version,
                    "python": platform.python_version(),
                    "cpus": os.cpu_count(),
                    "filesystem": fs,
                    "seconds": took,
                    "results": {k: {kk: vv for kk, vv in v.items()} for k, v in results.items()},
                },
                indent=2,
            )
        )
        print(f"written {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
