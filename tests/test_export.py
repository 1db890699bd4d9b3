"""Export: one incident as a self-contained database that review opens; redacted by default;
the report states the redaction; and a round trip keeps the journal."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
from contextlib import closing

from storage.store import Store
from tests.console_support import seed_sync
from tui.cli import main


def test_export_round_trip_keeps_the_journal_and_capture(tmp_path, capsys):
    db, out = tmp_path / "w.db", tmp_path / "out.db"
    incident = seed_sync(db)
    with closing(sqlite3.connect(db)) as conn:
        conn.execute(
            "INSERT INTO captured_lines VALUES (?, 's1', 1, 0, 't', 'password=abc ERROR')",
            (incident,),
        )
        conn.commit()
    assert main(["--db", str(db), "note", str(incident), "uses postgres://u:pw1@db/x"]) == 0
    assert main(["--db", str(db), "export", str(incident), "--keep-secrets", "-o", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600

    async def compare() -> None:
        async with (
            await Store.open(db, read_only=True) as src,
            await Store.open(out, read_only=True) as dst,
        ):
            a, b = await src.events(incident), await dst.events(incident)
            assert [e.model_dump() for e in a] == [e.model_dump() for e in b]
            assert (await dst.load_state(incident)).model_dump() == (
                await src.load_state(incident)
            ).model_dump()
            assert [x.text for x in await dst.captures.read(incident, "s1")] == [
                "password=abc ERROR"
            ]

    asyncio.run(compare())
    assert "secrets kept" in capsys.readouterr().out


def test_export_redacts_by_default_and_the_report_says_so(tmp_path, capsys):
    db, out = tmp_path / "w.db", tmp_path / "out.db"
    incident = seed_sync(db)
    main(["--db", str(db), "note", str(incident), "uses postgres://u:pw1@db/x"])
    with closing(sqlite3.connect(db)) as conn:
        conn.execute(
            "INSERT INTO captured_lines VALUES (?, 's1', 1, 0, 't', 'token=abc123 ERROR')",
            (incident,),
        )
        conn.commit()
    assert main(["--db", str(db), "export", str(incident), "-o", str(out)]) == 0
    raw = out.read_bytes()
    assert b"pw1" not in raw and b"abc123" not in raw
    capsys.readouterr()
    assert main(["--db", str(db), "report", str(incident)]) == 0
    report = capsys.readouterr().out
    assert "pw1" not in report and "Secrets redacted on export: 1" in report
    assert main(["--db", str(db), "report", str(incident), "--keep-secrets"]) == 0
    kept = capsys.readouterr().out
    assert "pw1" in kept and "Secrets redacted" not in kept


def test_export_refuses_to_overwrite(tmp_path, capsys):
    db, out = tmp_path / "w.db", tmp_path / "out.db"
    incident = seed_sync(db)
    out.write_bytes(b"precious")
    assert main(["--db", str(db), "export", str(incident), "-o", str(out)]) != 0
    assert out.read_bytes() == b"precious"
    err = capsys.readouterr().err
    assert err.startswith("warroom:") and len(err.strip().splitlines()) == 1
