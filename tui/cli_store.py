"""The composition root's choice of backend: the SQLite file or the PostgreSQL server that
``--db`` names (``storage.paths.resolve_db``). The server's modules, and psycopg with them,
are imported only when a server is named, so a SQLite-only install never needs them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from storage.capture import CaptureWriter
from storage.dsn import ServerDsn

if TYPE_CHECKING:
    from incident.ports import CaptureSink

Target = Path | ServerDsn


async def open_store(target: Target, *, read_only: bool = False, create: bool = True) -> Any:
    """The open journal (``storage.store.Store`` or ``storage.pg.store.PgStore``)."""
    if isinstance(target, ServerDsn):
        from storage.pg.store import PgStore

        return await PgStore.open(target.dsn, read_only=read_only, create=create)
    from storage.store import Store

    return await Store.open(target, read_only=read_only, create=create)


def capture_writer(target: Target, *, limit: int, max_bytes: int) -> CaptureSink:
    """Where a console's log sources' output is stored."""
    if isinstance(target, ServerDsn):
        from storage.pg.capture import PgCaptureWriter

        return PgCaptureWriter(target.dsn, limit=limit, max_bytes=max_bytes)
    return CaptureWriter(target, limit=limit, max_bytes=max_bytes)
