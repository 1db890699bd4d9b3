"""Drive the real ``warroom`` in a private tmux server: type with send-keys, read the
screen with capture-pane. Used by the end-to-end tests."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil

WARROOM = [sys.executable, "-m", "tui.cli"]
MARKER = "WARROOM-EXITED-"
# tmux's flags for a pane as a fresh shell has it: what a console must leave behind
RESTORED = {
    "alternate_on": "0",
    "cursor_flag": "1",
    "mouse_any_flag": "0",
    "mouse_all_flag": "0",
    "mouse_button_flag": "0",
    "mouse_standard_flag": "0",
    "mouse_sgr_flag": "0",
}
ROOT = Path(__file__).resolve().parents[1]


def have_tmux() -> bool:
    return shutil.which("tmux") is not None


class Tmux:
    """One private tmux server (its own socket) with one window running a command."""

    def __init__(self, env: dict[str, str], width: int = 120, height: int = 36) -> None:
        self.socket = f"warroom-test-{uuid.uuid4().hex[:8]}"
        self.env = env
        self.width, self.height = width, height

    def tmux(self, *args: str, check: bool = True) -> str:
        out = subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            check=check,
            timeout=10,
        )
        return out.stdout

    def start(self, argv: list[str]) -> None:
        env = " ".join(f"{k}={shlex.quote(v)}" for k, v in self.env.items())
        command = f"cd {shlex.quote(str(ROOT))} && exec env -u COLUMNS -u LINES {env} " + " ".join(
            shlex.quote(a) for a in argv
        )
        self.tmux(
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            str(self.width),
            "-y",
            str(self.height),
            command,
        )
        # Detached sessions keep tmux's default size (80x24) whatever -x/-y say: resize.
        self.tmux(
            "resize-window", "-t", "0", "-x", str(self.width), "-y", str(self.height), check=False
        )

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "0", check=False)

    def wait_for(self, text: str, timeout: float = 15.0, poll: float = 0.1) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(poll)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{screen}")

    def keys(self, *keys: str, literal: bool = False, pause: float = 0.15) -> None:
        args = ["send-keys", "-t", "0"] + (["-l"] if literal else []) + list(keys)
        self.tmux(*args)
        time.sleep(pause)

    def pane_pid(self) -> int:
        return int(self.tmux("display-message", "-p", "-t", "0", "#{pane_pid}").strip())

    def session_processes(self) -> list[psutil.Process]:
        root = psutil.Process(self.pane_pid())
        return [root, *root.children(recursive=True)]

    def kill_server(self) -> None:
        self.tmux("kill-server", check=False)


class Shell(Tmux):
    """A tmux pane running ``sh -c 'warroom ...; echo WARROOM-EXITED-$?; sleep'``."""

    def start_shell(self, argv: list[str]) -> None:
        env = " ".join(f"{k}={shlex.quote(v)}" for k, v in self.env.items())
        inner = " ".join(shlex.quote(a) for a in argv) + f'; echo "{MARKER}$?"; exec sleep 600'
        command = (
            f"cd {shlex.quote(str(ROOT))} && exec env -u COLUMNS -u LINES {env} "
            f"sh -c {shlex.quote(inner)}"
        )
        self.tmux(
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            str(self.width),
            "-y",
            str(self.height),
            command,
        )
        self.tmux(
            "resize-window", "-t", "0", "-x", str(self.width), "-y", str(self.height), check=False
        )

    def console(self) -> psutil.Process:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for p in psutil.Process(self.pane_pid()).children():
                if "tui.cli" in " ".join(p.cmdline()):
                    return p
            time.sleep(0.05)
        raise AssertionError("the console process never started")

    def flags(self) -> dict[str, str]:
        fmt = " ".join(f"#{{{k}}}" for k in RESTORED)
        values = self.tmux("display-message", "-p", "-t", "0", fmt).split()
        return dict(zip(RESTORED, values, strict=True))


def warroom_env(db: Path | str, config: Path) -> dict[str, str]:
    """The environment of a console or CLI in tmux: ``db`` a SQLite file or a server's URL."""
    env = {
        "WARROOM_DB": str(db),
        "WARROOM_CONFIG_DIR": str(config),
        "WARROOM_USER": "@ic",
        "TERM": "xterm-256color",
        "PYTHONPATH": str(ROOT),
        "HOME": os.environ.get("HOME", "/root"),
        "PATH": os.environ.get("PATH", ""),
    }
    return env


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*WARROOM, *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
