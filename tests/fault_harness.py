"""The fault-injection harness (not a test module): consoles killed at random while CLI
writers write, and the helpers the reliability tests share.

A round of :class:`CrashHarness`:

1. a console (the real app, ``warroom attach INC-1`` in a private tmux server) attaches to an
   incident whose log source is a cheap shell loop; the screen must show the incident: the
   console attaches again after every kill;
2. CLI writers (``warroom note`` in subprocesses, two threads by default) write all the
   while; a note counts as acknowledged only when the CLI printed ``INC-n #id ...`` on stdout
   and exited 0. Half of the rounds also type a note into the console itself;
3. the console is SIGKILLed at a random moment (in a third of the rounds a second console is
   killed while it is still starting, before its screen is up);
4. checks: no process of a killed console runs on (psutil: its children, their process
   groups, and anything whose command line carries the round's marker); every acknowledged
   event is stored with its text; a console note seen on screen before the kill is stored
   (the console shows a note only once it is committed); no acknowledged note is stored
   twice; ``PRAGMA integrity_check`` is ok (SQLite's: the server has no such check).

The store is a SQLite file, or (``db``: a URL) a database on a PostgreSQL server.

``python -m tests.fault_harness --rounds 50`` runs it outside pytest and prints the figures;
``tests/test_faults_crash.py`` runs it with a short default (``WARROOM_SLOW=1``: 50 rounds).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from tests.tmux_driver import ROOT, WARROOM, Tmux, warroom_env

SLOW = os.environ.get("WARROOM_SLOW") == "1"
"""Opt-in long runs: WARROOM_SLOW=1 runs the full fault rounds and hypothesis budgets."""

ACK = re.compile(r"^INC-(\d+) #(\d+) (.*)$")
TITLE = "Crash harness"


def scale(default: int, slow: int) -> int:
    """A count for the default run, or the larger one with ``WARROOM_SLOW=1``."""
    return slow if SLOW else default


def record_figures(name: str, **values: object) -> None:
    """Print figures, and append them as one JSON line to ``$WARROOM_FIGURES`` if set."""
    line = json.dumps({"name": name, "slow": SLOW, **values}, sort_keys=True)
    print(f"FIGURES {line}")
    path = os.environ.get("WARROOM_FIGURES")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(line + "\n")


def alive(p: psutil.Process) -> bool:
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def survivors(procs: list[psutil.Process], timeout: float = 5.0) -> list[psutil.Process]:
    """The processes of ``procs`` still running (zombies count as gone) after ``timeout``."""
    deadline = time.monotonic() + timeout
    left = [p for p in procs if alive(p)]
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = [p for p in left if alive(p)]
    return left


def with_marker(marker: str) -> list[psutil.Process]:
    """Every live process whose command line carries ``marker``."""
    found = []
    for p in psutil.process_iter(["cmdline"]):
        try:
            if marker in " ".join(p.info["cmdline"] or ()) and alive(p):
                found.append(p)
        except psutil.Error:
            pass
    return found


def in_groups(pgids: set[int]) -> list[psutil.Process]:
    found = []
    for p in psutil.process_iter():
        try:
            if os.getpgid(p.pid) in pgids and alive(p):
                found.append(p)
        except (OSError, psutil.Error):
            pass
    return found


def integrity(path: Path | str) -> str:
    """SQLite's own check of the file; "ok" for a server's URL (it has no such check)."""
    if isinstance(path, str):
        return "ok"
    with closing(sqlite3.connect(path, timeout=30)) as c:
        return c.execute("PRAGMA integrity_check").fetchone()[0]


def stored_rows(path: Path | str) -> list[tuple[int, str]]:
    """Every event's id and text, read past the store (a file, or a server's URL)."""
    if isinstance(path, str):
        import psycopg

        with psycopg.connect(path, connect_timeout=30) as c:
            return c.execute("SELECT id, text FROM events").fetchall()
    with closing(sqlite3.connect(path, timeout=30)) as c:
        return c.execute("SELECT id, text FROM events").fetchall()


# ---------------------------------------------------------------------------- CLI writers
@dataclass
class Ack:
    id: int
    text: str


@dataclass
class WriterLog:
    acks: list[Ack] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)  # one-line errors (not acknowledged)
    latencies: list[float] = field(default_factory=list)
    tracebacks: list[str] = field(default_factory=list)


class CliWriter(threading.Thread):
    """Runs ``warroom note INC TEXT`` again and again in subprocesses until stopped."""

    def __init__(
        self, env: dict[str, str], incident: int, tag: str, log: WriterLog, *, pause: float = 0.0
    ) -> None:
        super().__init__(daemon=True, name=f"writer-{tag}")
        self.env = {**os.environ, **env}
        self.incident = incident
        self.tag = tag
        self.log = log
        self.pause = pause
        self.stop = threading.Event()
        self.n = 0

    def run(self) -> None:
        while not self.stop.is_set():
            self.n += 1
            text = f"{self.tag} n{self.n}"
            t0 = time.monotonic()
            done = subprocess.run(
                [*WARROOM, "note", str(self.incident), text],
                env=self.env,
                capture_output=True,
                text=True,
                timeout=120,
                cwd=ROOT,
            )
            took = time.monotonic() - t0
            if "Traceback" in done.stderr:
                self.log.tracebacks.append(done.stderr)
            if done.returncode == 0:
                m = ACK.match(done.stdout.strip())
                if m:
                    self.log.acks.append(Ack(int(m.group(2)), m.group(3)))
                    self.log.latencies.append(took)
                    continue
            self.log.refusals.append(done.stderr.strip() or done.stdout.strip())
            if self.pause:
                time.sleep(self.pause)


# ---------------------------------------------------------------------------- rounds
@dataclass
class RoundResult:
    number: int
    kill_after: float
    startup_kill: bool
    typed_note: bool
    note_seen: bool
    children_killed: int
    acked_total: int


class HarnessFailure(AssertionError):
    pass


class CrashHarness:
    """Consoles SIGKILLed at random moments while CLI writers write. See the module doc."""

    def __init__(
        self, workdir: Path, *, seed: int | None = None, writers: int = 2, db: str | None = None
    ) -> None:
        self.workdir = workdir
        self.db: Path | str = db or workdir / "crash.db"  # (a str: a server's URL)
        self.marker = f"wr{uuid.uuid4().hex[:10]}"
        self.env = warroom_env(self.db, workdir / "config")
        self.seed = seed if seed is not None else random.randrange(2**32)
        self.rng = random.Random(self.seed)
        self.writers = writers
        self.log = WriterLog()
        self.console_notes: dict[str, bool] = {}  # text -> seen on screen before the kill
        self.results: list[RoundResult] = []
        self.incident = 0

    # ------------------------------------------------------------------ set-up
    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*WARROOM, *args],
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )

    def setup(self) -> None:
        done = self.cli("declare", TITLE, "--severity", "SEV-2", "--service", "checkout")
        if done.returncode != 0:
            raise HarnessFailure(done.stderr)
        self.incident = int(done.stdout.strip().removeprefix("INC-"))
        ticker = f"while :; do echo tick-{self.marker}; sleep 0.05; done"
        done = self.cli("tail", str(self.incident), "--cmd", ticker, "--name", "ticker")
        if done.returncode != 0:
            raise HarnessFailure(done.stderr)

    # ------------------------------------------------------------------ one console
    def launch(self) -> Tmux:
        session = Tmux(self.env, width=140, height=40)
        session.start([*WARROOM, "attach", f"INC-{self.incident}"])
        return session

    @staticmethod
    def console_process(session: Tmux) -> psutil.Process | None:
        try:
            return psutil.Process(session.pane_pid())
        except (psutil.Error, subprocess.SubprocessError, ValueError):
            return None

    def kill(self, session: Tmux) -> int:
        """SIGKILL the console; check that none of its processes runs on. Returns how many
        child processes it had."""
        console = self.console_process(session)
        if console is None:
            session.kill_server()
            return 0
        try:
            children = console.children(recursive=True)
        except psutil.Error:
            children = []
        pgids = set()
        for c in children:
            try:
                pgids.add(os.getpgid(c.pid))
            except OSError:
                pass
        pgids.discard(os.getpgid(0))
        try:
            console.send_signal(signal.SIGKILL)
        except psutil.NoSuchProcess:
            pass
        left = survivors([console, *children], timeout=5.0)
        # the source may have been forked after the snapshot: look for it by its marker
        deadline = time.monotonic() + 5.0
        late = with_marker(self.marker) + in_groups(pgids)
        while late and time.monotonic() < deadline:
            time.sleep(0.05)
            late = with_marker(self.marker) + in_groups(pgids)
        session.kill_server()
        if left or late:
            desc = [f"{p.pid} {p.info if hasattr(p, 'info') else ''}" for p in left + late]
            raise HarnessFailure(f"processes of a killed console ran on: {desc}")
        return len(children)

    # ------------------------------------------------------------------ checks
    def check_store(self) -> None:
        status = integrity(self.db)
        if status != "ok":
            raise HarnessFailure(f"integrity_check: {status}")
        rows = stored_rows(self.db)
        stored = dict(rows)
        lost = [a for a in self.log.acks if stored.get(a.id) != a.text]
        if lost:
            raise HarnessFailure(f"{len(lost)} acknowledged event(s) lost: {lost[:5]}")
        acked = {a.text for a in self.log.acks}
        twice = sorted(t for t, n in Counter(t for _, t in rows).items() if n > 1 and t in acked)
        if twice:
            raise HarnessFailure(f"acknowledged note(s) stored twice: {twice[:5]}")
        texts = set(stored.values())
        unsaved = [t for t, seen in self.console_notes.items() if seen and t not in texts]
        if unsaved:
            raise HarnessFailure(f"notes shown by the console are not stored: {unsaved}")
        if self.log.tracebacks:
            raise HarnessFailure(f"a CLI writer printed a traceback:\n{self.log.tracebacks[0]}")

    # ------------------------------------------------------------------ a round
    def run_round(self, number: int) -> RoundResult:
        rng = self.rng
        writers = [
            CliWriter(self.env, self.incident, f"w{k} r{number}", self.log)
            for k in range(self.writers)
        ]
        for w in writers:
            w.start()
        startup_kill = rng.random() < 1 / 3
        children = 0
        try:
            if startup_kill:  # killed while it starts: before or while it opens the store
                early = self.launch()
                time.sleep(rng.uniform(0.0, 0.8))
                children += self.kill(early)
            session = self.launch()
            try:
                session.wait_for(TITLE, timeout=30)  # the console attaches again
                session.wait_for(f"INC-{self.incident}", timeout=5)
            except AssertionError as e:
                session.kill_server()
                raise HarnessFailure(f"round {number}: the console did not attach: {e}") from None
            kill_after = rng.uniform(0.0, 3.0)
            typed = rng.random() < 0.5
            text = f"console {self.marker} r{number}"
            seen = False
            t0 = time.monotonic()
            if typed:
                time.sleep(rng.uniform(0.0, kill_after))
                session.keys("n", pause=0.0)
                time.sleep(rng.uniform(0.05, 0.4))
                session.keys(text, literal=True, pause=0.0)
                session.keys("Enter", pause=0.0)
                self.console_notes[text] = False
            sightings = 0
            while time.monotonic() - t0 < kill_after:
                if typed and not seen:
                    screen = session.screen()
                    # the timeline row (not the dialog's input, which is gone once saved),
                    # in two captures running: one capture can catch a frame half drawn,
                    # the dialog's title repainted over and its input not yet (CI saw it)
                    here = text in screen and "Add timeline note" not in screen
                    sightings = sightings + 1 if here else 0
                    seen = sightings >= 2
                time.sleep(0.05)
            if typed:
                self.console_notes[text] = seen
            children += self.kill(session)
        finally:
            for w in writers:
                w.stop.set()
            for w in writers:
                w.join(timeout=150)
        self.check_store()
        result = RoundResult(
            number, kill_after, startup_kill, typed, seen, children, len(self.log.acks)
        )
        self.results.append(result)
        return result

    def final_attach(self) -> None:
        """One more attach after the last kill: the incident is on screen, then quit."""
        session = self.launch()
        try:
            session.wait_for(TITLE, timeout=30)
            session.keys("q")
        finally:
            self.kill(session)
        self.check_store()

    def figures(self) -> dict[str, object]:
        lat = sorted(self.log.latencies)
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else None
        return {
            "seed": self.seed,
            "rounds_survived": len(self.results),
            "sigkills": len(self.results) + sum(r.startup_kill for r in self.results),
            "startup_kills": sum(r.startup_kill for r in self.results),
            "console_notes_typed": sum(r.typed_note for r in self.results),
            "console_notes_seen_before_kill": sum(r.note_seen for r in self.results),
            "acknowledged_cli_events": len(self.log.acks),
            "cli_refusals": len(self.log.refusals),
            "events_lost": 0,
            "children_killed": sum(r.children_killed for r in self.results),
            "cli_note_latency_p99_s": round(p99, 3) if p99 else None,
        }


def run(
    workdir: Path, rounds: int, *, seed: int | None = None, db: str | None = None
) -> dict[str, object]:
    harness = CrashHarness(workdir, seed=seed, db=db)
    harness.setup()
    try:
        for i in range(1, rounds + 1):
            harness.run_round(i)
        harness.final_attach()
    except HarnessFailure as e:
        raise HarnessFailure(
            f"seed {harness.seed}, after {len(harness.results)} round(s): {e}"
        ) from None
    return harness.figures()


def main(argv: list[str] | None = None) -> int:
    import tempfile

    p = argparse.ArgumentParser(
        description="SIGKILL consoles at random while CLI writers "
        "write; check that nothing acknowledged is lost"
    )
    p.add_argument("--rounds", type=int, default=50)
    p.add_argument("--seed", type=int)
    p.add_argument("--db", help="a PostgreSQL server's URL (default: a SQLite file)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="warroom-crash-") as tmp:
        figures = run(Path(tmp), args.rounds, seed=args.seed, db=args.db)
    record_figures("crash", backend="postgres" if args.db else "sqlite", **figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
