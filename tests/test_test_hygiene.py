"""The tests keep their own rules: no fixed ``pilot.pause(<seconds>)`` (wait on the
condition with ``tests.waiting.until``), no read of Textual's private ``_notifications``
(``tests.console_support.notices`` records what the app was asked to notify), and one
``until``: the one in tests/waiting.py."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
HERE = Path(__file__).name

RULES = {
    "a fixed pilot.pause(<number>)": re.compile(r"\.pause\(\s*[0-9.]"),
    "Textual's private _notifications": re.compile(r"\._notifications\b"),
    "an until of its own (use tests/waiting.py)": re.compile(r"^\s*(async\s+)?def until\b"),
}


def offences(text: str, name: str) -> list[str]:
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        for rule, pattern in RULES.items():
            if pattern.search(line) and not (name == "waiting.py" and "until" in rule):
                found.append(f"{name}:{number}: {rule}: {line.strip()}")
    return found


def test_the_scan_finds_what_it_forbids():
    bad = (
        "    await pilot.pause(0.5)\n"
        "    notes = app._notifications\n"
        "async def until(pred):\n"
        "    await pilot.pause()\n"
    )
    assert len(offences(bad, "test_x.py")) == 3
    assert offences("async def until(c):\n", "waiting.py") == []


def test_no_test_pauses_for_a_fixed_time_or_reads_textual_s_notifications():
    found = [
        hit
        for path in sorted(TESTS.rglob("*.py"))
        if path.name != HERE
        for hit in offences(path.read_text(encoding="utf-8"), path.name)
    ]
    assert found == []
