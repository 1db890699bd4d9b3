"""LogBuffer and program colours: a line's SGR becomes spans over its plain text, which go
with the line when it falls out, and count in the pane's byte budget."""

from __future__ import annotations

import tracemalloc

from hypothesis import given, settings
from hypothesis import strategies as st

from incident.patterns import compile_pattern
from incident.sanitize import decode
from incident.sgr import SgrStyle, parse
from session.log_buffer import LogBuffer, _spans_cost

RED = SgrStyle(fg=1)
COLOURED = decode(b"\x1b[31mred\x1b[0m plain \x1b[2J")


def test_a_coloured_line_is_held_plain_with_its_spans():
    b = LogBuffer()
    b.append(["before", COLOURED, "after ␛[0m"])
    assert [b.line(s) for s in range(3)] == ["before", "red plain ␛[2J", "after "]
    assert b.spans(1) == ((0, 3, RED),)
    assert b.spans(0) == b.spans(2) == ()  # a reset alone styles nothing
    assert b.widest == len("red plain ␛[2J")  # the codes take no room
    assert b.bytes == sum(str.__sizeof__(b.line(s)) for s in range(3))
    assert b.span_bytes == _spans_cost(b.spans(1))


def test_filter_search_and_wrap_see_the_plain_text():
    b = LogBuffer()
    b.append(["␛[1mER␛[0mROR split by a code", "ok"])
    b.set_filter(compile_pattern("ERROR"))
    assert [b.view_seq(i) for i in range(b.view_len())] == [0]
    b.set_filter(None)
    b.set_wrap(5)
    assert b.rows() == -(-len("ERROR split by a code") // 5) + 1


def test_spans_fall_out_with_their_lines():
    b = LogBuffer(capacity=3)
    b.append([COLOURED, "plain", COLOURED])
    assert set(b._spans) == {0, 2}
    b.append(["x"])  # seq 0 goes
    assert set(b._spans) == {2} and b.spans(0) == ()
    b.append(["y", "z"])  # seq 2 goes
    assert b._spans == {} and b.span_bytes == 0
    b.append([COLOURED])
    assert b.spans(6) == ((0, 3, RED),)
    b.clear()
    assert (b._spans, b.span_bytes, b.spans(6)) == ({}, 0, ())


def test_a_batch_larger_than_the_ring_keeps_only_the_spans_it_keeps():
    b = LogBuffer(capacity=2)
    b.append([COLOURED, COLOURED, "plain", COLOURED])
    assert (b.first_seq, set(b._spans)) == (2, {3})
    assert b.span_bytes == _spans_cost(b.spans(3))


def test_a_line_pushed_out_by_the_ring_takes_its_spans_out_of_the_budget_at_once():
    """Found by the model below: the spans of a line the ring pushed out still counted when
    the budget was checked, and the plain line that pushed it out was shed too."""
    bold = "␛[1mbold"
    b = LogBuffer(capacity=1, max_bytes=str.__sizeof__("bold") + _spans_cost(parse(bold)[1]))
    b.append([bold])
    b.append(["plain"])
    assert (len(b), b.line(1), b.span_bytes) == (1, "plain", 0)


def test_many_colour_changes_count_in_the_budget():
    """A source changing to a colour of its own every character: its spans take far more
    memory than its text, and the pane still holds no more than its budget of both."""
    line = "".join(f"␛[38;2;{i % 256};{i // 256};7m{i % 10}" for i in range(1000))
    budget = 1_000_000
    b = LogBuffer(max_bytes=budget)
    tracemalloc.start()
    try:
        for i in range(200):
            b.append([f"{i:03d}{line}"])
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(b.spans(b.total - 1)) == 1000
    assert b.bytes + b.span_bytes <= budget and held < budget + 100_000
    last = b.total - 1
    assert len(b) == budget // (str.__sizeof__(b.line(last)) + _spans_cost(b.spans(last)))
    assert set(b._spans) == set(range(b.first_seq, b.total))


TEXTS = st.sampled_from(["plain", "", COLOURED, "␛[1mbold", "␛[2J", "a␛[38;5;9mb␛[m c"])


@settings(max_examples=200, deadline=None)
@given(
    capacity=st.integers(1, 12),
    budget=st.integers(1, 3000),
    batches=st.lists(st.lists(TEXTS, max_size=6), max_size=10),
)
def test_lines_and_spans_agree_with_a_naive_model(capacity, budget, batches):
    b = LogBuffer(capacity=capacity, max_bytes=budget)
    model: list[tuple[int, str, tuple]] = []
    seq = 0
    for batch in batches:
        b.append(batch)
        model += [(seq + i, *parse(t)) for i, t in enumerate(batch)]
        seq += len(batch)
        model = model[-capacity:]

        def cost(m):
            return str.__sizeof__(m[1]) + (_spans_cost(m[2]) if m[2] else 0)

        while model and sum(map(cost, model)) > budget:
            model.pop(0)
        assert [(s, b.line(s), b.spans(s)) for s in range(b.first_seq, b.total)] == model
        assert b.bytes + b.span_bytes == sum(map(cost, model)) <= budget
        assert set(b._spans) == {m[0] for m in model if m[2]}


def test_lines_reloaded_from_the_capture_get_their_colours_too():
    """On attach, the captured lines (stored as they came, codes visible) go through the
    same append as live ones."""
    from types import SimpleNamespace

    from session.sources import SourceRunner

    runner = SourceRunner(SimpleNamespace(read_only=True), None, None)  # type: ignore[arg-type]
    at = "2026-11-25T15:08:00+00:00"
    stored = [
        SimpleNamespace(text="plain", no=1, err=False, read_at=at),
        SimpleNamespace(text="␛[31mred␛[0m ␛[2J", no=2, err=False, read_at=at),
    ]
    runner._show_captured("s1", stored)
    buf = runner.buffer("s1")
    assert [buf.line(s) for s in range(2)] == ["plain", "red ␛[2J"]
    assert buf.spans(1) == ((0, 3, RED),) and buf.number(1) == 2


def test_an_unfinished_coloured_line_taken_back_takes_its_colours_with_it():
    """A provisional last line (shown before its newline came) is retracted and its seq
    given to the finished line: the finished line has its own colours, not the old ones,
    and the budget no longer counts the old spans."""
    b = LogBuffer()
    b.append(["plain", COLOURED])
    assert b.spans(1) == ((0, 3, RED),)
    assert b.retract(1) == 1
    assert (b.spans(1), b.span_bytes) == ((), 0)
    b.append(["finished, no colour"])
    assert (b.line(1), b.spans(1)) == ("finished, no colour", ())
