"""A log flood through the real console in a real terminal (tmux 160x40), against the stock
Textual ``Log`` fed the same way (bench/stock_log_app.py), side by side in the same run.

    .venv/bin/python -m bench.bench_ingest [--lines 2000000] [--runs 3]
                                           [--memory-lines 10000000] [--no-json]

Each run starts the app in a fresh tmux server (``env -u COLUMNS -u LINES``, its own
WARROOM_CONFIG_DIR) and polls ``capture-pane -p`` every 20 ms until the LAST line of a
generated file (``--lines`` realistic ~100-byte log lines, 1 in 50 with a colour code, the
last a unique marker) is on screen. warroom gets a fresh database per run, the source
recorded with the CLI (``declare``, then ``tail INC-1 --cmd 'cat FILE' --name flood``), and
runs ``attach`` with capture on (the default). Measured per run, for both apps:

* launch -> last line on screen (s); the flood's lines/s, from the first log line on screen
  to the last, and end to end (from launch);
* event-loop lag during the flood: ``WARROOM_LAG_LOG=path`` (an opt-in of tui/app.py, and
  the same in the baseline) records the lateness of a 10 ms timer; p50/p99/max of the ticks
  between the first and the last line on screen;
* bytes the app wrote to the terminal (``tmux pipe-pane -o 'cat >> FILE'``) between the
  first and the last line on screen, as KB/s;
* resident memory (psutil, the app's process) when the last line is on screen.

A memory run then pushes ``--memory-lines`` lines (a ``python -c`` generator repeating a
block of 50,000 distinct lines, not a file) through warroom's one pane and reads its RSS when
the last one is on screen. Runs alternate; the figures are medians (lag is also given over
the ticks of all runs pooled, since one run's flood holds only a few hundred ticks).

The issue's targets: warroom at least 4x faster than the baseline, > 1,000,000 lines/s
sustained, p99 lag < 50 ms, < 150 KB/s to the terminal for one busy pane, < 250 MB resident
after 10,000,000 lines.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psutil

from bench._common import ROOT, Tmux, alive, warroom_cli
from bench.ingest_inputs import FLOOD_TEXT, GENERATOR, make_file

POLL = 0.02
WIDTH, HEIGHT = 160, 40


def base_env(tmp: Path) -> dict[str, str]:
    return {
        "WARROOM_CONFIG_DIR": str(tmp / "cfg"),
        "WARROOM_USER": "@bench",
        "TERM": "xterm-256color",
        "PYTHONPATH": str(ROOT),
        "HOME": os.environ.get("HOME", "/tmp"),
        "PATH": os.environ.get("PATH", ""),
    }


def make_db(db: Path, env: dict[str, str], command: str) -> None:
    warroom_cli(env, "--db", str(db), "declare", "Ingest benchmark", "--severity", "SEV-2")
    warroom_cli(env, "--db", str(db), "tail", "INC-1", "--cmd", command, "--name", "flood")


def captured(db: Path) -> tuple[int, int]:
    """(rows, highest line number) the capture store holds for the flood."""
    with sqlite3.connect(db) as conn:
        rows, top = conn.execute("SELECT count(*), max(no) FROM captured_lines").fetchone()
    return rows, top or 0


# ---------------------------------------------------------------------- one run
def percentile(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(q / 100 * (len(xs) - 1))))]


def flood_run(
    argv: list[str],
    env: dict[str, str],
    marker: str,
    lines: int,
    tmp: Path,
    label: str,
    timeout: float = 240.0,
) -> dict:
    """Launch ``argv`` in a fresh tmux server; measure until ``marker`` is on screen."""
    tmux = Tmux("bench-ingest")
    tty_log = tmp / f"{tmux.socket}.tty"
    lag_log = tmp / f"{tmux.socket}.lag"
    tty_log.touch()
    envs = " ".join(
        f"{k}={shlex.quote(v)}" for k, v in {**env, "WARROOM_LAG_LOG": str(lag_log)}.items()
    )
    # Not exec'd: if the app dies, the pane stays with its last words for the error below.
    cmd = (
        f"cd {shlex.quote(str(ROOT))} && env -u COLUMNS -u LINES {envs} "
        + " ".join(shlex.quote(a) for a in argv)
        + '; echo "[app exited: $?]"; sleep 300'
    )
    t0 = time.monotonic()
    tmux.start(cmd, WIDTH, HEIGHT)
    try:
        tmux("pipe-pane", "-o", "-t", "0", f"cat >> {shlex.quote(str(tty_log))}")
        size = tmux("display-message", "-p", "-t", "0", "#{pane_width}x#{pane_height}").strip()
        app = _app_process(tmux.pane_pid())
        t_first = t_last = None
        bytes_first = 0
        peak = 0
        screen = ""
        while True:
            screen = tmux("capture-pane", "-p", "-t", "0")
            now = time.monotonic()
            try:
                peak = max(peak, app.memory_info().rss)
            except psutil.Error:
                pass
            if t_first is None and (FLOOD_TEXT in screen or marker in screen):
                t_first, bytes_first = now, tty_log.stat().st_size
            if marker in screen:
                t_last = now
                break
            if now - t0 > timeout or not alive(app):
                raise RuntimeError(
                    f"{label}: {marker!r} never appeared "
                    f"(app {'alive' if alive(app) else 'gone'}):\n{screen}"
                )
            time.sleep(POLL)
        bytes_last = tty_log.stat().st_size
        rss = app.memory_info().rss
        peak = max(peak, rss)
        app.terminate()  # SIGTERM: both apps exit cleanly and write their lag samples
        try:
            app.wait(30)
        except psutil.TimeoutExpired:
            app.kill()
    finally:
        tmux.kill()
    samples = []
    if lag_log.exists():
        for row in lag_log.read_text().split("\n"):
            if row:
                t, late = row.split()
                if t_first <= float(t) <= t_last:
                    samples.append(float(late) * 1000)
    flood = max(t_last - t_first, 1e-6)
    result = {
        "pane": size,
        "launch_to_last_s": t_last - t0,
        "launch_to_first_s": t_first - t0,
        "flood_s": flood,
        "lines_per_s_flood": lines / flood,
        "lines_per_s_end_to_end": lines / (t_last - t0),
        "lag_ticks": len(samples),
        "lag_p50_ms": percentile(samples, 50),
        "lag_p99_ms": percentile(samples, 99),
        "lag_max_ms": max(samples, default=float("nan")),
        "lag_samples_ms": samples,
        "tty_bytes_flood": bytes_last - bytes_first,
        "tty_kb_per_s": (bytes_last - bytes_first) / 1000 / flood,
        "tty_bytes_total": tty_log.stat().st_size,
        "rss_mb": rss / 1e6,
        "peak_rss_mb": peak / 1e6,
    }
    for p in (tty_log, lag_log):
        p.unlink(missing_ok=True)
    return result


def _app_process(pane_pid: int) -> psutil.Process:
    """The app's Python process (a child of the pane's shell)."""
    deadline = time.monotonic() + 10
    while True:
        root = psutil.Process(pane_pid)
        for p in [root, *root.children(recursive=True)]:
            try:
                args = p.cmdline()
            except psutil.Error:
                continue
            if "tui.cli" in args or any(a.endswith("stock_log_app.py") for a in args):
                return p  # (env execs into the app: same process)
        if time.monotonic() > deadline:
            raise RuntimeError("the app's process never appeared")
        time.sleep(0.01)


# ---------------------------------------------------------------------- the benchmark
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=2_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--memory-lines", type=int, default=10_000_000)
    ap.add_argument("--memory-runs", type=int, default=None, help="default: --runs")
    ap.add_argument("--no-json", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="warroom-ingest-"))
    try:
        return bench(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # the flood file alone is 220 MB


def bench(args: argparse.Namespace, tmp: Path) -> int:
    memory_runs = args.runs if args.memory_runs is None else args.memory_runs
    env = base_env(tmp)
    marker = f"LAST-LINE-{uuid.uuid4().hex[:12]}"
    flood = tmp / "flood.log"
    t = time.perf_counter()
    size = make_file(flood, args.lines, marker)
    print(
        f"made {args.lines:,} lines ({size / 1e6:.0f} MB, {size / args.lines:.0f} B/line) "
        f"in {time.perf_counter() - t:.1f} s; {psutil.cpu_count()} CPUs"
    )
    py = sys.executable
    runs: dict[str, list[dict]] = {"warroom": [], "baseline": [], "memory": []}
    for i in range(args.runs):  # interleaved, so drift hits both alike
        db = tmp / f"run{i}.db"
        make_db(db, env, f"cat {shlex.quote(str(flood))}")
        r = flood_run(
            [py, "-m", "tui.cli", "--db", str(db), "attach", "INC-1"],
            env,
            marker,
            args.lines,
            tmp,
            "warroom",
        )
        r["captured_rows"], r["captured_last_no"] = captured(db)
        runs["warroom"].append(r)
        runs["baseline"].append(
            flood_run(
                [py, str(ROOT / "bench/stock_log_app.py"), str(flood)],
                env,
                marker,
                args.lines,
                tmp,
                "baseline",
            )
        )
        print(
            f"run {i + 1}: warroom {r['launch_to_last_s']:.2f} s, "
            f"baseline {runs['baseline'][-1]['launch_to_last_s']:.2f} s",
            flush=True,
        )
    for i in range(memory_runs):
        db = tmp / f"mem{i}.db"
        mark = f"MEM-LAST-{uuid.uuid4().hex[:12]}"
        make_db(
            db,
            env,
            " ".join(shlex.quote(a) for a in [py, "-c", GENERATOR, str(args.memory_lines), mark]),
        )
        r = flood_run(
            [py, "-m", "tui.cli", "--db", str(db), "attach", "INC-1"],
            env,
            mark,
            args.memory_lines,
            tmp,
            "memory",
            timeout=600,
        )
        runs["memory"].append(r)
        print(
            f"memory run {i + 1}: {args.memory_lines:,} lines in "
            f"{r['launch_to_last_s']:.1f} s, {r['rss_mb']:.0f} MB",
            flush=True,
        )

    def med(case: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[case])

    w, b = "warroom", "baseline"
    ratio = med(b, "launch_to_last_s") / med(w, "launch_to_last_s")
    rows = [
        ("launch -> last line on screen (s)", "launch_to_last_s", "{:.2f}", ""),
        ("launch -> first line on screen (s)", "launch_to_first_s", "{:.2f}", ""),
        ("lines/s, first -> last on screen", "lines_per_s_flood", "{:,.0f}", "> 1,000,000"),
        ("lines/s, launch -> last", "lines_per_s_end_to_end", "{:,.0f}", ""),
        ("loop lag p50 (ms)", "lag_p50_ms", "{:.1f}", ""),
        ("loop lag p99 (ms)", "lag_p99_ms", "{:.1f}", "< 50"),
        ("loop lag max (ms)", "lag_max_ms", "{:.1f}", ""),
        ("terminal KB/s during the flood", "tty_kb_per_s", "{:.0f}", "< 150"),
        ("terminal bytes, whole session (KB)", "tty_bytes_total", "{:.0f}", ""),
        (f"RSS after {args.lines:,} lines (MB)", "rss_mb", "{:.0f}", ""),
    ]
    print(
        f"\n{args.lines:,} lines, {args.runs} runs, medians "
        f"(pane {runs[w][0]['pane']} of {WIDTH}x{HEIGHT}; baseline pane "
        f"{runs[b][0]['pane']})"
    )
    print(f"{'':<38}{'warroom':>14}{'stock Log':>14}   target")
    for title, key, fmt, target in rows:
        scale = 1 / 1000 if key == "tty_bytes_total" else 1
        print(
            f"{title:<38}{fmt.format(med(w, key) * scale):>14}"
            f"{fmt.format(med(b, key) * scale):>14}   {target}"
        )
    pooled = {c: [x for r in runs[c] for x in r["lag_samples_ms"]] for c in runs}
    for q in (50, 99):
        print(
            f"{f'loop lag p{q}, all runs pooled (ms)':<38}"
            f"{percentile(pooled[w], q):>14.1f}{percentile(pooled[b], q):>14.1f}"
        )
    print(f"{'stock Log / warroom, time to last line':<38}{ratio:>14.2f}{'':>14}   >= 4")
    print(f"{'warroom lines kept by capture (rows)':<38}{med(w, 'captured_rows'):>14,.0f}")
    if runs["memory"]:
        m = runs["memory"]
        print(
            f"{f'warroom RSS after {args.memory_lines:,} (MB)':<38}"
            f"{med('memory', 'rss_mb'):>14.0f}{'':>14}   < 250"
        )
        print(f"{'  peak during that run (MB)':<38}{med('memory', 'peak_rss_mb'):>14.0f}")
        print(
            f"{'  lines/s, first -> last on screen':<38}"
            f"{med('memory', 'lines_per_s_flood'):>14,.0f}"
        )
        print(
            f"{'  loop lag p99 / pooled / max (ms)':<38}{med('memory', 'lag_p99_ms'):>14.1f}"
            f"{percentile(pooled['memory'], 99):>14.1f}{med('memory', 'lag_max_ms'):>9.1f}"
        )
        print("  runs: " + ", ".join(f"{r['rss_mb']:.0f} MB" for r in m))
    print(
        "per run (s to last line): warroom "
        + " ".join(f"{r['launch_to_last_s']:.2f}" for r in runs[w])
        + "; stock Log "
        + " ".join(f"{r['launch_to_last_s']:.2f}" for r in runs[b])
    )
    if not args.no_json:
        out = ROOT / "bench/results" / f"ingest-{time.strftime('%Y%m%d-%H%M%S')}.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(
            json.dumps(
                {
                    "lines": args.lines,
                    "file_bytes": size,
                    "memory_lines": args.memory_lines,
                    "runs": runs,
                    "ratio_baseline_over_warroom": ratio,
                    "lag_pooled_ms": {
                        c: {f"p{q}": percentile(xs, q) for q in (50, 99, 100)}
                        for c, xs in pooled.items()
                        if xs
                    },
                    "medians": {
                        case: {
                            k: statistics.median(r[k] for r in rs)
                            for k in rs[0]
                            if isinstance(rs[0][k], (int, float))
                        }
                        for case, rs in runs.items()
                        if rs
                    },
                    "machine": {
                        "cpus": psutil.cpu_count(),
                        "python": platform.python_version(),
                        "tmux": subprocess.run(
                            ["tmux", "-V"], capture_output=True, text=True
                        ).stdout.strip(),
                    },
                },
                indent=1,
            )
        )
        print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
