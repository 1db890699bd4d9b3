"""``warroom copy`` between a laptop's SQLite file and the team's PostgreSQL server, both
ways (tests/test_copy.py has the file-to-file cases); the URL's password is never shown."""

from __future__ import annotations

import asyncio

from session.copy import COPY_LEDGER, copy_incident
from storage.pg.store import PgStore
from storage.store import Store
from tests.pg_cluster import PASSWORD, PASSWORD_ROLE, Cluster
from tests.test_copy import LINES, copy, report, rows, run, seed


async def _server(dsn: str, incident: int):
    async with await PgStore.open(dsn, read_only=True) as s:
        return (
            await s.events(incident),
            [x.text for x in await s.captures.read(incident, "s1")],
        )


def server(dsn: str, incident: int):
    return asyncio.run(_server(dsn, incident))


def laptop(db, incident: int):
    async def read():
        async with await Store.open(db, read_only=True) as s:
            return await s.events(incident)

    return asyncio.run(read())


def test_laptop_to_server_and_back(pg_cluster: Cluster, tmp_path, capsys):
    a, _, _ = seed(tmp_path, capsys)
    db = pg_cluster.new_database()
    url = f"postgresql://{PASSWORD_ROLE}:{PASSWORD}@127.0.0.1:{pg_cluster.port}/{db}"
    shown = url.replace(PASSWORD, "***")
    assert run(capsys, "--db", url, "declare", "the server's own", "-s", "SEV-3")[0] == 0
    rc, out, err = copy(capsys, "1", a, url)
    assert (rc, err) == (0, "") and PASSWORD not in out
    assert out == f"INC-1 in {a} is INC-2 in {shown}: 7 events, 3 capture lines copied\n"
    events, lines = server(url, 2)
    src = laptop(a, 1)
    assert rows(events) == rows(src) and report(events) == report(src) and lines == LINES
    ledger = [e.text for e in events if e.action == COPY_LEDGER]
    assert ledger == [f"Copied from {a} INC-1: 7 events, 3 capture lines"]
    mine = [e.text for e in laptop(a, 1) if e.action == COPY_LEDGER]
    assert mine == [f"Copied to {shown} as INC-2: 7 events, 3 capture lines"]
    assert copy(capsys, "1", a, url)[1] == f"INC-1 in {a}: nothing new to copy to {shown} (INC-2)\n"
    # the team goes on on the server; the laptop gets it back onto its INC-1
    assert run(capsys, "--db", url, "note", "2", "server: all clear")[0] == 0
    rc, out, err = copy(capsys, "2", url, a)
    assert (rc, err) == (0, "")
    assert out == f"INC-2 in {shown} is INC-1 in {a}: 1 event, 0 capture lines copied\n"
    back = laptop(a, 1)
    assert rows(back) == rows(server(url, 2)[0])
    assert copy(capsys, "2", url, a)[1].endswith("nothing new to copy to " + f"{a} (INC-1)\n")


def test_a_server_source_opened_read_only_is_recorded_by_the_target_only(pg_dsn, tmp_path, capsys):
    a, _, clock = seed(tmp_path, capsys)
    assert copy(capsys, "1", a, pg_dsn)[0] == 0
    b = tmp_path / "b.db"

    async def go():
        async with (
            await PgStore.open(pg_dsn, read_only=True) as src,
            await Store.open(b) as dst,
        ):
            return await copy_incident(src, "server", 1, dst, "b", clock=clock, actor="me")

    copied = asyncio.run(go())
    assert (copied.events, copied.lines, copied.source_recorded) == (7, 3, False)
    assert [e.action for e in server(pg_dsn, 1)[0]].count(COPY_LEDGER) == 1  # (the first copy)


def test_bad_input_on_the_server_is_one_line_without_the_password(pg_cluster, tmp_path, capsys):
    a, _, _ = seed(tmp_path, capsys)
    db = pg_cluster.new_database()
    url = f"postgresql://{PASSWORD_ROLE}:{PASSWORD}@127.0.0.1:{pg_cluster.port}/{db}"
    rc, out, err = copy(capsys, "1", url, a)  # (no warroom database there: never made)
    assert rc == 2 and out == "" and len(err.splitlines()) == 1 and PASSWORD not in err
    assert copy(capsys, "1", a, url)[0] == 0
    for argv in (("9", url, a), ("1", url, url)):
        rc, out, err = copy(capsys, *argv)
        assert rc == 2 and out == "" and len(err.splitlines()) == 1 and PASSWORD not in err
