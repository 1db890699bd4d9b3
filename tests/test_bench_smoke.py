"""The benchmarks of both backends run end to end in a tiny configuration (their figures are
not checked here: speed targets are the benchmarks' business), and what they check (nothing
lost, nothing written twice) is checked. The server's runs use the tests' throwaway cluster
(skipped without one, unless WARROOM_REQUIRE_PG=1)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bench import bench_propagation, journal_writers
from bench.journal_targets import PgTarget, SqliteTarget
from bench.load_parts import read_back
from bench.pg_server import Server, server


@pytest.fixture(params=["sqlite", "postgres"])
def target(request, tmp_path: Path) -> SqliteTarget | PgTarget:
    if request.param == "sqlite":
        return SqliteTarget(tmp_path)
    return PgTarget(Server(cluster=request.getfixturevalue("pg_cluster")))


def test_the_journal_measures_run_and_count_what_was_stored(target):
    single = asyncio.run(journal_writers.one_process(target, 3))
    assert single["rate"] > 0 and single["p99_ms"] >= single["p50_ms"] > 0
    many = journal_writers.many_processes(target, 3, processes=2, pace=0.005)
    assert (many["lost"], many["duplicated"]) == (0, 0)
    assert many["max_ms"] >= many["p99_ms"] > 0
    bare = journal_writers.many_processes(target, 3, processes=2, bare=True)
    assert (bare["lost"], bare["duplicated"]) == (0, 0)
    where, iid = asyncio.run(target.fresh())
    assert target.raw_per_row(where, iid, 3)["rate"] > 0
    assert target.raw_batch(where, iid, 3)["rate"] > 0
    assert len(target.stored(where, iid)) == 1 + 3 + 3  # declared, then both baselines


def test_a_lost_or_doubled_event_is_counted():
    stored = [(1, "declared"), (2, "a"), (3, "b"), (4, "b"), (4, "c")]
    lost, duplicated = journal_writers.lost_and_duplicated(stored, ["a", "b", "c", "d"])
    assert lost == 1  # "d"
    assert duplicated == 2  # "b" twice, id 4 twice


def test_eight_consoles_see_every_note_in_a_tiny_run(target, tmp_path: Path):
    run = bench_propagation.one_run(
        target, consoles=2, notes=2, screen=False, poll_s=0.05, tmp=tmp_path, cli_notes=1
    )
    assert run["missing"] == 0
    assert run["each console"]["n"] == 2 * 2
    assert run["all consoles (slowest per note)"]["n"] == 2
    assert run["CLI note, all consoles (slowest)"]["n"] == 1


def test_the_load_bench_reads_back_either_backend(target):
    where, _ = asyncio.run(target.fresh())
    back = read_back(where)
    assert [t[-9:] for t in back["stored"].values()] == ["Benchmark"]  # declared, and no more
    assert back["captured"] == 0 and back["ledger"] == {}
    assert back["integrity"] in ("ok", "n/a (server)")


def test_a_named_server_gets_a_database_per_run_dropped_at_the_end(pg_cluster):
    import psycopg

    with server(pg_cluster.dsn()) as s:
        dsn = s.new_database()
        with psycopg.connect(dsn) as conn:
            name = conn.execute("SELECT current_database()").fetchone()[0]
        assert name.startswith("warroom_bench_")
        assert "PostgreSQL" in s.describe()
        where, _ = asyncio.run(PgTarget(s).fresh())  # (a key=value string, not a URL)
        assert len(read_back(where)["stored"]) == 1
    assert pg_cluster.psql(f"SELECT count(*) FROM pg_database WHERE datname='{name}'") == "0"
