"""Load: eight consoles on one database, a busy log flood, CLI writers, for minutes.

    .venv/bin/python -m bench.bench_load [--backend sqlite|postgres|both] [--minutes 3]
                                         [--pg-minutes M] [--pg URL] [--consoles 8]
                                         [--writers 2] [--rate 2000] [--sources 1] [--no-json]

``--backend both`` (the default) runs it on the SQLite file, then on a PostgreSQL server (a
durable throwaway cluster on the loopback, ``bench/pg_server.py``, or ``--pg URL``; the
server's run lasts ``--pg-minutes``, by default ``--minutes``) and prints the two side by
side. On the server there is no ``integrity_check`` to run ("n/a"); lost events are counted
alike.

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
import contextlib
import json
import os
import platform
import shlex
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.load_parts import (
    FLOOD,
    LAG_BOUND_S,
    RESULTS,
    RSS_BOUND_MB,
    Console,
    flood_processes,
    ms,
    pct,
    read_back,
    timed_appends,
)
from tests.fault_harness import CliWriter, WriterLog
from tests.tmux_driver import run_cli, warroom_env


def run_one(where: str, backend: str, minutes: float, args: argparse.Namespace) -> dict[str, Any]:
    """One load run on the database ``where`` names (a file to be made, or an empty database
    on the server); its figures."""
    with tempfile.TemporaryDirectory(prefix="warroom-load-") as tmp_dir:
        tmp = Path(tmp_dir)
        db = where or str(tmp / "load.db")
        env = warroom_env(db, tmp / "config")  # type: ignore[arg-type]
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
        t_end = time.monotonic() + minutes * 60
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

        back = read_back(db)
        integrity, stored, captured = back["integrity"], back["stored"], back["captured"]
        ledger, reasons = back["ledger"], back["reasons"]
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
            "backend": backend,
            "load_average_end": [round(x, 2) for x in os.getloadavg()],
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "sqlite": sqlite3.sqlite_version,
            },
            "minutes": minutes,
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
    return figures


COMPARED = (
    ("events lost", lambda f: f["events_lost"]),
    ("CLI notes acknowledged", lambda f: f["cli_notes_acknowledged"]),
    ("CLI note wall p50 / p99 ms", lambda f: "{p50} / {p99}".format(**f["cli_note_wall_ms"])),
    ("append p50 / p99 / max ms", lambda f: "{p50} / {p99} / {max}".format(**f["store_append_ms"])),
    ("loop lag p50 / p99 / max ms", lambda f: "{p50} / {p99} / {max}".format(**f["loop_lag_ms"])),
    ("RSS max MB (worst console)", lambda f: max(r or 0 for r in f["rss_mb"]["max_per_console"])),
    ("typed notes shown", lambda f: f["typed_console_notes_shown"]),
    ("captured lines stored", lambda f: f["captured_lines_stored"]),
    ("flood processes at most", lambda f: f["flood_processes_max"]),
    ("integrity", lambda f: f["integrity_check"]),
    ("minutes", lambda f: f["minutes"]),
    ("load average at the end", lambda f: " ".join(map(str, f["load_average_end"]))),
)


def side_by_side(runs: dict[str, dict[str, Any]]) -> str:
    names = list(runs)
    lines = [f"{'':<30}" + "".join(f"{n:>24}" for n in names)]
    for label, get in COMPARED:
        lines.append(f"{label:<30}" + "".join(f"{get(runs[n])!s:>24}" for n in names))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--minutes", type=float, default=3.0)
    p.add_argument(
        "--pg-minutes", type=float, default=None,
        help="the server's run (default: --minutes)",
    )  # fmt: skip
    p.add_argument("--pg", metavar="URL", default=None, help="a PostgreSQL server to run on")
    p.add_argument("--consoles", type=int, default=8)
    p.add_argument("--writers", type=int, default=2)
    p.add_argument("--rate", type=int, default=2000, help="log lines/s per source")
    p.add_argument("--sources", type=int, default=1, help="flood sources in the incident")
    p.add_argument("--no-json", action="store_true")
    args = p.parse_args(argv)
    from bench.pg_server import ServerUnavailable, server

    runs: dict[str, dict[str, Any]] = {}
    try:
        with contextlib.ExitStack() as stack:
            if args.backend in ("sqlite", "both"):
                runs["sqlite"] = run_one("", "sqlite", args.minutes, args)
            if args.backend in ("postgres", "both"):
                pg = stack.enter_context(server(args.pg))
                minutes = args.pg_minutes if args.pg_minutes is not None else args.minutes
                runs["postgres"] = run_one(pg.new_database(), "postgres", minutes, args)
                runs["postgres"]["server"] = pg.describe()
    except ServerUnavailable as e:
        print(f"bench_load: postgres: {e} (try --backend sqlite)", file=sys.stderr)
        return 2
    figures: Any = runs if len(runs) > 1 else next(iter(runs.values()))
    print(json.dumps(figures, indent=2))
    report = side_by_side(runs)
    print(report)
    if not args.no_json:
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = RESULTS / f"load-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
        out.write_text(json.dumps(figures, indent=2) + "\n")
        out.with_suffix(".txt").write_text(report + "\n")
        print(f"written to {out} and .txt")
    bad = [
        f
        for f in runs.values()
        if f["events_lost"] or f["integrity_check"] not in ("ok", "n/a (server)")
    ]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
