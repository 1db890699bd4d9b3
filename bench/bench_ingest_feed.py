"""How many lines/s the feed side sustains: `cat` of a big file through a CommandSource.

    .venv/bin/python -m bench.bench_ingest_feed [--lines 2000000] [--runs 3]

Each run times, from start to the last batch, ``cat FILE`` through ``CommandSource`` and
``batches()`` with a consumer that only counts (so: process group, chunked reads, line
splitting, UTF-8 decoding, sanitising, numbered batches, the bounded queue). The baseline,
measured in the same run, is the bare minimum: ``asyncio.create_subprocess_exec`` +
``StreamReader.read(65536)`` + ``bytes.split(b"\\n")``, no decoding, no sanitising. Runs
alternate; the figures are medians. The end-to-end screen benchmark is the console's.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from feeds.factory import make_source
from incident.journal import SourceSpec

LEVELS = [b"INFO ", b"INFO ", b"INFO ", b"WARN ", b"ERROR"]
PATHS = [b"/api/v2/checkout", b"/api/v2/cart", b"/api/v2/auth/token", b"/healthz"]


def make_file(path: Path, lines: int) -> int:
    """About 100-byte access-log lines, 1 in 50 with a colour code (as real logs have)."""
    rng = random.Random(42)
    total = 0
    with path.open("wb") as f:
        buf = []
        for i in range(lines):
            lvl = rng.choice(LEVELS)
            if i % 50 == 0:
                lvl = b"\x1b[31m" + lvl + b"\x1b[0m"
            line = b"2026-11-25T14:%02d:%02d.%03dZ %s checkout-api GET %s %d %dms req=%012x\n" % (
                i // 60000 % 60,
                i // 1000 % 60,
                i % 1000,
                lvl,
                rng.choice(PATHS),
                rng.choice((200, 200, 500)),
                rng.randint(4, 1200),
                rng.getrandbits(48),
            )
            buf.append(line)
            total += len(line)
            if len(buf) == 10000:
                f.write(b"".join(buf))
                buf = []
        f.write(b"".join(buf))
    return total


async def feed_run(path: Path) -> tuple[int, float]:
    spec = SourceSpec(kind="cmd", name="bench", command=f"cat '{path}'")
    src = make_source("bench", spec)
    t0 = time.perf_counter()
    await src.start()
    n = 0
    async for batch in src.batches():
        n += len(batch.lines)
    dt = time.perf_counter() - t0
    assert await src.wait() == 0, src.state
    return n, dt


async def baseline_run(path: Path) -> tuple[int, float]:
    t0 = time.perf_counter()
    proc = await asyncio.create_subprocess_exec("cat", str(path), stdout=asyncio.subprocess.PIPE)
    assert proc.stdout is not None
    n, tail = 0, b""
    while chunk := await proc.stdout.read(65536):
        parts = (tail + chunk).split(b"\n")
        tail = parts.pop()
        n += len(parts)
    await proc.wait()
    return n + (1 if tail else 0), time.perf_counter() - t0


async def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=2_000_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="warroom-bench-") as tmp:
        path = Path(tmp) / "access.log"
        size = make_file(path, args.lines)
        print(
            f"{args.lines:,} lines, {size / 2**20:.0f} MiB, {args.runs} runs each "
            f"(Python {sys.version.split()[0]})"
        )
        rates: dict[str, list[float]] = {"feed": [], "baseline": []}
        for _ in range(args.runs):
            for name, run in (("baseline", baseline_run), ("feed", feed_run)):
                n, dt = await run(path)
                assert n == args.lines, (name, n)
                rates[name].append(n / dt)
    base, feed = (statistics.median(rates[k]) for k in ("baseline", "feed"))
    print(
        f"baseline  read(65536) + split, no sanitising: {base:>12,.0f} lines/s "
        f"(runs: {', '.join(f'{r:,.0f}' for r in rates['baseline'])})"
    )
    print(
        f"feed      CommandSource + batches():          {feed:>12,.0f} lines/s "
        f"(runs: {', '.join(f'{r:,.0f}' for r in rates['feed'])})"
    )
    print(f"feed / baseline: {feed / base:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
