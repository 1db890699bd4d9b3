"""The SQL plumbing of the store: connections, row mapping, timestamps, migration text."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite
from pydantic_core import PydanticSerializationError

from incident.errors import InvalidInput, WarroomError
from incident.glance_of import glance_of
from incident.journal import PAYLOAD_ADAPTER, Event
from incident.kinds import STATE_KINDS
from incident.state import fold
from storage import schema
from storage.errors import NotAWarroomDatabase, SchemaTooNew, StoreError, translate
from storage.paths import read_only_uri
from storage.timestamps import ts

# SQLite's own wait for a lock, per attempt: the store's writes retry on top of it up to their
# deadline (storage/plumbing.py). A wait inside SQLite cannot be interrupted, so it is kept
# short: a console going away stops retrying, and is gone within the promised seconds even
# while another process holds the lock (it waited out 5 s attempts: 9.65 s to exit).
BUSY_TIMEOUT_MS = 250

COLUMNS = "id, incident_id, occurred_at, recorded_at, text, action, owner, payload, corrects"


def dt(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except (ValueError, TypeError):
        raise NotAWarroomDatabase(
            f"a stored time ({text!r}) cannot be read: the database "
            "file is corrupt or was not written by warroom"
        ) from None


def row_event(row: Sequence[Any]) -> Event:
    """An event from its row. A row warroom did not write (bytes damaged on disk, or edited
    by hand) is refused with one line instead of a traceback further on."""
    try:
        if not (
            isinstance(row[0], int)
            and isinstance(row[1], int)
            and all(isinstance(v, str) for v in row[4:7])
            and (row[8] is None or isinstance(row[8], int))
        ):
            raise ValueError("a column of the wrong type")
        return Event.model_construct(
            id=row[0],
            incident_id=row[1],
            occurred_at=dt(row[2]),
            recorded_at=dt(row[3]),
            text=row[4],
            action=row[5],
            owner=row[6],
            payload=PAYLOAD_ADAPTER.validate_json(row[7]),
            corrects=row[8],
        )
    except (ValueError, TypeError, NotAWarroomDatabase):  # pydantic's ValidationError
        raise NotAWarroomDatabase(
            f"event #{row[0]!r} cannot be read: the database file is corrupt or was not "
            "written by warroom"
        ) from None


def check_header(path: Path) -> None:
    """Refuse a file that exists, is not empty and is not SQLite, before SQLite touches it."""
    try:
        if path.is_file() and path.stat().st_size:
            with path.open("rb") as f:
                if f.read(16) != b"SQLite format 3\x00":
                    raise NotAWarroomDatabase(f"{path}: not a SQLite database file")
    except PermissionError:
        raise StoreError(f"{path}: permission denied") from None


async def connect(target: str, path: Path, *, uri: bool = False) -> aiosqlite.Connection:
    try:
        conn = await aiosqlite.connect(
            target, uri=uri, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000
        )
        await conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA foreign_keys=ON")
    except sqlite3.Error as e:
        raise translate(e, str(path)) from None
    return conn


async def write_glance(conn: aiosqlite.Connection, incident_id: int) -> bool:
    """Keep the incident's glance (its status bar, ``incident/glance.py``) current: called in
    the transaction that appends a state event, so the two are committed together. True if
    written."""
    kinds = sorted(STATE_KINDS)
    async with conn.execute(
        f"SELECT {COLUMNS} FROM events INDEXED BY events_by_kind WHERE incident_id=? "
        f"AND kind IN ({','.join('?' * len(kinds))}) ORDER BY id",
        (incident_id, *kinds),
    ) as cur:
        rows = list(await cur.fetchall())
    try:
        events = [row_event(r) for r in rows]
        glance = glance_of(fold(events), upto=events[-1].id or 0)
    except (WarroomError, ValueError, IndexError):
        return False  # a journal it cannot fold (damaged rows): consoles start without it
    await conn.execute(
        "INSERT INTO glances(incident_id, upto, body) VALUES (?,?,?) ON CONFLICT(incident_id)"
        " DO UPDATE SET upto=excluded.upto, body=excluded.body",
        (incident_id, glance.upto, glance.to_json()),
    )
    return True


def event_values(event: Event) -> tuple[Any, ...]:
    """The columns of an event's row after ``id`` (both backends store them alike); text
    that cannot be stored is refused in one line."""
    try:
        payload = event.payload.model_dump_json()
        values = (
            event.incident_id,
            ts(event.occurred_at),
            ts(event.recorded_at),
            event.kind.value,
            event.text,
            event.action,
            event.owner,
            payload,
            event.corrects,
        )
        for v in values:  # text SQLite cannot store: arguments in another encoding
            if isinstance(v, str):
                v.encode("utf-8")
    except (UnicodeEncodeError, PydanticSerializationError):
        raise InvalidInput(
            "the text is not valid UTF-8 (a terminal or file name in another "
            "encoding?); nothing was saved"
        ) from None
    return values


async def insert(conn: aiosqlite.Connection, event: Event) -> Event:
    cur = await conn.execute(
        "INSERT INTO events(incident_id, occurred_at, recorded_at, kind, text, action, owner,"
        " payload, corrects) VALUES (?,?,?,?,?,?,?,?,?)",
        event_values(event),
    )
    return event.model_copy(update={"id": cur.lastrowid})


def split_sql(script: str) -> list[str]:
    """Split a migration into statements (``sqlite3.complete_statement`` knows triggers)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--") and not buf.strip():
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


def preflight(path: Path) -> None:
    """Refuse another program's database, or a newer warroom's, before opening it for writing.

    The look is taken through a read-only connection, which reads a pending WAL too and never
    checkpoints it: a refused file is left exactly as it was, byte for byte.
    """
    check_header(path)
    if not (path.is_file() and path.stat().st_size):
        return
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type='table'"
            ).fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as e:
        raise translate(e, str(path)) from None
    check_identity(path, app_id, version, tables)


def check_identity(path: Path, app_id: int, version: int, tables: int) -> None:
    if app_id not in (0, schema.APPLICATION_ID) or (app_id == 0 and tables and not version):
        raise NotAWarroomDatabase(f"{path}: this SQLite file is not a warroom database")
    latest = schema.latest_version()
    if version > latest:
        raise SchemaTooNew(
            f"{path}: made by a newer warroom (schema {version}, this one knows "
            f"{latest}); upgrade warroom to open it - the file was not changed"
        )
