"""Both backends of the journal port, for the conformance suite (a pytest plugin, loaded by
``tests/conftest.py``): ``backend`` is the SQLite file and the PostgreSQL server in turn
(the server from ``tests/conftest_pg.py``: skipped where there is none, unless
``WARROOM_REQUIRE_PG=1``). Each test module makes its ``journal`` from it (the name is
``conftest``'s in-memory journal elsewhere).

``db_target`` is the same pair as the app and the CLI name it (``--db``): the SQLite file's
path, then a ``storage.dsn.ServerDsn``, for the console, crash and concurrency tests that
hold both backends to one set of assertions (``tests/console_support.py``'s ``seed`` and
``stored`` and ``make_app`` take either)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from incident import commands as c
from incident.clock import FrozenClock
from incident.journal import Event, Note
from incident.model import Severity
from storage.capture import CaptureWriter
from storage.dsn import ServerDsn
from storage.store import Store

Opener = Callable[..., Awaitable[Any]]


@dataclass
class Backend:
    name: str
    open: Opener  # open(read_only=False, create=True) -> a store on the same database
    writer: Callable[..., Any]  # writer(**limits) -> a CaptureSink onto it
    where: str


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, tmp_path: Path) -> Backend:
    if request.param == "sqlite":
        path = tmp_path / "w.db"

        async def open_file(**kw: Any) -> Store:
            return await Store.open(path, **kw)

        return Backend("sqlite", open_file, lambda **kw: CaptureWriter(path, **kw), str(path))
    dsn = request.getfixturevalue("pg_dsn")
    from storage.pg.capture import PgCaptureWriter
    from storage.pg.store import PgStore

    async def open_server(**kw: Any) -> PgStore:
        return await PgStore.open(dsn, **kw)

    return Backend("postgres", open_server, lambda **kw: PgCaptureWriter(dsn, **kw), dsn)


@pytest.fixture(params=["sqlite", "postgres"])
def db_target(request, tmp_path: Path) -> Path | ServerDsn:
    """What ``--db`` names, in turn: a SQLite file, then a fresh database on the test
    server (``pg_dsn``: skipped without one unless ``WARROOM_REQUIRE_PG=1``)."""
    if request.param == "sqlite":
        return tmp_path / "w.db"
    return ServerDsn(request.getfixturevalue("pg_dsn"))


def on_server(db: Path | ServerDsn) -> bool:
    return isinstance(db, ServerDsn)


async def declare(store: Any, clock: FrozenClock, title: str = "Checkout 502s") -> int:
    return (await store.declare(c.declare(clock, title, Severity.SEV2))).incident_id


def note(incident_id: int, text: str, at: datetime, **kw: Any) -> Event:
    return Event(
        incident_id=incident_id, occurred_at=at, recorded_at=at, text=text, payload=Note(), **kw
    )
