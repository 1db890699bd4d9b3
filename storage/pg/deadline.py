"""How long the server may stay silent: the deadline of each read and write, and what is
done with a connection that overshoots it (``storage/pg/plumbing.py`` says why)."""

from __future__ import annotations

import contextlib
import math
import os
import socket

import psycopg

DEADLINE_ENV = "WARROOM_PG_DEADLINE"  # seconds; for tests that cut the network
DEADLINE_S = 5.0  # the longest a statement or a transaction may go unanswered
PER_ROW_S = 0.002  # more for each row a write carries (a big copy is not a cut network)


def deadline() -> float:
    """The deadline of one read or write: ``WARROOM_PG_DEADLINE`` where it is a positive
    number of seconds, else ``DEADLINE_S``."""
    try:
        given = float(os.environ.get(DEADLINE_ENV, ""))
    except ValueError:
        return DEADLINE_S
    return given if math.isfinite(given) and given > 0 else DEADLINE_S


def deadline_for(rows: int | None) -> float | None:
    """The deadline of a write of ``rows`` rows (None: none, the kernel's keepalives and
    ``tcp_user_timeout`` only: a schema migration)."""
    return None if rows is None else deadline() + PER_ROW_S * max(rows, 0)


def abandon(conn: psycopg.Connection | psycopg.AsyncConnection) -> None:
    """Shut ``conn``'s socket: whatever waits on it fails at once as on a lost connection
    (nothing is sent to a server that does not answer)."""
    with contextlib.suppress(OSError, psycopg.Error, ValueError):
        fd = conn.pgconn.socket
        sock = socket.socket(fileno=os.dup(fd))
        try:
            sock.shutdown(socket.SHUT_RDWR)
        finally:
            sock.close()


IDLE_IN_TRANSACTION = 1  # deadlines: the server ends a transaction whose client went silent


def session_settings() -> tuple[str, tuple[str]]:
    """What each connection asks of its server session: a transaction whose client went
    silent after a statement (its network cut, its COMMIT lost on the way) is ended by the
    server after ``IDLE_IN_TRANSACTION`` deadlines, so that its locks (the incident's
    append lock, a lease's row) do not hold up every other console until the server's own
    keepalives give up, hours later. (One deadline: another console waiting on such a lock
    gets it before its own deadline passes. warroom's transactions never wait on their
    client between statements longer than a scheduling hiccup; one that does is ended and
    run again as after any lost connection.)"""
    ms = round(deadline() * IDLE_IN_TRANSACTION * 1000)
    return "SELECT set_config('idle_in_transaction_session_timeout', %s, false)", (str(ms),)
