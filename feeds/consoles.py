"""The consoles that run log sources, seen from the process table.

A console holds the sources it runs (``storage/leases.py``) under its pid and its process's
start time; a pid alone could have been reused by an unrelated process since. The process
table is this machine's: a holder on another machine (``host``, ``WARROOM_HOST`` where set,
else the host name) is gone only once its lease expires (``storage/pg/leases.py``).
"""

from __future__ import annotations

import os
import socket
import uuid

import psutil

from incident.ports import Holder

SAME_START_S = 1.0  # start times are read back from /proc with this much rounding


def this_console(actor: str = "") -> Holder:
    """A new holder for the calling process: one per console app."""
    me = psutil.Process(os.getpid())
    return Holder(uuid.uuid4().hex, me.pid, me.create_time(), actor, this_host())


def this_host() -> str:
    """This machine's name, as its consoles' leases carry it."""
    return os.environ.get("WARROOM_HOST", "").strip() or socket.gethostname()


def console_alive(holder: Holder) -> bool:
    """Whether the holder's process still runs (not ended, killed or left a zombie)."""
    try:
        p = psutil.Process(holder.pid)
        return (
            abs(p.create_time() - holder.started) < SAME_START_S
            and p.status() != psutil.STATUS_ZOMBIE
        )
    except (psutil.Error, OSError):
        return False
