"""Patterns in linear time: what RE2 costs on ordinary patterns, and what it saves on hostile
ones, measured against Python's ``re`` in the same run.

    .venv/bin/python -m bench.bench_patterns [--lines 500000] [--runs 5]

- grep matching: the lines of a 100-byte access log, matched chunk by chunk as
  ``feeds/grep.py`` does, with ``incident.patterns`` (the lines of a chunk joined, one call
  into RE2 per matching line) against the old way (decode the chunk, ``re.search`` per line).
- the pane's filter and search over a full buffer of 200,000 lines (str lines).
- the stress run: ``(a+)+$`` and other catastrophic patterns over lines of 34 ``a`` and a
  ``!``; with ``re`` one such line is timed with 20 to 24 ``a`` (each extra ``a`` doubles
  its time, so 34 would take about 2^10 times the 24-``a`` figure) and extrapolated.

Figures are medians of ``--runs`` runs, printed as a table.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time

from incident.patterns import compile_pattern

PATTERNS = [r"ERROR", r" 5\d\d ", r"checkout|cart", r"(?i)timeout"]
HOSTILE = [r"(a+)+$", r"(a|aa)+$", r"(.*a){12}$"]


def make_lines(n: int) -> list[bytes]:
    rng = random.Random(7)
    levels = [b"INFO", b"INFO", b"INFO", b"WARN", b"ERROR"]
    paths = [b"/api/v2/checkout", b"/api/v2/cart", b"/api/v2/auth/token", b"/healthz"]
    return [
        b"2026-12-05T08:%02d:%02d.%03dZ %s checkout-api GET %s %d %dms id=%08x"
        % (
            i // 60 % 60,
            i % 60,
            i % 1000,
            rng.choice(levels),
            rng.choice(paths),
            rng.choice([200, 200, 200, 404, 500, 503]),
            rng.randint(1, 900),
            rng.getrandbits(32),
        )
        for i in range(n)
    ]


def chunks(lines: list[bytes], size: int = 600) -> list[list[bytes]]:
    return [lines[i : i + size] for i in range(0, len(lines), size)]


def old_grep(pattern: str, blocks: list[list[bytes]]) -> int:
    search = re.compile(pattern).search
    hits = 0
    for raw in blocks:
        texts = b"\n".join(raw).decode("utf-8", "replace").split("\n")
        hits += sum(1 for t in texts if search(t))
    return hits


def new_grep(pattern: str, blocks: list[list[bytes]]) -> int:
    p = compile_pattern(pattern)
    return sum(len(p.matching(raw)) for raw in blocks)


def timed(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=500_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    lines = make_lines(args.lines)
    blocks = chunks(lines)
    print(f"grep matching, {args.lines:,} lines of about 100 bytes, medians of {args.runs}")
    print(f"{'pattern':<16} {'re (old)':>14} {'RE2 (new)':>14} {'matches':>9}")
    for pattern in PATTERNS:
        old, n_old = timed(lambda p=pattern: old_grep(p, blocks), args.runs)
        new, n_new = timed(lambda p=pattern: new_grep(p, blocks), args.runs)
        assert n_old == n_new, (pattern, n_old, n_new)
        print(
            f"{pattern:<16} {args.lines / old / 1e6:>9.2f} M/s {args.lines / new / 1e6:>9.2f}"
            f" M/s {n_new:>9,}"
        )

    texts = [s.decode() for s in lines[:200_000]]
    print("\nthe pane's filter over a full buffer (200,000 lines)")
    for pattern in PATTERNS[:2]:
        old, _ = timed(
            lambda p=pattern: [i for i, t in enumerate(texts) if re.search(p, t)], args.runs
        )
        new, _ = timed(lambda p=pattern: compile_pattern(p).matching(texts), args.runs)
        print(f"{pattern:<16} re {old * 1000:>7.1f} ms   RE2 {new * 1000:>7.1f} ms")

    print("\nstress: catastrophic patterns, 3,000 lines of 34 'a' and a '!'")
    hostile = ["a" * 34 + "!"] * 3000
    for pattern in HOSTILE:
        new, _ = timed(lambda p=pattern: compile_pattern(p).matching(hostile), args.runs)
        one_re, _ = timed(lambda p=pattern: re.search(p, "a" * 20 + "!"), 1)
        grown = one_re * 2**14 * 3000
        print(
            f"{pattern:<12} RE2 {new * 1000:>8.2f} ms for all 3,000 lines;  re: "
            f"{one_re * 1000:.1f} ms for ONE line of 20 'a', so about {grown / 3600:,.0f} h "
            "for these lines (doubling per 'a')"
        )


if __name__ == "__main__":
    main()
