"""A warroom stand-in that the orphan test SIGKILLs (not a test module).

usage: python feeds_orphan_parent.py COMMAND [prctl]

Starts a CommandSource running COMMAND, waits until the command's own processes are there
(every process of its tree that is not a shell), prints their pids as one JSON line, and
then consumes output until it is killed. With "prctl", the parent-death signal is armed by
prctl in preexec_fn even where setpriv exists (the fallback path).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import psutil

from feeds.factory import make_source
from incident.journal import SourceSpec

SHELLS = {"sh", "dash", "bash", "zsh", "setpriv"}


async def main(command: str) -> None:
    src = make_source("orphan", SourceSpec(kind="cmd", name="orphan", command=command))
    await src.start()
    assert src.pid is not None
    deadline = time.monotonic() + 5
    workers: list[int] = []
    while time.monotonic() < deadline:
        tree = psutil.Process(src.pid).children(recursive=True)
        workers = [p.pid for p in tree if p.name() not in SHELLS]
        if len(workers) >= command.count("|") + 1:
            break
        await asyncio.sleep(0.02)
    print(json.dumps({"source": src.pid, "workers": workers}), flush=True)
    async for _ in src.batches():
        pass


if __name__ == "__main__":
    if sys.argv[2:] == ["prctl"]:
        import feeds.command

        feeds.command._setpriv = lambda: None  # type: ignore[assignment]
    asyncio.run(main(sys.argv[1]))
