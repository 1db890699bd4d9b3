"""Bytes, not lines: the real console on sources printing very long lines, for three attaches,
against the same console on an ordinary source, in the same run.

    .venv/bin/python -m bench.bench_bytes [--runs 3] [--endless-s 10] [--huge 1000]
                                          [--mix 20000] [--ordinary 1000000]
                                          [--root DIR] [--no-json]

The hostile set is three sources recorded with the CLI (``warroom tail INC-1 --cmd ...``):

* ``huge``: 1,000 lines of 1 MiB (``--huge``), then it waits, as ``tail -F`` does;
* ``endless``: one line that never ends (64 KiB writes, no newline, for ever);
* ``mix``: 20,000 lines (``--mix``): 90% of 100-200 bytes, 8% of 1-16 KiB, 2% of 64 KiB to
  2 MiB, about 440 MB, the same every time; then it waits.

The baseline is one ``ordinary`` source: 1,000,000 lines of 100 bytes (``--ordinary``),
then it waits. Each console is the real app (``warroom attach``) in a tmux server of its own
(120x36), with the default budgets. An attach lasts until ``huge`` and ``mix`` (or
``ordinary``) have printed their last line and it is in the database, then ``--endless-s``
seconds more (the endless line keeps coming), then the console gets SIGTERM. Sources left
running are restarted by the next attach (the ledger says "restarted"), which also reloads
what was captured: three attaches print the set three times. Measured per attach:

* the console's resident memory (psutil: the peak of samples every 0.2 s, and at the end);
* the database's growth since before the first attach: file plus ``-wal``, the peak of the
  same samples and after the console has gone, against the sum of the sources' budgets
  (64 MiB each by default);
* what ``capture_totals`` says each source holds.

Figures are medians over ``--runs`` runs; hostile and baseline runs alternate. Goals (issue
#16, item 4): the console under 250 MB resident, the database grown by no more than the
sources' budgets. ``--root DIR`` runs the console from another checkout (to measure the code
before a change: ``git archive COMMIT | tar -x -C DIR``); a console past ``--kill-rss`` MB is
killed and the attach recorded as such, so an unbounded build cannot take the machine down.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import psutil

from bench._common import ROOT, Tmux, warroom_cli
from bench.bytes_sources import GENERATORS

RESULTS = ROOT / "bench" / "results"
RSS_BOUND_MB = 250
BUDGET = 64 << 20  # storage.capture.DEFAULT_BYTES (not imported: --root may be older code)
SAMPLE_S = 0.2


def env_for(root: Path, db: Path, cfg: Path) -> dict[str, str]:
    return {
        "WARROOM_DB": str(db),
        "WARROOM_CONFIG_DIR": str(cfg),
        "WARROOM_USER": "@bench",
        "TERM": "xterm-256color",
        "PYTHONPATH": str(root),
        "HOME": os.environ.get("HOME", "/root"),
        "PATH": os.environ.get("PATH", ""),
    }


def db_bytes(db: Path) -> int:
    return sum(p.stat().st_size for p in (db, db.with_name(db.name + "-wal")) if p.exists())


def query(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)) as conn:
            return conn.execute(sql, params).fetchall()
    except sqlite3.Error:
        return []


def newest(db: Path, source_id: str) -> str | None:
    rows = query(
        db,
        "SELECT text FROM captured_lines WHERE incident_id=1 AND source_id=? "
        "ORDER BY no DESC LIMIT 1",
        (source_id,),
    )
    return rows[0][0] if rows else None


class Console:
    """The real console in a tmux server of its own."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root, self.env = root, env
        self.tmux = Tmux("warroom-bytes")
        self.proc: psutil.Process | None = None

    def start(self) -> None:
        env = " ".join(f"{k}={shlex.quote(v)}" for k, v in self.env.items())
        command = (
            f"cd {shlex.quote(str(self.root))} && exec env -u COLUMNS -u LINES {env} "
            f"{shlex.quote(sys.executable)} -m tui.cli attach INC-1"
        )
        self.tmux("-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "36", command)
        self.tmux("resize-window", "-t", "0", "-x", "120", "-y", "36")
        self.proc = psutil.Process(self.tmux.pane_pid())

    def rss_mb(self) -> float | None:
        try:
            return self.proc.memory_info().rss / 1e6 if self.proc else None
        except psutil.Error:
            return None

    def stop(self, kill: bool = False) -> None:
        if self.proc is not None:
            children = self.proc.children(recursive=True)
            try:
                self.proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
                self.proc.wait(30)
            except (psutil.Error, psutil.TimeoutExpired):
                self.proc.kill()
            for c in children:  # (SIGKILL: its sources go with it, by their death signal)
                try:
                    c.wait(5)
                except (psutil.Error, psutil.TimeoutExpired):
                    c.kill()
        self.tmux.kill()


def setup(
    root: Path, tmp: Path, names: list[str], counts: dict[str, int]
) -> tuple[Path, dict[str, str]]:
    db, cfg = tmp / "w.db", tmp / "cfg"
    env = env_for(root, db, cfg)
    warroom_cli(env, "declare", "Bytes bench", "--severity", "SEV-2", root=root)
    for name in names:
        script = tmp / f"{name}.py"
        script.write_text(GENERATORS[name])
        cmd = f"{shlex.quote(sys.executable)} -u {shlex.quote(str(script))} {counts[name]}"
        warroom_cli(env, "tail", "INC-1", "--cmd", cmd, "--name", name, root=root)
    return db, env


def source_ids(db: Path) -> dict[str, str]:
    out = {}
    for (payload,) in query(db, "SELECT payload FROM events WHERE kind='command'"):
        p = json.loads(payload)
        if p.get("op") == "added":
            out[p["spec"]["name"]] = p["source_id"]
    return out


def attach(
    root: Path,
    db: Path,
    env: dict[str, str],
    k: int,
    waited: list[str],
    endless_s: float,
    kill_rss: float,
    start_bytes: int,
    timeout: float,
) -> dict:
    ids = source_ids(db)
    console = Console(root, env)
    t0 = time.monotonic()
    console.start()
    rss: list[float] = []
    size: list[int] = []
    killed = None
    finished: float | None = None
    while True:
        time.sleep(SAMPLE_S)
        r = console.rss_mb()
        if r is not None:
            rss.append(r)
        size.append(db_bytes(db))
        if r is not None and r > kill_rss:
            killed = f"resident memory past {kill_rss:.0f} MB"
        elif size[-1] - start_bytes > 8 * len(ids) * BUDGET:
            killed = "database past 8 times the sources' budgets"
        elif time.monotonic() - t0 > timeout:
            killed = f"not done in {timeout:.0f} s"
        if killed:
            break
        if finished is None and all(newest(db, ids[name]) == f"done {k}" for name in waited):
            finished = time.monotonic()
        if finished is not None and time.monotonic() - finished >= endless_s:
            break
    end_rss = console.rss_mb()
    why = None
    if killed and killed.startswith("not done"):  # what it was waiting for, to see why
        why = {
            "newest": {name: (newest(db, ids[name]) or "")[:40] for name in waited},
            "ledger": [
                json.loads(p)["op"] + " " + json.loads(p)["source_id"]
                for (p,) in query(db, "SELECT payload FROM events WHERE kind='command'")
            ],
            "screen": console.tmux("capture-pane", "-p", "-t", "0"),
        }
    console.stop(kill=killed is not None)
    time.sleep(0.5)
    size.append(db_bytes(db))
    totals = {
        name: query(db, "SELECT lines, bytes FROM capture_totals WHERE source_id=?", (sid,))
        for name, sid in ids.items()
    }
    stored = {
        name: query(
            db,
            "SELECT count(*), coalesce(sum(length(CAST(text AS BLOB))),0) "
            "FROM captured_lines WHERE source_id=?",
            (sid,),
        )[0]
        for name, sid in ids.items()
    }
    return {
        "attach": k,
        "seconds": round((finished or time.monotonic()) - t0, 1),
        "killed": killed,
        "why": why,
        "rss_mb": {
            "peak": round(max(rss), 1) if rss else None,
            "end": round(end_rss, 1) if end_rss else None,
        },
        "db_growth_mb": {
            "peak": round((max(size) - start_bytes) / 1e6, 1),
            "end": round((size[-1] - start_bytes) / 1e6, 1),
        },
        "budgets_mb": round(len(ids) * BUDGET / 1e6, 1),
        "stored": {
            name: {
                "lines": n,
                "text_mb": round(b / 1e6, 1),
                "totals": (list(totals[name][0]) if totals[name] else None),
            }
            for name, (n, b) in stored.items()
        },
    }


def one_run(root: Path, kind: str, args: argparse.Namespace) -> list[dict]:
    names, waited = (
        (["huge", "endless", "mix"], ["huge", "mix"])
        if kind == "hostile"
        else (["ordinary"], ["ordinary"])
    )
    counts = {"huge": args.huge, "mix": args.mix, "ordinary": args.ordinary, "endless": 0}
    with tempfile.TemporaryDirectory(prefix="warroom-bytes-") as d:
        tmp = Path(d)
        db, env = setup(root, tmp, names, counts)
        start = db_bytes(db)
        out = []
        for k in (1, 2, 3):
            res = attach(
                root,
                db,
                env,
                k,
                waited,
                args.endless_s if kind == "hostile" else 0,
                args.kill_rss,
                start,
                args.timeout,
            )
            out.append(res)
            print(f"  {kind} attach {k}: {json.dumps(res)}", flush=True)
            if res["killed"]:
                break
        return out


def median_of(runs: list[list[dict]], k: int, *path: str) -> float | None:
    values = []
    for run in runs:
        if len(run) >= k:
            v = run[k - 1]
            for p in path:
                v = v.get(p) if isinstance(v, dict) else None
            if isinstance(v, (int, float)):
                values.append(v)
    return round(statistics.median(values), 1) if values else None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--endless-s", type=float, default=10.0)
    p.add_argument("--huge", type=int, default=1000)
    p.add_argument("--mix", type=int, default=20000)
    p.add_argument("--ordinary", type=int, default=1_000_000)
    p.add_argument("--timeout", type=float, default=300.0, help="longest attach (s)")
    p.add_argument("--kill-rss", type=float, default=3000.0, metavar="MB")
    p.add_argument("--root", type=Path, default=ROOT, help="the checkout to run")
    p.add_argument("--no-json", action="store_true")
    args = p.parse_args(argv)
    root = args.root.resolve()
    commit = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip() or str(root)
    runs: dict[str, list[list[dict]]] = {"baseline": [], "hostile": []}
    for r in range(args.runs):
        print(f"run {r + 1} of {args.runs}", flush=True)
        runs["baseline"].append(one_run(root, "baseline", args))
        runs["hostile"].append(one_run(root, "hostile", args))
    summary = {
        kind: [
            {
                "attach": k,
                "rss_peak_mb": median_of(rs, k, "rss_mb", "peak"),
                "rss_end_mb": median_of(rs, k, "rss_mb", "end"),
                "db_growth_peak_mb": median_of(rs, k, "db_growth_mb", "peak"),
                "db_growth_end_mb": median_of(rs, k, "db_growth_mb", "end"),
                "budgets_mb": median_of(rs, k, "budgets_mb"),
                "seconds": median_of(rs, k, "seconds"),
            }
            for k in (1, 2, 3)
        ]
        for kind, rs in runs.items()
    }
    hostile = summary["hostile"]
    figures = {
        "bench": "bytes",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "code": commit,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "sqlite": sqlite3.sqlite_version,
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "medians": summary,
        "runs": runs,
        "within_bounds": {
            "rss": all(
                a["rss_peak_mb"] is not None and a["rss_peak_mb"] < RSS_BOUND_MB for a in hostile
            ),
            "db": all(
                a["db_growth_peak_mb"] is not None
                and a["budgets_mb"] is not None
                and a["db_growth_peak_mb"] <= a["budgets_mb"]
                for a in hostile
            ),
            "killed": [
                a["killed"] for rs in runs.values() for run in rs for a in run if a["killed"]
            ],
        },
    }
    print(
        f"{'':10} {'attach':>6} {'RSS peak':>9} {'RSS end':>8} {'DB growth peak':>15} "
        f"{'DB end':>7} {'budgets':>8} {'s':>6}"
    )
    for kind, rows in summary.items():
        for a in rows:
            print(
                f"{kind:10} {a['attach']:>6} {a['rss_peak_mb']!s:>9} {a['rss_end_mb']!s:>8} "
                f"{a['db_growth_peak_mb']!s:>15} {a['db_growth_end_mb']!s:>7} "
                f"{a['budgets_mb']!s:>8} {a['seconds']!s:>6}"
            )
    print(json.dumps(figures["within_bounds"]))
    if not args.no_json:
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = RESULTS / f"bytes-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
        out.write_text(json.dumps(figures, indent=2) + "\n")
        print(f"written to {out}")
    return 0 if figures["within_bounds"]["rss"] and figures["within_bounds"]["db"] else 1


if __name__ == "__main__":
    sys.exit(main())
