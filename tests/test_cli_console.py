"""The verbs that open the console (``warroom``, ``attach``, ``demo``, ``review``,
``postmortem``) before the console is up: where the demo is stored, and no terminal.

What the console does once it is up is tests/test_console_*.py; quitting it in a real
terminal is tests/test_e2e_quit.py.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import tui.cli
from tui.app import WarRoomApp
from tui.cli import main

ROOT = Path(__file__).resolve().parents[1]
CONSOLE_VERBS = [(), ("attach",), ("attach", "1"), ("demo",), ("review", "1"), ("postmortem", "1")]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user's data directory in tmp_path, with no --db nor $WARROOM_DB."""
    monkeypatch.delenv("WARROOM_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("WARROOM_USER", "@tester")
    monkeypatch.setenv("WARROOM_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path / "data" / "warroom"


def titles(db: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert main(["--db", str(db), "list", "--all"]) == 0
    return [line.split(None, 1)[0] for line in capsys.readouterr().out.splitlines()]


@pytest.fixture
def consoles(monkeypatch: pytest.MonkeyPatch) -> list[WarRoomApp]:
    """The console is not run (pytest has no terminal): the apps that would have run."""
    ran: list[WarRoomApp] = []

    async def run_async(self: WarRoomApp) -> None:
        ran.append(self)

    monkeypatch.setattr(WarRoomApp, "run_async", run_async)
    monkeypatch.setattr(tui.cli, "need_terminal", lambda: None, raising=False)
    return ran


def test_the_demo_has_a_database_of_its_own(home, consoles, capsys):
    """``warroom demo`` never touches the real database: it writes ``demo.db`` beside it,
    made afresh on each run (one demo incident, however many runs)."""
    real = home / "warroom.db"
    assert main(["declare", "The real one", "--severity", "SEV-2"]) == 0
    before = sha(real)
    capsys.readouterr()
    for _ in range(2):
        assert main(["demo"]) == 0
    assert len(consoles) == 2
    assert sha(real) == before
    assert titles(real, capsys) == ["INC-1"]
    assert titles(home / "demo.db", capsys) == ["INC-1"]  # replaced, not added to


def test_the_demo_makes_no_real_database(home, consoles):
    assert main(["demo"]) == 0
    assert sorted(p.name for p in home.iterdir() if not p.name.startswith("demo.db")) == []


@pytest.mark.parametrize("how", ["--db", "WARROOM_DB"])
def test_a_named_database_gets_the_demo(home, consoles, capsys, tmp_path, monkeypatch, how):
    named = tmp_path / "named.db"
    if how == "--db":
        assert main(["demo", "--db", str(named)]) == 0
    else:
        monkeypatch.setenv("WARROOM_DB", str(named))
        assert main(["demo"]) == 0
    assert titles(named, capsys) == ["INC-1"]
    assert not home.exists()


def spawn(*argv: str, env: dict[str, str], **streams) -> tuple[subprocess.CompletedProcess, float]:
    t0 = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", *argv],
        env=env,
        cwd=ROOT,
        capture_output="stdout" not in streams,
        text=True,
        timeout=30,  # (it spun at 100% CPU for ever)
        **streams,
    )
    return done, time.monotonic() - t0


@pytest.fixture
def script_env(tmp_path: Path) -> dict[str, str]:
    """A cron job's: a declared incident in the real database, no terminal anywhere."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "WARROOM_CONFIG_DIR": str(tmp_path / "config"),
    }
    env.pop("WARROOM_DB", None)
    done, _ = spawn("declare", "Checkout 500s", "--severity", "SEV-2", env=env)
    assert done.returncode == 0, done.stderr
    return env


@pytest.mark.parametrize("argv", CONSOLE_VERBS, ids=lambda a: " ".join(a) or "no verb")
def test_without_a_terminal_the_console_is_refused_at_once(script_env, tmp_path, argv):
    """stdin and stdout not a terminal (cron, a pipe): one line on stderr, exit 2, at once;
    nothing is written (the demo's database is not even made)."""
    data = tmp_path / "data" / "warroom"
    before = sha(data / "warroom.db")
    done, took = spawn(*argv, env=script_env, stdin=subprocess.DEVNULL)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith("warroom: the console needs a terminal"), done.stderr
    assert "stdin and stdout and stderr are not one" in done.stderr
    assert took < 10, f"{took:.1f} s to refuse"
    assert sha(data / "warroom.db") == before
    assert sorted(p.name for p in data.iterdir()) == ["warroom.db"]


def test_any_stream_that_is_not_a_terminal_is_named(script_env, tmp_path):
    """Only stdout piped (``warroom attach | less``), stdin and stderr on a terminal."""
    import pty

    leader, follower = pty.openpty()
    try:
        done, _ = spawn(
            "attach",
            env=script_env,
            stdin=follower,
            stdout=subprocess.PIPE,
            stderr=follower,
        )
        os.close(follower)
        follower = -1
        said = b""
        while b"\n" not in said:
            said += os.read(leader, 4096)
    finally:
        if follower >= 0:
            os.close(follower)
        os.close(leader)
    assert done.returncode == 2 and done.stdout == ""
    line = said.decode().strip()
    assert line.startswith("warroom: the console needs a terminal, and stdout is not one"), line


def test_a_bad_argument_is_said_before_the_terminal(script_env):
    """Without a terminal, what is wrong with the arguments is still what is said first."""
    done, _ = spawn("attach", "INC-9", env=script_env, stdin=subprocess.DEVNULL)
    assert done.returncode == 3 and "no incident INC-9" in done.stderr, done.stderr
