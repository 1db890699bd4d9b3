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


def test_every_verb_that_runs_without_a_terminal_works_on_the_server(
    pg_dsn, capsys, tmp_path: Path
):
    """declare, note, status, severity, edit, action add/done/list, tail --cmd/--grep/--list/
    --stop, report (Markdown and JSON), export, copy and list on one server incident (the
    console, review and postmortem need a terminal: tests/test_console_pg.py,
    tests/test_e2e_quit.py and tests/test_postmortem.py run them on the server)."""
    db = ("--db", pg_dsn)
    assert ok(capsys, *db, "declare", "Every verb", "--severity", "SEV-3") == "INC-1\n"
    ok(capsys, *db, "note", "INC-1", "first look", "--action", "paged db", "--owner", "@a")
    ok(capsys, *db, "severity", "INC-1", "SEV-2", "--reason", "spreading")
    ok(capsys, *db, "edit", "INC-1", "--service", "checkout", "--root-cause", "pool size")
    ok(capsys, *db, "action", "INC-1", "add", "raise the pool", "--owner", "@b")
    ok(capsys, *db, "action", "INC-1", "done", "1")
    assert "raise the pool" in ok(capsys, *db, "action", "INC-1", "list")
    ok(capsys, *db, "tail", "INC-1", "--cmd", "tail -F /var/log/app.log", "--name", "app")
    ok(capsys, *db, "tail", "INC-1", "--grep", r"\[error\]", "/var/log/a.log", "--name", "g")
    listed = ok(capsys, *db, "tail", "INC-1", "--list")
    assert "app" in listed and r"grep '\[error\]' /var/log/a.log" in listed
    ok(capsys, *db, "tail", "INC-1", "--stop", "app")
    ok(capsys, *db, "status", "INC-1", "mitigated")
    ok(capsys, *db, "status", "INC-1", "resolved", "--immediate", "pool raised")
    report = ok(capsys, *db, "report", "INC-1")
    assert "pool size" in report and "raise the pool" in report and "checkout" in report
    data = json.loads(ok(capsys, *db, "report", "INC-1", "--format", "json"))
    assert data["incident"]["severity"] == "SEV-2"
    ok(capsys, *db, "export", "INC-1", "--output", str(tmp_path / "inc1.db"))
    ok(capsys, "copy", "INC-1", "--from", pg_dsn, "--to", str(tmp_path / "laptop.db"))
    assert "Every verb" in ok(capsys, "--db", str(tmp_path / "laptop.db"), "list", "--all")
    assert "Every verb" in ok(capsys, *db, "list", "--all")


def test_libpq_s_environment_and_pgpass_name_the_server(
    pg_cluster: Cluster, capsys, monkeypatch, tmp_path: Path
):
    """``postgresql:///db`` with libpq's ``PGHOST``/``PGPORT``/``PGUSER`` from the
    environment, and the password from ``~/.pgpass``: nothing of it on the command line."""
    db = pg_cluster.new_database()
    pgpass = tmp_path / ".pgpass"
    pgpass.write_text(f"127.0.0.1:{pg_cluster.port}:{db}:{PASSWORD_ROLE}:{PASSWORD}\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    monkeypatch.setenv("PGHOST", "127.0.0.1")
    monkeypatch.setenv("PGPORT", str(pg_cluster.port))
    monkeypatch.setenv("PGUSER", PASSWORD_ROLE)
    assert ok(capsys, "--db", f"postgresql:///{db}", "declare", "env", "--severity", "SEV-3") == (
        "INC-1\n"
    )
    assert "env" in ok(capsys, "--db", f"dbname={db}", "list")
    pgpass.write_text(f"127.0.0.1:{pg_cluster.port}:{db}:{PASSWORD_ROLE}:not-it\n")
    rc, _out, err = run(capsys, "--db", f"postgresql:///{db}", "list")
    assert rc != 0 and err.count("\n") == 1 and "not-it" not in err and PASSWORD not in err


def test_sslmode_is_libpq_s(pg_cluster: Cluster, capsys):
    """``sslmode`` goes to libpq as given: ``disable`` connects to this test server (it has
    no TLS), ``require`` is refused in one line, exit non-zero, no traceback."""
    db = pg_cluster.new_database()
    url = f"{pg_cluster.dsn(db)}?sslmode=disable"
    assert ok(capsys, "--db", url, "declare", "tls", "--severity", "SEV-3") == "INC-1\n"
    rc, _out, err = run(capsys, "--db", f"{pg_cluster.dsn(db)}?sslmode=require", "list")
    assert rc != 0 and err.count("\n") == 1 and "Traceback" not in err
    assert "SSL" in err, err
