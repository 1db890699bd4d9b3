"""A saved dialog's drafts go with its event, in one transaction, and never come back.

A note was appended in one transaction and its autosaved draft deleted in a later one: a
console killed or hung up between the two left the draft, and the next ``n`` offered the
saved text again (Enter stored it twice).
"""

from __future__ import annotations

import asyncio

import pytest

from incident import commands as cmd
from incident.clock import FrozenClock
from incident.errors import InvalidInput
from incident.model import Severity
from session.drafts import Drafts
from storage.errors import StoreBusy
from storage.store import Store
from tests.conftest import T0
from tests.waiting import until

KEYS = {
    "note.a.text": "saved text",
    "note.a.action": "act",
    "note.ab.text": "other",
    "note.b.text": "another",
    "note.text": "legacy",
    "comms.internal.initial": "c",
}


async def _incident(store: Store) -> int:
    declared = await store.declare(cmd.declare(FrozenClock(T0), "t", Severity.SEV2))
    for key, text in KEYS.items():
        await store.drafts.put(declared.incident_id, key, text)
    return declared.incident_id


async def test_the_append_that_saves_a_dialog_deletes_its_drafts_with_it(db_path):
    async with await Store.open(db_path) as store:
        iid = await _incident(store)
        state = await store.load_state(iid)
        await store.append(cmd.note(FrozenClock(T0), state, "saved text"), drafts_done="note.a")
        left = await store.drafts.of(iid)
    assert left == {k: v for k, v in KEYS.items() if not k.startswith("note.a.")}


async def test_an_append_that_fails_keeps_the_drafts(db_path):
    async with await Store.open(db_path) as store:
        iid = await _incident(store)
        state = await store.load_state(iid)
        bad = cmd.note(FrozenClock(T0), state, "x").model_copy(update={"text": "\ud800"})
        with pytest.raises(InvalidInput):
            await store.append(bad, drafts_done="note.a")
        assert await store.drafts.of(iid) == KEYS
        assert len(await store.events(iid)) == 1


class SlowJournal:
    """Its drafts' put waits for a gate; append may fail once."""

    def __init__(self) -> None:
        self.stored: dict[str, str] = {}
        self.gate = asyncio.Event()
        self.fail = False
        self.waiting: list[str] = []  # the keys whose write waits at the gate
        self.drafts = self  # (the journal's drafts part: ``put``)

    async def put(self, incident_id: int, key: str, text: str | None) -> None:
        self.waiting.append(key)
        await self.gate.wait()
        if text:
            self.stored[key] = text
        else:
            self.stored.pop(key, None)

    async def append(self, prefix: str) -> None:
        if self.fail:
            raise StoreBusy("locked")
        for key in [k for k in self.stored if k.startswith(prefix + ".")]:
            del self.stored[key]


def _drafts() -> tuple[Drafts, SlowJournal]:
    journal = SlowJournal()
    drafts = Drafts(lambda delay, fn: None, lambda text: None)
    drafts.attach(journal, 1, {})  # type: ignore[arg-type]
    return drafts, journal


async def test_an_autosave_under_way_does_not_bring_a_saved_dialog_back():
    drafts, journal = _drafts()
    drafts.typed("note.a.text", "Pool at 9")
    drafts.typed("note.a.action", "paged")
    flushing = asyncio.ensure_future(drafts.flush())  # writes one, the other waits
    await until(lambda: journal.waiting, what="the autosave under way")
    drafts.typed("note.a.text", "Pool at 99")  # typed just before Enter
    with drafts.saving("note.a"):
        journal.gate.set()
        await flushing  # the autosave goes on while the event is being appended
        await journal.append("note.a")
    drafts.typed("note.a.text", "Pool at 99")  # a late message of the closed dialog
    await drafts.flush()
    assert journal.stored == {} and drafts.known() == {}
    assert drafts.prefixes("note") == []


async def test_a_failed_save_keeps_what_was_typed():
    drafts, journal = _drafts()
    journal.gate.set()
    journal.fail = True
    drafts.typed("note.a.text", "Kept")
    with pytest.raises(StoreBusy), drafts.saving("note.a"):
        await journal.append("note.a")
    assert drafts.known() == {"note.a.text": "Kept"}
    await drafts.flush()
    assert journal.stored == {"note.a.text": "Kept"}
    assert drafts.prefixes("note", "correct") == ["note.a"]


async def test_a_field_as_it_opened_is_no_write():
    drafts, journal = _drafts()
    journal.gate.set()
    calls = []
    real = journal.put

    async def counted(*a):
        calls.append(a)
        await real(*a)

    journal.put = counted  # type: ignore[method-assign]
    drafts.typed("note.a.owner", "")  # posted by a field that opens with its default
    await drafts.flush()
    assert calls == []


async def test_a_cancelled_dialog_is_forgotten_and_stays_closed():
    drafts, journal = _drafts()
    journal.gate.set()
    drafts.typed("note.a.text", "x")
    await drafts.flush()
    await drafts.clear("note.a")
    drafts.typed("note.a.text", "xy")  # late
    await drafts.flush()
    assert journal.stored == {} and drafts.known() == {}
