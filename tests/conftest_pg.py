"""The PostgreSQL fixtures (a pytest plugin, loaded by ``tests/conftest.py``).

``pg_cluster``: one throwaway cluster for the whole session (``tests/pg_cluster.py``),
started on first use. Without server binaries the tests that need it are skipped with the
reason, unless ``WARROOM_REQUIRE_PG=1`` (CI): then a missing server fails them.
``pg_dsn``: a fresh database of its own for one test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.pg_cluster import Cluster, make_cluster, remove_cluster


def _required() -> bool:
    return os.environ.get("WARROOM_REQUIRE_PG", "") not in ("", "0")


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        reason = "psycopg is not installed (pip install 'warroom[postgres]')"
        if _required():
            pytest.fail(f"WARROOM_REQUIRE_PG=1 but {reason}")
        pytest.skip(reason)
    try:
        cluster = make_cluster()
    except (OSError, RuntimeError) as e:
        if _required():
            pytest.fail(f"WARROOM_REQUIRE_PG=1 but no PostgreSQL cluster could be made: {e}")
        pytest.skip(f"no PostgreSQL server to test on: {e}")
    try:
        yield cluster
    finally:
        remove_cluster(cluster)


@pytest.fixture
def pg_dsn(pg_cluster: Cluster) -> str:
    """The URL of a new, empty database of this test's own."""
    return pg_cluster.dsn(pg_cluster.new_database())
