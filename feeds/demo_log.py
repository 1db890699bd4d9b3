"""A stand-in for ``kubectl logs -f deploy/checkout-api`` in the demo incident: realistic
access and error lines, a few a second, until it is stopped. Run: python -m feeds.demo_log"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime

PATHS = ["/api/v2/checkout", "/api/v2/cart", "/api/v2/auth/token", "/healthz"]


def line(rng: random.Random) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    roll = rng.random()
    if roll < 0.12:
        return (
            f"{now} ERROR auth-svc pool: too many connections (max=200, in_use=200, "
            f"waiting={rng.randint(10, 90)})"
        )
    if roll < 0.2:
        return f"{now} WARN  checkout-api upstream auth-svc slow: {rng.randint(900, 4000)}ms"
    status = 500 if roll < 0.3 else 200
    level = "ERROR" if status == 500 else "INFO "
    return (
        f"{now} {level} checkout-api {rng.choice(['GET', 'POST'])} {rng.choice(PATHS)} "
        f"{status} {rng.randint(4, 1200)}ms req={rng.getrandbits(48):012x}"
    )


def main() -> int:
    rng = random.Random()
    try:
        while True:
            sys.stdout.write(line(rng) + "\n")
            sys.stdout.flush()
            time.sleep(rng.uniform(0.05, 0.4))
    except (KeyboardInterrupt, BrokenPipeError):
        return 0


if __name__ == "__main__":
    sys.exit(main())
