"""The sources of bench_bytes, as Python scripts it writes beside its database and records
with ``warroom tail INC-1 --cmd``: ``huge``, ``endless`` and ``mix`` (the hostile set) and
``ordinary`` (the baseline). Each prints ``argv[1]`` lines, but ``endless``."""

# Each generator counts its starts in a file beside it, and ends its output with a line
# saying which start it was: the bench knows when an attach's output is all in.
COMMON = r"""
import os, sys, time
counter = sys.argv[0] + ".starts"
start = int(open(counter).read()) + 1 if os.path.exists(counter) else 1
open(counter, "w").write(str(start))
w = sys.stdout.buffer.write
def done():
    w(b"done %d\n" % start)
    sys.stdout.flush()
    while True:
        time.sleep(3600)
"""
GENERATORS = {
    "huge": COMMON
    + r"""
n = int(sys.argv[1])
body = b"x" * ((1 << 20) - 12)
for i in range(n):
    w(b"%010d " % i + body + b"\n")
done()
""",
    "endless": r"""
import sys
w, chunk = sys.stdout.buffer.write, b"y" * 65536
while True:
    w(chunk)
""",
    "mix": COMMON
    + r"""
import random
n = int(sys.argv[1])
rng = random.Random(16)
for i in range(n):
    r = rng.random()
    size = (rng.randint(100, 200) if r < 0.90 else rng.randint(1 << 10, 16 << 10)
            if r < 0.98 else rng.randint(64 << 10, 2 << 20))
    w(b"%08d " % i + b"m" * (size - 9) + b"\n")
done()
""",
    "ordinary": COMMON
    + r"""
n = int(sys.argv[1])
line = b"2026-11-25T14:30:00.000Z INFO  checkout-api GET /api/v2/cart 200 dur=%04dms seq=%010d\n"
block = b"".join(line % (j % 997, j) for j in range(10000))  # 100 bytes each
for _ in range(n // 10000):
    w(block)
done()
""",
}
