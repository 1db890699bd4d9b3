"""The console's first frame, read straight from the file before anything else is loaded.

:func:`peek` reads an incident's glance and its newest timeline rows with the standard
library's ``sqlite3`` (read-only, no pydantic, no aiosqlite), so the console can paint the
incident while the domain models are still being imported; the store then opens as usual
and what it folds replaces what was peeked (``tui/app.py``).

It is only an early view, never a source of truth: whenever it cannot be had surely and
cheaply (no such file, an older or newer schema, a glance older than the newest state
event, a lock, anything odd in a row), it answers None and the console starts from the
journal alone, as it would without it.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path

from incident.glance import Glance, Peek, Row, corrected, fix_from_payload
from incident.kinds import STATE_KINDS
from storage import schema
from storage.paths import read_only_uri

_STATE_KINDS = tuple(sorted(STATE_KINDS))
_IN_STATE = ",".join("?" * len(_STATE_KINDS))
_ODD = (sqlite3.Error, ValueError, TypeError, KeyError, AttributeError, IndexError)


def peek(path: Path, incident_id: int | None, limit: int) -> Peek | None:
    """The glance and the newest ``limit`` rows of ``incident_id`` (None: the newest
    incident, if it is not resolved), or None when they cannot be trusted."""
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True, timeout=0.05)
    except sqlite3.Error:
        return None
    try:
        return _peek(conn, incident_id, limit)
    except _ODD:
        return None
    finally:
        conn.close()


def _peek(conn: sqlite3.Connection, incident_id: int | None, limit: int) -> Peek | None:
    conn.execute("PRAGMA query_only=1")
    if (
        conn.execute("PRAGMA application_id").fetchone()[0] != schema.APPLICATION_ID
        or conn.execute("PRAGMA user_version").fetchone()[0] != schema.latest_version()
    ):
        return None  # not ours, or a schema the store must first upgrade (or refuse)
    newest = incident_id is None
    if incident_id is None:
        incident_id = conn.execute("SELECT max(id) FROM incidents").fetchone()[0]
        if incident_id is None:
            return None
    found = conn.execute(
        "SELECT upto, body FROM glances WHERE incident_id=?", (incident_id,)
    ).fetchone()
    last_state = conn.execute(
        f"SELECT max(id) FROM events INDEXED BY events_by_kind WHERE incident_id=? "
        f"AND kind IN ({_IN_STATE})",
        (incident_id, *_STATE_KINDS),
    ).fetchone()[0]
    if found is None or found[0] != last_state:
        return None  # no glance yet (an older file), or one a state event has overtaken
    glance = Glance.from_json(found[1])
    if glance.incident_id != incident_id or glance.upto != found[0]:
        return None
    if newest and glance.resolved:
        return None  # the latest *active* incident is an older one: the store finds it
    return Peek(glance, _rows(conn, incident_id, limit))


def _rows(conn: sqlite3.Connection, incident_id: int, limit: int) -> list[Row]:
    """The newest page as the console's first page reads (``TimelinePane``, fed by
    ``WarRoomApp.load_page``): the page, the corrections of its entries, applied."""
    cols = "id, kind, occurred_at, text, action, owner, corrects, payload"
    page = conn.execute(
        f"SELECT {cols} FROM events WHERE incident_id=? ORDER BY occurred_at DESC, id DESC LIMIT ?",
        (incident_id, limit),
    ).fetchall()
    ids = [r[0] for r in page]
    fixes = (
        conn.execute(
            f"SELECT {cols} FROM events WHERE corrects IN ({','.join('?' * len(ids))}) ORDER BY id",
            ids,
        ).fetchall()
        if ids
        else []
    )
    seen = set(ids)
    events = page + [f for f in fixes if f[0] not in seen]
    by_target: dict[int, list] = {}
    for e in events:
        if e[1] == "edit" and e[6] is not None:
            by_target.setdefault(e[6], []).append(fix_from_payload(e[0], json.loads(e[7])))
    rows = []
    for e in events:
        if not (
            isinstance(e[0], int)
            and isinstance(e[1], str)
            and all(isinstance(v, str) for v in e[2:6])
        ):
            raise TypeError("a column of the wrong type")
        at = datetime.fromisoformat(e[2])
        if at.tzinfo is None:
            raise ValueError("a time without a zone")
        rows.append(corrected(Row(e[0], e[1], at, e[3], e[4], e[5]), by_target.get(e[0], [])))
    rows.sort(key=lambda r: (r.occurred_at, r.id))
    return rows
