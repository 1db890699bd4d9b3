"""Patterns people type are matched in linear time (RE2), or refused in one line.

Python's ``re`` took minutes on ``(a+)+$`` against a line of ``a`` and a ``!``, holding the
GIL: the console froze, and so did its signal handlers and its store.
"""

from __future__ import annotations

import asyncio
import re
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incident import source_commands as source_cmd
from incident.errors import InvalidInput
from incident.journal import SourceSpec
from incident.patterns import compile_pattern

HOSTILE = [
    r"(a+)+$",
    r"(a|a)+$",
    r"(a|aa)+$",
    r"(.*a){20}$",
    r"^(\w+\s?)*$",
    r"(x+x+)+y",
    r"([a-zA-Z]+)*!$",
]


def _finishes(fn, timeout: float = 60.0) -> bool:
    """Whether ``fn`` returns within ``timeout`` (a bound for a hang, not a speed check:
    these take under a millisecond with RE2 and hours with backtracking)."""
    done = threading.Event()
    thread = threading.Thread(target=lambda: (fn(), done.set()), daemon=True)
    thread.start()
    return done.wait(timeout)


@pytest.mark.parametrize("pattern", HOSTILE)
def test_a_catastrophic_pattern_runs_in_linear_time(pattern: str) -> None:
    p = compile_pattern(pattern)
    lines = ["a" * 40 + "!", "x" * 5000, "word " * 2000 + "!"] * 50
    assert _finishes(lambda: (p.matching(lines), [p.search(s) for s in lines]))


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"(a)\1", "backreferences"),
        (r"(?<=user=)\w+", "lookahead and lookbehind"),
        (r"foo(?!bar)", "lookahead and lookbehind"),
        (r"(?=x)y", "lookahead and lookbehind"),
        (r"a{1001}", "too large"),
        ("(", "missing )"),
        ("x" * 4001, "too large"),
        ("a\x00b", "NUL"),
        ("", "empty"),
    ],
)
def test_what_cannot_run_in_linear_time_is_refused_in_one_line(pattern: str, words: str) -> None:
    with pytest.raises(InvalidInput) as e:
        compile_pattern(pattern)
    assert words in str(e.value) and "\n" not in str(e.value)


def test_literal_and_case() -> None:
    assert compile_pattern("[error]", literal=True).matching(
        ["a [error] b", "error", "[ERROR]"]
    ) == [0]
    assert compile_pattern("[error]", literal=True, ignore_case=True).matching(
        ["a [error] b", "error", "[ERROR]"]
    ) == [0, 2]
    assert compile_pattern("(literal", literal=True).search("a (literal b") == (2, 10)


def test_anchors_are_per_line_and_no_match_spans_lines() -> None:
    p = compile_pattern(r"^b")
    assert p.matching(["ab", "b", "cb", "b"]) == [1, 3]
    assert compile_pattern(r"a$").matching(["a", "ab", "ba"]) == [0, 2]
    assert compile_pattern(r"a\sb").matching(["a", "b", "a b"]) == [2]
    assert compile_pattern(r"a[^x]*b").matching(["a", "b", "ayb"]) == [2]


def test_offsets_are_characters_not_bytes() -> None:
    assert compile_pattern("é+").spans("café éé x") == [(3, 4), (5, 7)]
    assert compile_pattern("x").matching(["日本語", "語x"]) == [1]


SAFE = st.from_regex(r"[a-c]{1,3}(\||\*|\+|\?|\.)?[a-c]{0,2}", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(SAFE, st.lists(st.text(alphabet="abcx .\t日", max_size=12), max_size=20))
def test_lines_match_as_they_do_with_re_for_ordinary_patterns(pattern, lines) -> None:
    expected = [i for i, s in enumerate(lines) if re.search(pattern, s)]
    p = compile_pattern(pattern)
    assert p.matching(lines) == expected
    assert p.matching([s.encode() for s in lines]) == expected
    assert [i for i, s in enumerate(lines) if p.search(s)] == expected


def test_grep_spec_refuses_what_re2_cannot_run() -> None:
    with pytest.raises(InvalidInput, match="backreferences"):
        source_cmd.grep_spec(r"(\w)\1", ["x.log"], name=None, cwd="/")
    spec = source_cmd.grep_spec(r"(a+)+$", ["x.log"], name=None, cwd="/")
    assert spec.pattern == r"(a+)+$"


async def test_a_grep_source_with_a_catastrophic_pattern_keeps_the_loop_running(tmp_path):
    """The issue's case: 34 ``a`` and a ``!`` under ``(a+)+$``; the loop must go on ticking
    while the source reads (with ``re`` the worker thread held the GIL for minutes)."""
    from feeds.grep import GrepSource

    log = tmp_path / "x.log"
    log.write_text(("a" * 34 + "!\n") * 2000 + "a" * 34 + "\n")
    spec = SourceSpec(kind="grep", name="g", pattern=r"(a+)+$", paths=(str(log),))
    src = GrepSource("s1", spec)
    await src.start()
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)  # (not a wait: one turn of the loop, counted)

    ticker = asyncio.ensure_future(tick())
    try:
        found = []
        async for batch in src.batches():
            found += batch.lines
            if found:
                break
    finally:
        ticker.cancel()
        await src.stop()
    assert found == ["x.log:2001: " + "a" * 34]
    assert ticks > 0


async def test_a_stored_pattern_re2_refuses_fails_its_source_with_the_reason(tmp_path):
    """A pattern stored by an older warroom, which RE2 cannot run, fails the source (the
    runner puts the reason in the ledger) instead of running it."""
    from feeds.grep import GrepSource
    from feeds.source import SourceFailed

    spec = SourceSpec(kind="grep", name="g", pattern=r"(a)\1", paths=(str(tmp_path),))
    src = GrepSource("s1", spec)
    with pytest.raises(SourceFailed, match=r"pattern refused: .*backreferences"):
        await src.start()
    assert src.state == "failed" and "backreferences" in (src.reason or "")
