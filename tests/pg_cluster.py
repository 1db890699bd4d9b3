"""A throwaway PostgreSQL cluster for the tests: made with the machine's own server binaries
(Debian's ``postgresql`` package: ``/usr/lib/postgresql/*/bin``, or ``initdb`` on PATH),
on a free loopback port, removed at the end of the session.

``initdb`` refuses to run as root: then the cluster is made and run as the ``postgres``
user, its directory chowned to it. Loopback connections are trusted, except for one role
with a password (``warroom_pw``), there to show that a password is never printed. Each test
gets a database of its own, made from ``template0``-like ``t_template`` (fast).
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.waiting import until_sync

PASSWORD_ROLE = "warroom_pw"
PASSWORD = "s3cr3t-Pa55"  # (only on this throwaway cluster)


def server_bin() -> Path | None:
    """The directory of ``initdb``, ``pg_ctl`` and ``pg_isready``, newest version first."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
        reverse=True,
    )
    for initdb in [*found, shutil.which("initdb")]:
        if initdb and (Path(initdb).resolve().parent / "pg_ctl").exists():
            return Path(initdb).resolve().parent
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    bindir: Path
    root: Path
    port: int
    as_user: str | None  # run the server as this user (we are root)
    durable: bool = False  # fsync and synchronous commit on (the benchmarks); off for tests
    _names: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _cmd(self, *argv: str) -> list[str]:
        if self.as_user is None:
            return list(argv)
        return ["runuser", "-u", self.as_user, "--", *argv]

    def run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self._cmd(*argv), capture_output=True, text=True, check=check, timeout=120
        )

    def dsn(self, dbname: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{dbname}"

    def ready(self) -> bool:
        done = subprocess.run(
            [str(self.bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"],
            capture_output=True,
            timeout=10,
        )
        return done.returncode == 0

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        done = subprocess.run(
            [
                str(self.bindir / "psql"), "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1",
                "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", dbname,
                "-c", sql,
            ],
            capture_output=True, text=True, timeout=60, env={**os.environ, "PGPASSWORD": ""},
        )  # fmt: skip
        if done.returncode:
            raise RuntimeError(f"psql: {done.stderr.strip()}")
        return done.stdout.strip()

    def start(self) -> None:
        fast = " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        if self.durable:
            fast = ""
        self.run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"),
            "-w", "-t", "60", "-o",
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1{fast}",
            "start",
        )  # fmt: skip
        until_sync(self.ready, timeout=60, what="the test cluster accepts connections")

    def stop(self) -> None:
        self.run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop",
                 check=False)  # fmt: skip

    def new_database(self) -> str:
        """A fresh, empty database of its own for one test."""
        name = f"t_{next(self._names)}"
        self.psql(f"CREATE DATABASE {name} TEMPLATE t_template")
        return name


def make_cluster(durable: bool = False) -> Cluster:
    """initdb, start, and a template database; raises RuntimeError with the reason.
    ``durable``: the server's own defaults for fsync and commits (what a benchmark measures);
    the tests run without them, for speed."""
    bindir = server_bin()
    if bindir is None:
        raise FileNotFoundError("no PostgreSQL server binaries (initdb, pg_ctl) on this machine")
    as_user = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise RuntimeError("running as root and there is no `postgres` user") from None
        as_user = "postgres"
    root = Path(tempfile.mkdtemp(prefix="warroom-pg-"))
    os.chmod(root, 0o700)
    if as_user is not None:
        shutil.chown(root, as_user, as_user)
    cluster = Cluster(bindir, root, free_port(), as_user, durable)
    init = cluster.run(
        str(bindir / "initdb"), "-D", str(cluster.data), "-U", "postgres", "-A", "trust",
        "-E", "UTF8", "--locale=C", "--no-sync", check=False,
    )  # fmt: skip
    if init.returncode:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {init.stderr.strip()[-500:]}")
    hba = cluster.data / "pg_hba.conf"
    rules = (
        f"host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256\n"
        "local all all trust\nhost all all 127.0.0.1/32 trust\n"
    )
    hba.write_text(rules)
    try:
        cluster.start()
        cluster.psql(f"CREATE ROLE {PASSWORD_ROLE} LOGIN SUPERUSER PASSWORD '{PASSWORD}'")
        cluster.psql("CREATE DATABASE t_template")
    except BaseException:
        remove_cluster(cluster)
        raise
    return cluster


def remove_cluster(cluster: Cluster) -> None:
    cluster.stop()
    shutil.rmtree(cluster.root, ignore_errors=True)
