"""The verbs on a PostgreSQL server (``--db postgresql://...`` or ``$WARROOM_DB``), through
the CLI's entry point as tests/test_cli.py drives it on a file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from storage.paths import ENV_VAR
from tests.pg_cluster import PASSWORD, PASSWORD_ROLE, Cluster
from tui.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def ok(capsys, *argv: str) -> str:
    rc, out, err = run(capsys, *argv)
    assert (rc, err) == (0, ""), err
    return out


@pytest.fixture(autouse=True)
def _user(monkeypatch) -> None:
    monkeypatch.setenv("WARROOM_USER", "@tester")


def test_declare_note_list_report_and_export_on_the_server(pg_dsn, capsys, tmp_path: Path):
    assert ok(capsys, "--db", pg_dsn, "declare", "Checkout 502s", "--severity", "SEV-2") == (
        "INC-1\n"
    )
    assert ok(capsys, "--db", pg_dsn, "note", "1", "pods restarted").startswith("INC-1 #2 ")
    ok(capsys, "--db", pg_dsn, "severity", "INC-1", "SEV-1", "--reason", "all regions")
    listed = json.loads(ok(capsys, "--db", pg_dsn, "list", "--json"))
    assert [(i["id"], i["severity"], i["events"]) for i in listed] == [("INC-1", "SEV-1", 3)]
    assert "Checkout 502s" in ok(capsys, "--db", pg_dsn, "list")
    report = ok(capsys, "--db", pg_dsn, "report", "1")
    assert "pods restarted" in report and "**Severity**: SEV-1" in report
    out = tmp_path / "inc1.db"
    assert "INC-1 exported" in ok(capsys, "--db", pg_dsn, "export", "1", "--output", str(out))
    conn = sqlite3.connect(out)  # a SQLite file from a server incident: offline review
    try:
        texts = [r[0] for r in conn.execute("SELECT text FROM events ORDER BY id")]
    finally:
        conn.close()
    assert texts[1] == "pods restarted" and len(texts) == 3
    ok(capsys, "--db", str(out), "report", "1")  # the exported file reads as any other


def test_the_environment_names_the_server_too(pg_dsn, capsys, monkeypatch):
    monkeypatch.setenv(ENV_VAR, pg_dsn)
    assert ok(capsys, "declare", "From the env", "--severity", "SEV-3") == "INC-1\n"
    assert "From the env" in ok(capsys, "list")


def test_a_read_verb_makes_no_schema_on_the_server(pg_dsn, pg_cluster: Cluster, capsys):
    rc, out, err = run(capsys, "--db", pg_dsn, "note", "1", "x")
    assert rc != 0 and out == "" and err.count("\n") == 1 and "warroom declare" in err
    dbname = pg_dsn.rsplit("/", 1)[1]
    assert pg_cluster.psql("SELECT count(*) FROM pg_tables WHERE schemaname='public'", dbname) == (
        "0"
    )
    rc, out, err = run(capsys, "--db", pg_dsn, "note", "7", "x")
    assert rc != 0


def test_the_password_is_never_printed(pg_cluster: Cluster, capsys):
    db = pg_cluster.new_database()
    url = f"postgresql://{PASSWORD_ROLE}:{PASSWORD}@127.0.0.1:{pg_cluster.port}/{db}"
    ok(capsys, "--db", url, "declare", "t", "--severity", "SEV-2")
    for argv in (("list",), ("note", "9", "x"), ("report", "2")):
        rc, out, err = run(capsys, "--db", url, *argv)
        assert PASSWORD not in out + err
    rc, out, err = run(capsys, "--db", url.replace(PASSWORD, "wr0ng-secret"), "list")
    assert rc != 0 and "wr0ng-secret" not in err and err.count("\n") == 1
