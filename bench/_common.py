"""What the terminal benchmarks (bench_bytes, bench_ingest) share: the warroom CLI run as a
subprocess, a tmux server of their own, and whether a process is still there."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]


def warroom_cli(env: dict[str, str], *args: str, root: Path = ROOT) -> str:
    """``warroom ARGS`` from the checkout ``root``, with ``env`` over this environment; its
    stdout (RuntimeError with its stderr if it fails)."""
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=root,
    )
    if done.returncode != 0:
        raise RuntimeError(f"warroom {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


class Tmux:
    """A tmux server of one's own (``tmux -L NAME``) with one window running ``command``."""

    def __init__(self, prefix: str) -> None:
        self.socket = f"{prefix}-{uuid.uuid4().hex[:8]}"

    def __call__(self, *args: str) -> str:
        """A tmux command for this server; its stdout (errors are not checked)."""
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=10
        ).stdout

    def start(self, command: str, width: int, height: int) -> None:
        """The server and its window of ``width`` x ``height`` (CalledProcessError if not)."""
        size = ["-x", str(width), "-y", str(height)]
        subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", "new-session", "-d", *size, command],
            check=True,
        )

    def pane_pid(self) -> int:
        return int(self("display-message", "-p", "-t", "0", "#{pane_pid}").strip())

    def kill(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def alive(p: psutil.Process) -> bool:
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False
