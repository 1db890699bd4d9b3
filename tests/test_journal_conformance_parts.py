"""The conformance suite's second half (tests/test_journal_conformance.py): drafts, the
contacts roster, captured output and source leases, on the SQLite file and on the server
alike (``tests/journal_backends.py``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from incident import commands as c
from incident.clock import FrozenClock
from incident.errors import IncidentNotFound, InvalidTransition
from incident.playbook import Contact, load_playbook
from incident.ports import Holder
from tests.conftest import T0
from tests.journal_backends import Backend, declare


@pytest.fixture
async def journal(backend: Backend) -> AsyncIterator[Any]:
    store = await backend.open()
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


# ------------------------------------------------------------------ drafts and contacts
async def test_drafts_are_kept_until_saved_or_cleared(journal, clock):
    inc = await declare(journal, clock)
    await journal.drafts.put(inc, "note.text", "half typed")
    await journal.drafts.put(inc, "note.action", "rolled back")
    await journal.drafts.put(inc, "status.reason", "keep me")
    await journal.drafts.put(inc, "note.text", "half typed, more")
    assert await journal.drafts.of(inc) == {
        "note.text": "half typed, more",
        "note.action": "rolled back",
        "status.reason": "keep me",
    }
    await journal.drafts.put(inc, "status.reason", None)
    state = await journal.load_state(inc)
    await journal.append(c.note(clock, state, "half typed, more"), drafts_done="note")
    assert await journal.drafts.of(inc) == {}


async def test_the_roster_is_seeded_once_then_what_was_saved(journal, backend):
    template = list(load_playbook().emergency_contacts)
    assert await journal.contacts.roster(seed=False) == template
    assert await journal.contacts.roster() == template
    mine = [Contact(role="On-Call Engineer", contact="@me")]
    assert await journal.contacts.put(mine, expected=template, by="@ic") == mine
    assert await journal.contacts.roster() == mine
    with pytest.raises(InvalidTransition):
        await journal.contacts.put(template, expected=template)  # changed meanwhile
    await journal.contacts.put([], by="@ic")
    other = await backend.open()
    try:
        assert await other.contacts.roster() == []  # emptied on purpose stays empty
    finally:
        await other.close()


# ------------------------------------------------------------------ captured output
async def test_captured_batches_are_stored_bounded_and_read_back(journal, backend, clock):
    inc = await declare(journal, clock)
    w = backend.writer(limit=1000)
    assert w.submit(inc, "s1", 1, ["a", "b"], err=False, read_at=T0)
    assert w.submit(inc, "s1", 3, ["oops"], err=True, read_at=T0 + timedelta(seconds=5))
    assert w.submit(inc, "g", 1, ["/var/log/x:7: boom", "/var/log/x:9: again"], err=False,
                    read_at=T0)  # fmt: skip
    for k in range(6):
        w.submit(inc, "big", k * 500 + 1, [f"l{k * 500 + i + 1}" for i in range(500)],
                 err=False, read_at=T0)  # fmt: skip
    w.close()
    assert w.error is None and w.dropped(inc, "s1") == 0
    lines = await journal.captures.read(inc, "s1")
    assert [(x.no, x.err, x.text) for x in lines] == [(1, False, "a"), (2, False, "b"),
                                                      (3, True, "oops")]  # fmt: skip
    assert [x.no for x in await journal.captures.read(inc, "s1", after_no=1)] == [2, 3]
    assert [x.no for x in await journal.captures.read(inc, "s1", limit=2)] == [2, 3]
    assert [x.no for x in await journal.captures.read(inc, "s1", max_bytes=60)] == [3]
    assert await journal.captures.last_no(inc, "s1") == 3
    assert await journal.captures.last_no(inc, "none") == 0
    assert await journal.captures.read(inc, "none") == []
    big = await journal.captures.read(inc, "big", limit=100_000)
    assert len(big) <= 1000 and big[-1].text == "l3000"
    around = await journal.captures.between(inc, T0, T0 + timedelta(seconds=1), limit=5000)
    assert ("s1", "a") in [(sid, x.text) for sid, x in around]
    assert ("s1", "oops") not in [(sid, x.text) for sid, x in around]
    assert await journal.captures.grep_resume_points(inc, "g") == {"/var/log/x": (9, "again")}


# ------------------------------------------------------------------ leases
async def test_a_source_is_claimed_once_and_taken_over_only_from_the_gone(journal, clock):
    inc = await declare(journal, clock)
    a, b = Holder("a", 100, 1.0, "@alice"), Holder("b", 200, 2.0, "@bob")
    dead: set[str] = set()

    def alive(h: Holder) -> bool:
        return h.token not in dead

    leases = journal.leases
    assert await leases.claim(inc, "s9", a, alive) is None
    assert await leases.claim(inc, "s9", a, alive) is None
    assert await leases.claim(inc, "s9", b, alive) == a
    assert await leases.holders(inc) == {"s9": a}
    dead.add("a")
    assert await leases.claim(inc, "s9", b, alive) is None
    assert await leases.holders(inc) == {"s9": b}
    await leases.release(inc, "a")
    assert await leases.holders(inc) == {"s9": b}
    await leases.claim(inc, "s8", b, alive)
    await leases.release(inc, "b", "s9")
    assert set(await leases.holders(inc)) == {"s8"}
    await leases.release(inc, "b")
    assert await leases.holders(inc) == {}
    with pytest.raises(IncidentNotFound):
        await leases.claim(inc + 1000, "s1", a, alive)


async def test_two_consoles_claiming_at_once_get_one_holder(journal, backend, clock):
    inc = await declare(journal, clock)
    other = await backend.open()
    try:
        a, b = Holder("a", 1, 1.0), Holder("b", 2, 2.0)
        results = await asyncio.gather(
            journal.leases.claim(inc, "s", a, lambda h: True),
            other.leases.claim(inc, "s", b, lambda h: True),
        )
        assert sorted(r is None for r in results) == [False, True]
        [holder] = (await journal.leases.holders(inc)).values()
        assert holder in (a, b) and results[[a, b].index(holder)] is None
    finally:
        await other.close()
