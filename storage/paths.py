"""Where the database lives, and creating it owner-only (0700 directory, 0600 file)."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from urllib.parse import quote

from platformdirs import user_data_path

from storage.dsn import ServerDsn, is_server, need_driver, refuse_foreign_url
from storage.errors import StoreError

ENV_VAR = "WARROOM_DB"


def default_db_path() -> Path:
    """``<user data dir>/warroom/warroom.db`` (e.g. ``~/.local/share/warroom/warroom.db``)."""
    return user_data_path("warroom", appauthor=False) / "warroom.db"


def demo_db_path() -> Path:
    """``warroom demo``'s own database, beside the real one (which it never touches)."""
    return default_db_path().with_name("demo.db")


def named_db(cli_value: str | None, environ: dict[str, str] | None = None) -> bool:
    """Whether ``--db`` or ``$WARROOM_DB`` names the database."""
    env = os.environ if environ is None else environ
    return bool(cli_value or env.get(ENV_VAR))


def fresh_demo_db() -> Path:
    """The demo's database, emptied: each ``warroom demo`` starts from a new demo incident
    (a console still on the old one keeps the file it opened)."""
    path = demo_db_path()
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            leftover.unlink()
        except FileNotFoundError:
            pass
        except OSError as e:
            raise StoreError(
                f"{leftover}: cannot replace the demo database ({e.strerror})"
            ) from None
    return path


def resolve_db_path(cli_value: str | None, environ: dict[str, str] | None = None) -> Path:
    """``--db`` wins over ``$WARROOM_DB``, which wins over the default location."""
    env = os.environ if environ is None else environ
    raw = cli_value or env.get(ENV_VAR) or None
    return Path(raw).expanduser() if raw else default_db_path()


def resolve_db(cli_value: str | None, environ: dict[str, str] | None = None) -> Path | ServerDsn:
    """What ``--db`` (else ``$WARROOM_DB``, else the default file) names: a PostgreSQL server
    (a ``postgresql://`` URL or libpq key=value, only with its driver installed) or a file;
    a URL of anything else is refused in one line, never taken for a path."""
    env = os.environ if environ is None else environ
    raw = cli_value or env.get(ENV_VAR) or ""
    if raw and is_server(raw):
        need_driver()
        return ServerDsn(raw)
    refuse_foreign_url(raw)
    return resolve_db_path(cli_value, environ)


def ensure_private_file(path: Path, *, tighten: bool = True) -> None:
    """Create ``path`` (and missing parent directories) readable by its owner only.

    Directories we create get 0700 and the file 0600. An existing file keeps its mode unless
    others can read or write it and ``tighten`` is true, in which case their bits are taken
    away. SQLite gives the ``-wal`` and ``-shm`` files the mode of the database file. (The
    store creates with ``tighten=False`` and tightens once it knows the file is warroom's, so a
    file it refuses, another program's database, keeps its mode.)
    """
    parent = path.parent
    try:
        missing = []
        p = parent
        while not p.exists():
            missing.append(p)
            p = p.parent
        for d in reversed(missing):
            d.mkdir(mode=0o700)
            os.chmod(d, 0o700)
        if path.exists() and not path.is_file():
            raise StoreError(f"{path}: not a regular file")
        if path.is_file():
            # Never open (and close) an existing database here: closing any descriptor of
            # the file drops every POSIX lock this process holds on it, SQLite's included.
            # A connection that lost its shared lock lets another process, on closing,
            # think it is the last one, checkpoint and delete the WAL this one still writes.
            if not os.access(path, os.R_OK | os.W_OK):
                raise StoreError(
                    f"{path}: permission denied: the database file is read-only "
                    "here; `warroom review INC` can still read it"
                )
            mode = stat.S_IMODE(path.stat().st_mode)
            if tighten and mode & 0o077:
                os.chmod(path, mode & 0o700)
        else:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            os.close(fd)
    except PermissionError as e:
        raise StoreError(f"{path}: permission denied ({e.strerror})") from None
    except IsADirectoryError:
        raise StoreError(f"{path}: is a directory, not a database file") from None
    except OSError as e:
        raise StoreError(f"{path}: cannot create the database ({e.strerror})") from None


def read_only_uri(path: Path) -> str:
    """A URI that reads ``path`` without creating anything beside it.

    SQLite's ``mode=ro`` makes the ``-wal`` and ``-shm`` files of a WAL database when they
    are not there (with the file's mode), so a look at a file, a refusal or a review left
    the directory changed. When neither is there, no connection has the database open and
    its file holds everything committed: it is read as an immutable snapshot instead. When
    they are (a console has it open), ``mode=ro`` reads it live and creates nothing.
    """
    uri = "file:" + quote(os.fsencode(path.resolve()))  # a name that is not UTF-8 too
    sidecars = Path(f"{path}-wal").exists() or Path(f"{path}-shm").exists()
    return uri + ("?mode=ro" if sidecars else "?immutable=1")
