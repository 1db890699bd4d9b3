"""The journal benchmark's writers: appends timed one by one, in this process or in several
at once (``python -m bench.bench_journal --worker ...``, the store's or the bare driver's),
and the check that every acknowledged event was stored exactly once."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.journal_targets import PgTarget, SqliteTarget, make_events, percentile, target_for
from storage.paths import resolve_db
from storage.sql import event_values
from tui.cli_store import open_store

ROOT = Path(__file__).resolve().parents[1]
PROCESSES = 4
Target = SqliteTarget | PgTarget


async def timed_appends(
    store: Any, events: list[Any], pace: float = 0.0
) -> tuple[float, float, list[float]]:
    """Append one at a time, each awaited, ``pace`` seconds apart (0: back to back):
    (start, end, per-append seconds)."""
    lat = []
    start = time.perf_counter()
    for e in events:
        t = time.perf_counter()
        await store.append(e)
        lat.append(time.perf_counter() - t)
        if pace:
            await asyncio.sleep(max(0.0, pace - (time.perf_counter() - t)))
    return start, time.perf_counter(), lat


async def one_process(target: Target, n: int) -> dict[str, float]:
    where, iid = await target.fresh()
    events = make_events(iid, n)
    async with await open_store(resolve_db(where)) as s:
        start, end, lat = await timed_appends(s, events)
        assert len(await s.events(iid)) == n + 1
    return {
        "rate": n / (end - start),
        "p50_ms": percentile(lat, 50) * 1e3,
        "p99_ms": percentile(lat, 99) * 1e3,
    }


def bare_worker(where: str, incident_id: int, n: int, tag: str, pace: float) -> None:
    """A concurrent writer with the bare driver (the baseline of the store's writers)."""
    append, close = target_for(where).bare(where)
    data = [event_values(e) for e in make_events(incident_id, n, tag)]
    lat = []
    try:
        print("ready", flush=True)
        sys.stdin.readline()
        wall, start = time.time(), time.perf_counter()
        for row in data:
            t = time.perf_counter()
            append(row)
            lat.append(time.perf_counter() - t)
            if pace:
                time.sleep(max(0.0, pace - (time.perf_counter() - t)))
        end = time.perf_counter()
    finally:
        close()
    print(json.dumps({"start": wall, "end": wall + (end - start), "lat": lat}), flush=True)


async def worker(where: str, incident_id: int, n: int, tag: str, pace: float = 0.0) -> None:
    """One of the concurrent writers: ready, wait for go, append, report (JSON on stdout)."""
    events = make_events(incident_id, n, tag)
    async with await open_store(resolve_db(where)) as s:
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        wall = time.time()
        start, end, lat = await timed_appends(s, events, pace)
    print(json.dumps({"start": wall, "end": wall + (end - start), "lat": lat}), flush=True)


def lost_and_duplicated(stored: list[tuple[int, str]], expected: list[str]) -> tuple[int, int]:
    """How many ``expected`` texts are not stored, and how many rows are stored twice (a text
    or an id seen more than once)."""
    texts = [t for _, t in stored]
    ids = [i for i, _ in stored]
    lost = len(set(expected) - set(texts))
    duplicated = (len(texts) - len(set(texts))) + (len(ids) - len(set(ids)))
    return lost, duplicated


def many_processes(
    target: Target, n: int, processes: int = PROCESSES, pace: float = 0.0, bare: bool = False
) -> dict[str, float]:
    """``processes`` writers on one incident at once, each appending ``n`` events (``pace``
    seconds apart; 0: as fast as it can; ``bare``: with the bare driver, not the store); then
    every acknowledged event must be stored exactly once."""
    where, iid = asyncio.run(target.fresh())
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.bench_journal",
                "--worker",
                where,
                str(iid),
                str(n),
                f"w{i}",
                "--pace",
                str(pace),
                *(["--bare"] if bare else []),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
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
            out, _ = p.communicate(timeout=600)
            if p.returncode:
                raise RuntimeError(f"a benchmark writer failed (exit {p.returncode})")
            reports.append(json.loads(out))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    expected = [e.text for i in range(processes) for e in make_events(iid, n, f"w{i}")]
    lost, duplicated = lost_and_duplicated(target.stored(where, iid), expected)
    lat = [x for r in reports for x in r["lat"]]
    span = max(r["end"] for r in reports) - min(r["start"] for r in reports)
    return {
        "rate": processes * n / span,
        "p50_ms": percentile(lat, 50) * 1e3,
        "p99_ms": percentile(lat, 99) * 1e3,
        "max_ms": max(lat) * 1e3,
        "lost": lost,
        "duplicated": duplicated,
    }
