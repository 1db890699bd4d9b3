"""What ``--db`` names: a SQLite file, or a PostgreSQL server (a URL or libpq key=value).

A URL is never taken for a path: ``postgresql://...`` once made a directory named
``postgresql:`` and a SQLite file in it. Anything else that looks like a URL (a scheme and
``://``, or a scheme-like prefix such as ``mysql:``) is refused. A password in what names a
server is never shown: :func:`redact_dsn` is what every message, listing and record prints.
No driver is imported here: a SQLite-only install reads ``--db`` the same way.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from incident.errors import InvalidInput

SERVER_SCHEMES = ("postgresql", "postgres")
INSTALL_HINT = "PostgreSQL needs: pip install 'warroom[postgres]'"

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
# libpq's key=value: ``host=db1 dbname=warroom`` (words of letters and underscores, then =).
_KV = re.compile(r"^\s*([A-Za-z_]+)\s*=")
_LIBPQ_KEYS = {
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "passfile",
    "service",
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslpassword",
    "connect_timeout",
    "application_name",
    "target_session_attrs",
    "options",
    "client_encoding",
}
_KV_PAIR = re.compile(r"([A-Za-z_]+)\s*=\s*('(?:[^'\\]|\\.)*'|\S*)")
_SECRET_KEYS = {"password", "sslpassword"}
_SECRET_QUERY = re.compile(r"((?:^|&)(?:password|sslpassword)=)[^&]*", re.IGNORECASE)


@dataclass(frozen=True)
class ServerDsn:
    """A PostgreSQL server named by ``--db`` or ``$WARROOM_DB``: ``dsn`` goes to the driver,
    ``shown`` (the password replaced) is what is printed."""

    dsn: str

    @property
    def shown(self) -> str:
        return redact_dsn(self.dsn)

    def __str__(self) -> str:
        return self.shown

    def __repr__(self) -> str:
        return f"ServerDsn({self.shown!r})"


def is_server(value: str) -> bool:
    """Whether ``value`` names a PostgreSQL server rather than a file."""
    scheme = _SCHEME.match(value)
    if scheme and scheme.group(1).lower() in SERVER_SCHEMES:
        return True
    key = _KV.match(value)
    return key is not None and key.group(1).lower() in _LIBPQ_KEYS


def need_driver() -> None:
    """Refuse a server where its driver (an optional extra) is not installed."""
    if importlib.util.find_spec("psycopg") is None:
        raise InvalidInput(INSTALL_HINT)


def refuse_foreign_url(value: str) -> None:
    """Refuse, in one line, what looks like a URL of something warroom cannot use."""
    scheme = _SCHEME.match(value)
    if scheme is None:
        return
    name = scheme.group(1)
    if len(name) == 1 and value[1:3] in (":\\", ":/"):
        return  # (a drive letter, C:\...)
    if "://" in value or name.lower() in ("file", "sqlite", "mysql", "http", "https"):
        raise InvalidInput(
            f"--db {redact_dsn(value)}: warroom stores in a SQLite file or on a PostgreSQL "
            "server (postgresql://...); not a file name, nor a URL it can use"
        )


def redact_dsn(value: str) -> str:
    """``value`` with any password replaced by ``***`` (URL userinfo, a ``password=`` query
    parameter or key=value pair); everything else as given."""
    if _SCHEME.match(value) and "://" in value:
        try:
            parts = urlsplit(value)
        except ValueError:
            return _SCHEME.match(value).group(0) + "//***"  # type: ignore[union-attr]
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, hosts = netloc.rsplit("@", 1)
            if ":" in userinfo:
                userinfo = userinfo.split(":", 1)[0] + ":***"
            netloc = f"{userinfo}@{hosts}"
        query = _SECRET_QUERY.sub(r"\1***", parts.query)
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    if is_server(value):

        def hide(m: re.Match[str]) -> str:
            return f"{m.group(1)}=***" if m.group(1).lower() in _SECRET_KEYS else m.group(0)

        return _KV_PAIR.sub(hide, value)
    return value
