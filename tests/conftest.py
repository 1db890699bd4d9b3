"""Shared fixtures: a frozen clock, a database path, and an in-memory journal."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from incident.clock import FrozenClock
from incident.journal import Event
from incident.state import IncidentState, fold

pytest_plugins = ["tests.conftest_pg", "tests.journal_backends"]

# The demo incident's log source (tests/console_support.py: ``python3 -m feeds.demo_log``, a
# text kept stable for the screenshots) runs with the cwd the demo gives it, "/": the repo
# must be importable from anywhere by whatever ``python3`` is. Without this, in a fresh
# clone (no PYTHONPATH), it printed one line, "No module named feeds", and ended: a test
# that needs the source to go on capturing failed in CI only.
_REPO = str(Path(__file__).resolve().parents[1])
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (_REPO, os.environ.get("PYTHONPATH", "")) if p
)

T0 = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _own_config_dir(tmp_path_factory, monkeypatch) -> None:
    """No test reads or writes the user's own config directory (settings, theme cache)."""
    monkeypatch.setenv("WARROOM_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))


@pytest.fixture
def frozen_clock() -> FrozenClock:
    """2026-11-25T14:30:00Z, moved only by ``advance``/``set``."""
    return FrozenClock(T0)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "w.db"


class MemoryJournal:
    """What the store does to an event, without the store: ids in order, incident 1."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def add(self, event: Event) -> Event:
        saved = event.model_copy(update={"id": len(self.events) + 1, "incident_id": 1})
        self.events.append(saved)
        return saved

    @property
    def state(self) -> IncidentState:
        return fold(self.events)


@pytest.fixture
def journal() -> MemoryJournal:
    return MemoryJournal()
