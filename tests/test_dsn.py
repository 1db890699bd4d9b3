"""What ``--db`` names: a file, a PostgreSQL server, or a URL refused; a password never shown.

Before: ``warroom --db postgresql://postgres@127.0.0.1:5432/postgres declare ...`` exited 0
and made a SQLite file in a directory named ``postgresql:`` under the current directory.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from incident.errors import InvalidInput
from storage.dsn import INSTALL_HINT, ServerDsn, is_server, redact_dsn
from storage.paths import ENV_VAR, default_db_path, resolve_db
from tests.pg_cluster import free_port
from tui.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("postgresql://ic:hunter2@db1:5432/warroom", "postgresql://ic:***@db1:5432/warroom"),
        ("postgres://ic:p%40ss@db1/warroom?sslmode=require",
         "postgres://ic:***@db1/warroom?sslmode=require"),
        ("postgresql://ic@db1,db2/warroom?password=hunter2&target_session_attrs=read-write",
         "postgresql://ic@db1,db2/warroom?password=***&target_session_attrs=read-write"),
        ("postgresql://ic:a:b@c@db1/w", "postgresql://ic:***@db1/w"),
        ("host=db1 dbname=warroom user=ic password=hunter2 sslmode=require",
         "host=db1 dbname=warroom user=ic password=*** sslmode=require"),
        ("host=db1 password='hunter 2' dbname=w", "host=db1 password=*** dbname=w"),
        ("host=db1 PASSWORD = hunter2", "host=db1 PASSWORD=***"),
        ("postgresql://ic@db1/warroom", "postgresql://ic@db1/warroom"),
        ("/var/lib/warroom/w.db", "/var/lib/warroom/w.db"),
    ],
)  # fmt: skip
def test_a_password_is_never_shown(given: str, shown: str) -> None:
    assert redact_dsn(given) == shown
    for secret in ("hunter2", "hunter 2", "p%40ss", "a:b@c"):
        assert secret not in redact_dsn(given)
    assert "hunter2" not in repr(ServerDsn(given)) and "hunter2" not in str(ServerDsn(given))


@pytest.mark.parametrize(
    "value",
    ["postgresql://h/db", "postgres://h/db", "POSTGRESQL://h/db", "host=h dbname=w",
     "dbname=w", "  host = h port=5433"],
)  # fmt: skip
def test_urls_and_key_value_strings_name_a_server(value: str) -> None:
    assert is_server(value)
    assert resolve_db(value, {}) == ServerDsn(value)
    assert resolve_db(None, {ENV_VAR: value}) == ServerDsn(value)


@pytest.mark.parametrize(
    "value", ["w.db", "./a=b.db", "dir/x.db", "notes:2026.db", "C:\\w.db", "c:/w.db"]
)
def test_file_names_stay_files(value: str) -> None:
    assert not is_server(value)
    assert resolve_db(value, {}) == Path(value)
    assert resolve_db(None, {}) == default_db_path()


@pytest.mark.parametrize(
    "value",
    ["mysql://u:hunter2@h/db", "sqlite:///tmp/w.db", "http://h/x", "file:w.db", "s3://b/k"],
)
def test_a_url_of_anything_else_is_refused_in_one_line(value: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        resolve_db(value, {})
    assert "\n" not in str(refused.value) and "hunter2" not in str(refused.value)


def _cli(tmp_path: Path, capsys, *argv: str, env: dict[str, str] | None = None):
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        rc = main(list(argv))
    finally:
        os.chdir(cwd)
    out, err = capsys.readouterr()
    return rc, out, err


def test_a_server_url_is_never_taken_for_a_path(tmp_path: Path, capsys, monkeypatch) -> None:
    """Before: exit 0, and ``postgresql:/`` made under the current directory."""
    monkeypatch.setenv("PGCONNECT_TIMEOUT", "5")
    url = f"postgresql://nobody:hunter2@127.0.0.1:{free_port()}/postgres"
    rc, out, err = _cli(tmp_path, capsys, "--db", url, "declare", "t", "--severity", "SEV-2")
    assert rc != 0 and out == ""
    assert err.count("\n") == 1 and err.startswith("warroom: ") and "hunter2" not in err
    assert list(tmp_path.iterdir()) == []  # no `postgresql:` directory, no file
    monkeypatch.setenv(ENV_VAR, url)
    rc, out, err = _cli(tmp_path, capsys, "list")
    assert rc != 0 and err.count("\n") == 1 and "hunter2" not in err
    assert list(tmp_path.iterdir()) == []


def test_a_foreign_url_exits_2_and_makes_nothing(tmp_path: Path, capsys) -> None:
    rc, out, err = _cli(tmp_path, capsys, "--db", "mysql://u:hunter2@h/db", "declare", "t",
                        "--severity", "SEV-2")  # fmt: skip
    assert (rc, out) == (2, "") and err.count("\n") == 1 and "hunter2" not in err
    assert list(tmp_path.iterdir()) == []


def test_without_the_driver_a_server_is_one_line_exit_2(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['psycopg'] = None; from tui.cli import main; "
        "sys.exit(main(['--db', 'postgresql://u:hunter2@127.0.0.1:1/w', 'list']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"warroom: {INSTALL_HINT}\n"
    assert list(tmp_path.iterdir()) == []


def test_psycopg_is_imported_only_in_storage_pg() -> None:
    """A SQLite-only install never needs the driver: only ``storage/pg/`` imports it, and
    the composition root reaches that package lazily (``tui/cli_store.py``)."""
    import ast

    found = []
    for room in ("incident", "session", "storage", "feeds", "tui"):
        for path in sorted((ROOT / room).rglob("*.py")):
            if path.is_relative_to(ROOT / "storage" / "pg"):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else []
                )
                found += [f"{path.relative_to(ROOT)}: {n}" for n in names if "psycopg" in n]
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "storage.pg"
                ):
                    assert path.name == "cli_store.py" and node.col_offset > 0, path
    assert found == []
