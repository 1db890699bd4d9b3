"""The PostgreSQL server a benchmark runs on, and a fresh database on it for each run.

Without ``--pg URL``: a throwaway cluster on a free loopback port, made from the machine's
server binaries by the tests' own code (``tests/pg_cluster.py``; as the ``postgres`` user when
run as root), but *durable*: fsync, full-page writes and synchronous commit at the server's
defaults (the tests turn them off for speed; a benchmark must not). Removed at the end.

With ``--pg URL``: that server (e.g. the team's own); each run gets a database of its own,
``warroom_bench_<hex>``, made and dropped by the benchmark (the role needs CREATEDB).
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import uuid
from collections.abc import Iterator

from tests.pg_cluster import Cluster, make_cluster, remove_cluster


class ServerUnavailable(RuntimeError):
    """No server to run on (no binaries, no driver, cannot connect): one line, the reason."""


class Server:
    """Where a benchmark's databases go: :meth:`new_database` gives the URL of a fresh one."""

    def __init__(self, cluster: Cluster | None = None, url: str | None = None) -> None:
        self.cluster = cluster
        self.url = url
        self._made: list[str] = []

    def new_database(self) -> str:
        if self.cluster is not None:
            return self.cluster.dsn(self.cluster.new_database())
        import psycopg
        from psycopg.conninfo import make_conninfo

        assert self.url is not None
        name = f"warroom_bench_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        self._made.append(name)
        return make_conninfo(self.url, dbname=name)

    def describe(self) -> str:
        """Version and durability settings, for the report."""
        import psycopg

        dsn = self.cluster.dsn() if self.cluster is not None else self.url
        assert dsn is not None
        with psycopg.connect(dsn, autocommit=True) as conn:
            got = {
                k: conn.execute(f"SHOW {k}").fetchone()[0]  # type: ignore[index]
                for k in ("server_version", "fsync", "synchronous_commit", "full_page_writes")
            }
        where = "throwaway loopback cluster" if self.cluster is not None else "--pg server"
        return (
            f"PostgreSQL {got['server_version'].split()[0]} ({where}; fsync={got['fsync']}, "
            f"synchronous_commit={got['synchronous_commit']}, "
            f"full_page_writes={got['full_page_writes']})"
        )

    def close(self) -> None:
        if self.url is None or not self._made:
            return
        import psycopg

        with (
            contextlib.suppress(psycopg.Error),
            psycopg.connect(self.url, autocommit=True) as conn,
        ):
            for name in self._made:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self._made.clear()


@contextlib.contextmanager
def server(url: str | None = None) -> Iterator[Server]:
    """The server named by ``url``, else a durable throwaway cluster (removed at the end);
    :class:`ServerUnavailable` with the reason when there is none."""
    try:
        import psycopg
    except ImportError:
        raise ServerUnavailable(
            "psycopg is not installed (pip install 'warroom[postgres]')"
        ) from None
    if url is not None:
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=10):
                pass
        except psycopg.Error as e:
            from storage.pg.plumbing import one_line

            raise ServerUnavailable(one_line(e, "--pg", url)) from None
        s = Server(url=url)
        try:
            yield s
        finally:
            s.close()
        return
    try:
        cluster = make_cluster(durable=True)
    except (OSError, RuntimeError) as e:
        raise ServerUnavailable(f"no PostgreSQL server to run on: {e}") from None
    before = None
    if threading.current_thread() is threading.main_thread():
        # SIGTERM (a timeout, a kill) leaves through here too: the cluster is removed
        before = signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        yield Server(cluster=cluster)
    finally:
        remove_cluster(cluster)
        if before is not None:
            signal.signal(signal.SIGTERM, before)
