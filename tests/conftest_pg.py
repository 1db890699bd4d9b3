"""The PostgreSQL fixtures (a pytest plugin, loaded by ``tests/conftest.py``).

``pg_cluster``: one throwaway cluster for the whole session (``tests/pg_cluster.py``),
started on first use. Without server binaries the tests that need it are skipped with the
reason, unless ``WARROOM_REQUIRE_PG=1`` (CI): then a missing server fails them.
``pg_dsn``: a fresh database of its own for one test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import NoReturn

import pytest

from tests.pg_cluster import Cluster, make_cluster, remove_cluster


def unavailable(reason: str) -> NoReturn:
    """Skip the test that needs the server, saying why; in CI (``WARROOM_REQUIRE_PG=1``)
    fail it instead: a skip there would hide that the server's tests did not run."""
    if os.environ.get("WARROOM_REQUIRE_PG", "") not in ("", "0"):
        pytest.fail(f"WARROOM_REQUIRE_PG=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        unavailable("psycopg is not installed (pip install 'warroom[postgres]')")
    try:
        cluster = make_cluster()
    except (OSError, RuntimeError) as e:
        unavailable(f"no PostgreSQL server to test on: {e}")
    try:
        yield cluster
    finally:
        remove_cluster(cluster)


@pytest.fixture
def pg_dsn(pg_cluster: Cluster) -> str:
    """The URL of a new, empty database of this test's own."""
    return pg_cluster.dsn(pg_cluster.new_database())
