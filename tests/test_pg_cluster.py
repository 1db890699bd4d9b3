"""The throwaway cluster's own promises: without server binaries the server's tests skip
with the reason, but under ``WARROOM_REQUIRE_PG=1`` (CI) they fail."""

from __future__ import annotations

import pytest

from tests import pg_cluster
from tests.conftest_pg import unavailable


def test_no_server_binaries_is_a_skip_with_the_reason(monkeypatch):
    monkeypatch.setattr(pg_cluster, "server_bin", lambda: None)
    with pytest.raises(FileNotFoundError) as missing:
        pg_cluster.make_cluster()
    monkeypatch.delenv("WARROOM_REQUIRE_PG", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no PostgreSQL server binaries"):
        unavailable(str(missing.value))


@pytest.mark.parametrize("flag", ["1", "yes"])
def test_no_server_in_ci_is_a_failure(monkeypatch, flag):
    monkeypatch.setenv("WARROOM_REQUIRE_PG", flag)
    with pytest.raises(pytest.fail.Exception, match="WARROOM_REQUIRE_PG=1 but no server"):
        unavailable("no server")


def test_the_cluster_serves_each_test_a_database_of_its_own(pg_cluster):
    a, b = pg_cluster.new_database(), pg_cluster.new_database()
    assert a != b
    pg_cluster.psql("CREATE TABLE only_here (x int)", a)
    assert pg_cluster.psql("SELECT to_regclass('only_here') IS NULL", b) == "t"
    assert pg_cluster.ready() and pg_cluster.port > 0
