"""What a command source needs of the process tree it runs: the parent-death guard (so
that the tree dies with warroom even when warroom is SIGKILLed) and the members of a process
group (so that ``stop`` ends all of it). Used by ``feeds/command.py`` only.
"""

from __future__ import annotations

import ctypes
import functools
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable

import psutil

# The guard: the user's shell runs as a child of a tiny /bin/sh that has a parent-death
# signal. PR_SET_PDEATHSIG reaches only the process that set it (not what it forks), so on
# its own it would kill the shell of "tail -F f | grep x" and leave tail and grep running
# when warroom is SIGKILLed. The guard turns that one signal (USR1) into SIGKILL for the
# whole process group. It first checks that its parent is still warroom: if warroom died
# before the death signal was armed, no signal would ever come.
_GUARD = '[ "$PPID" = "$2" ] || exit 125; trap "kill -KILL 0" USR1; "$0" -c "$1" & wait $!'
_PR_SET_PDEATHSIG = 1


@functools.cache
def _setpriv() -> str | None:
    """setpriv (util-linux >= 2.33) if it knows --pdeathsig: arms the signal, then execs."""
    path = shutil.which("setpriv")
    if path is None:
        return None
    try:
        done = subprocess.run([path, "--help"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return path if "--pdeathsig" in done.stdout else None


@functools.cache
def _prctl() -> Callable[[], None] | None:
    """A preexec_fn arming PR_SET_PDEATHSIG via libc, if this is Linux."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong]
    sig = int(signal.SIGUSR1)

    def arm() -> None:
        prctl(_PR_SET_PDEATHSIG, sig)

    return arm


def _alive(p: psutil.Process) -> bool:
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _members(pgid: int, root: int | None) -> list[psutil.Process]:
    """Every process of the group, plus the root's descendants that left it (best effort)."""
    found: dict[int, psutil.Process] = {}
    if root is not None:
        try:
            top = psutil.Process(root)
            found[root] = top
            found.update((c.pid, c) for c in top.children(recursive=True))
        except psutil.Error:
            pass
    for p in psutil.process_iter():
        if p.pid not in found:
            try:
                if os.getpgid(p.pid) == pgid:
                    found[p.pid] = p
            except OSError:
                pass
    return list(found.values())
