"""What a change costs the ingest path: the same flood through two revisions, interleaved.

``python -m bench.bench_revisions BEFORE AFTER`` checks both revisions out (detached git
worktrees in a temporary directory, removed afterwards) and runs bench_ingest's flood
(``bench.bench_ingest.flood_run``: the real console in a real terminal, tmux 160x40) through
each, alternating which goes first, so drift and background load hit both alike. It
prints the median time from launch to the last line on screen and the ratio of their
throughputs.

``--mix real`` floods with what real logs hold besides access lines, the input the cell
arithmetic (tabs to stops of 8, wide characters) works on: Java stack frames indented by a
tab (10%), CJK and emoji lines (4%), lines of 2,000 characters (1%), and program colours
(2%); ``--mix plain`` is bench_ingest's own flood (ASCII access lines, 1 in 50 coloured).
Issue #13 asked that tab and width handling cost no more than 10% of ingest throughput:

    python -m bench.bench_revisions <commit before it> HEAD --mix real

Each revision is measured with its own code (its ``bench.bench_ingest`` too), so both must
have that module.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from bench._common import ROOT
from bench.ingest_inputs import make_file

RUN = r"""
import json, shlex, sys, uuid
from pathlib import Path
from bench.bench_ingest import base_env, make_db, flood_run
tmp, flood, marker, lines = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
env = base_env(tmp)
db = tmp / f"rev-{uuid.uuid4().hex[:8]}.db"
make_db(db, env, f"cat {shlex.quote(str(flood))}")
argv = [sys.executable, "-m", "tui.cli", "--db", str(db), "attach", "INC-1"]
r = flood_run(argv, env, marker, lines, tmp, "warroom")
keys = ("launch_to_last_s", "lines_per_s_flood", "lag_p99_ms", "rss_mb")
print(json.dumps({k: r[k] for k in keys}))
"""

FRAMES = [
    b"\tat com.example.checkout.CartService.price(CartService.java:%d)\n",
    b"\tat java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(%d)\n",
    b"\t... %d more\n",
]
WIDE = [
    "2026-11-25T14:00:00Z WARN 支付服务 超时 订单 %d 重试 🔥\n",
    "2026-11-25T14:00:00Z INFO ユーザー %d がログインしました ✅\n",
]


def make_real(path: Path, lines: int, marker: str) -> int:
    """``lines`` lines of the real mix (see the module doc); the last one is ``marker``."""
    plain = path.with_suffix(".plain")
    make_file(plain, lines, marker)
    rng = random.Random(13)
    total = 0
    with plain.open("rb") as src, path.open("wb") as out:
        for i, line in enumerate(src):
            if line.startswith(marker.encode()):
                out.write(line)
                total += len(line)
                break
            roll = rng.random()
            if roll < 0.10:
                line = rng.choice(FRAMES) % (i % 997)
            elif roll < 0.14:
                line = (rng.choice(WIDE) % i).encode()
            elif roll < 0.15:
                line = line.rstrip(b"\n") + b" " + b"x" * 1900 + b"\n"
            out.write(line)
            total += len(line)
    plain.unlink()
    return total


def checkout(rev: str, where: Path) -> Path:
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(where), rev],
        check=True,
        capture_output=True,
    )
    return where


def one_run(root: Path, tmp: Path, flood: Path, marker: str, lines: int) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", RUN, str(tmp), str(flood), marker, str(lines)],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp"},
        capture_output=True,
        text=True,
        timeout=900,
    )
    if done.returncode:
        raise RuntimeError(f"{root.name}: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--mix", choices=("real", "plain"), default="real")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="warroom-revisions-"))
    roots: dict[str, Path] = {}
    try:
        for name, rev in (("before", args.before), ("after", args.after)):
            roots[name] = checkout(rev, tmp / name)
        marker = f"LAST-LINE-{uuid.uuid4().hex[:12]}"
        flood = tmp / "flood.log"
        size = (make_real if args.mix == "real" else make_file)(flood, args.lines, marker)
        print(f"{args.lines:,} lines, {size / 1e6:.0f} MB, mix {args.mix}", flush=True)
        runs: dict[str, list[dict]] = {name: [] for name in roots}
        for i in range(args.pairs):
            for name in ("before", "after") if i % 2 == 0 else ("after", "before"):
                r = one_run(roots[name], tmp, flood, marker, args.lines)
                runs[name].append(r)
                print(f"pair {i + 1} {name}: {r['launch_to_last_s']:.2f} s", flush=True)
        medians = {
            name: {k: statistics.median(r[k] for r in rs) for k in rs[0]}
            for name, rs in runs.items()
        }
        for name, m in medians.items():
            print(
                f"{name:>6} {getattr(args, name)}: launch to last line "
                f"{m['launch_to_last_s']:.2f} s, {m['lines_per_s_flood']:,.0f} lines/s in the "
                f"flood, loop lag p99 "
                f"{m['lag_p99_ms']:.1f} ms, RSS {m['rss_mb']:.0f} MB"
            )
        ratio = medians["after"]["lines_per_s_flood"] / medians["before"]["lines_per_s_flood"]
        print(f"throughput after/before: {ratio:.3f} ({(1 - ratio) * 100:+.1f}% cost)")
        out = ROOT / "bench/results"
        out.mkdir(exist_ok=True)
        stamp = uuid.uuid4().hex[:6]
        (out / f"revisions-{args.mix}-{stamp}.json").write_text(
            json.dumps({"args": vars(args), "runs": runs, "medians": medians}, indent=1)
        )
        return 0
    finally:
        for root in roots.values():
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(root)],
                capture_output=True,
            )
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
