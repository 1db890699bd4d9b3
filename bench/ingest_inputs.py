"""The floods of bench_ingest: a file of realistic access-log lines (:func:`make_file`), and
:data:`GENERATOR`, a script printing many more lines than a file should hold."""

from __future__ import annotations

import random
from pathlib import Path

FLOOD_TEXT = "checkout-api"  # in every generated line: the flood is on screen

LEVELS = [b"INFO ", b"INFO ", b"INFO ", b"INFO ", b"WARN ", b"ERROR", b"DEBUG"]
PATHS = [
    b"/api/v2/checkout",
    b"/api/v2/cart",
    b"/api/v2/auth/token",
    b"/healthz",
    b"/api/v2/orders/search",
]
METHODS = [b"GET", b"GET", b"GET", b"POST", b"PUT"]

GENERATOR = r"""
import sys
n, mark = int(sys.argv[1]) - 1, sys.argv[2].encode()
t = (b"2026-11-25T14:%02d:%02d.%03dZ INFO  checkout-api[4821] GET /api/v2/cart 200 "
     b"dur=%dms seq=%010d pod=checkout-7f9c\n")
lines = [t % (j // 60000 % 60, j // 1000 % 60, j % 1000, j % 997, j) for j in range(50000)]
block, w = b"".join(lines), sys.stdout.buffer.write
for _ in range(n // 50000):
    w(block)
w(b"".join(lines[:n % 50000]) + mark + b"\n")
"""  # 50,000 distinct lines, written over and over: the generator costs almost no CPU


def make_file(path: Path, lines: int, marker: str) -> int:
    """``lines`` access-log lines of about 100 bytes; the last one is ``marker``."""
    rng = random.Random(7)
    total = 0
    fmt = b"2026-11-25T14:%02d:%02d.%03dZ %s checkout-api[%d] %s %s %d %dms req=%012x user=u%05d\n"
    with path.open("wb") as f:
        buf: list[bytes] = []
        for i in range(lines - 1):
            lvl = rng.choice(LEVELS)
            if i % 50 == 0:
                lvl = b"\x1b[31m" + lvl + b"\x1b[0m"
            buf.append(
                fmt
                % (
                    i // 60000 % 60,
                    i // 1000 % 60,
                    i % 1000,
                    lvl,
                    4800 + i % 64,
                    rng.choice(METHODS),
                    rng.choice(PATHS),
                    rng.choice((200, 200, 200, 404, 500)),
                    rng.randint(1, 2500),
                    rng.getrandbits(48),
                    rng.randint(0, 99999),
                )
            )
            if len(buf) == 20000:
                data = b"".join(buf)
                total += len(data)
                f.write(data)
                buf = []
        buf.append(marker.encode() + b"\n")
        data = b"".join(buf)
        total += len(data)
        f.write(data)
    return total
