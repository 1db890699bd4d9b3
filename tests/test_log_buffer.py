"""LogBuffer: the ring, sequence numbers, filter index and wrap rows stay consistent."""

from __future__ import annotations

import re
import tracemalloc

from hypothesis import given, settings
from hypothesis import strategies as st

from incident.patterns import compile_pattern
from session import cells
from session.log_buffer import DEFAULT_MAX_BYTES, LogBuffer


def test_ring_keeps_the_newest_and_numbers_them():
    b = LogBuffer(capacity=3)
    b.append(["a", "b"], first_no=10)
    b.append(["c", "d"])
    assert (len(b), b.first_seq, b.total) == (3, 1, 4)
    assert [b.line(s) for s in range(b.first_seq, b.total)] == ["b", "c", "d"]
    assert [b.number(s) for s in range(1, 4)] == [11, 12, 13]
    assert not b.has(0)


def test_stderr_lines_are_marked():
    b = LogBuffer()
    b.append(["out"])
    b.append(["err"], err=True)
    assert (b.is_err(0), b.is_err(1)) == (False, True)


def test_filter_index_follows_appends_and_eviction():
    b = LogBuffer(capacity=4)
    b.append(["ok", "ERROR 1", "ok", "ERROR 2"])
    b.set_filter(compile_pattern("ERROR"))
    assert [b.view_seq(i) for i in range(b.view_len())] == [1, 3]
    b.append(["ERROR 3", "ok"])  # evicts seqs 0 and 1
    assert [b.line(b.view_seq(i)) for i in range(b.view_len())] == ["ERROR 2", "ERROR 3"]
    assert b.view_index(3) == 0 and b.view_index(5) is None
    b.set_filter(None)
    assert b.view_len() == 4


def test_wrap_rows_map_both_ways():
    b = LogBuffer()
    b.append(["x" * 10, "y" * 3, "z" * 7])
    b.set_wrap(4)
    assert b.rows() == 3 + 1 + 2
    assert [b.row_to_line(r) for r in range(6)] == [(0, 0), (0, 1), (0, 2), (1, 0), (2, 0), (2, 1)]
    assert [b.line_to_row(i) for i in range(3)] == [0, 3, 4]
    b.set_wrap(0)
    assert b.rows() == 3


def test_clear_forgets_lines_but_keeps_counting():
    b = LogBuffer()
    b.append(["a", "b"])
    b.clear()
    b.append(["c"])
    assert (len(b), b.first_seq, b.line(2)) == (1, 2, "c")


@settings(max_examples=60, deadline=None)
@given(
    capacity=st.integers(1, 30),
    batches=st.lists(
        st.lists(st.sampled_from(["ERROR a", "info", "x" * 9, ""]), max_size=12), max_size=12
    ),
    width=st.integers(0, 5),
)
def test_views_equal_a_naive_model(capacity, batches, width):
    b = LogBuffer(capacity=capacity)
    b.set_filter(compile_pattern("ERROR|x"))
    b.set_wrap(width)
    everything: list[str] = []
    for batch in batches:
        b.append(batch)
        everything += batch
    held = everything[-capacity:] if everything else []
    shown = [t for t in held if re.search("ERROR|x", t)]
    assert [b.line(b.view_seq(i)) for i in range(b.view_len())] == shown
    if width:
        assert b.rows() == sum(max(1, -(-len(t) // width)) for t in shown)
        rows = [b.row_to_line(r)[0] for r in range(b.rows())]
        assert rows == sorted(rows) and (not shown or rows[-1] == len(shown) - 1)


def test_lines_past_the_byte_budget_fall_out_oldest_first():
    b = LogBuffer(capacity=1000, max_bytes=3 * str.__sizeof__("x" * 100))
    b.append(["x" * 100, "y" * 100], first_no=7)
    b.append(["z" * 100])
    assert (len(b), b.bytes) == (3, 3 * str.__sizeof__("x" * 100))
    b.append(["w" * 150], read_at=5.0)  # two must go to make room
    assert [b.line(s) for s in range(b.first_seq, b.total)] == ["z" * 100, "w" * 150]
    assert (b.first_seq, b.number(3), b.read_at(3)) == (2, 10, 5.0)
    assert b.bytes == str.__sizeof__("z" * 100) + str.__sizeof__("w" * 150)
    b.append(["!" * 10_000])  # larger than the whole budget: nothing can stay
    assert (len(b), b.bytes, b.total, b.view_len(), b.rows(), b.widest) == (0, 0, 5, 0, 0, 0)
    b.append(["after"])
    assert (b.line(5), b.number(5)) == ("after", 12)  # numbers go on


def test_the_budget_counts_what_a_line_costs_in_memory():
    """One emoji makes Python store every character of its line in 4 bytes: the line costs
    what it takes, not its length."""
    b = LogBuffer(max_bytes=1 << 20)
    b.append(["🔥" + "a" * 65_535])
    assert b.bytes > 4 * 65_536


def test_the_widest_line_is_the_widest_held():
    b = LogBuffer(capacity=3)
    b.append(["a" * 50, "b"])
    b.append(["c" * 20])
    assert b.widest == 50
    b.append(["d"])  # "a" * 50 falls out, part of its append stays
    assert b.widest == 20
    b.append(["e", "f"])
    assert b.widest == 1
    b.clear()
    assert b.widest == 0


def test_widths_and_wrap_rows_count_cells_with_tabs_expanded():
    """What the view draws: a tab goes to the next stop of 8 cells, a CJK character takes
    2 cells, and a wide character that does not fit at the end of a wrap row starts the
    next one."""
    b = LogBuffer(capacity=3)
    b.append(["\tat com.example.Main.run(Main.java:42)", "x" * 30])
    assert b.widest == 8 + 37
    b.append(["日" * 240])
    assert b.widest == 480
    b.set_wrap(9)  # 4 CJK characters a row: 60 rows (480 cells / 9 would say 54)
    assert b.rows() == 5 + 4 + 60
    b.set_wrap(5)  # 2 a row
    assert b.rows() == 9 + 6 + 120
    assert b.row_to_line(15) == (2, 0)


def test_a_pane_fed_long_lines_stays_within_its_budget():
    """A source printing 1 MiB lines (cut to 64 KiB by feeds/lines.py): the pane holds about
    32 MiB of them, not all of them (it held 200,000 lines, whatever their length)."""
    b = LogBuffer()
    tracemalloc.start()
    try:
        for i in range(1500):  # about 94 MiB in all
            b.append([f"{i:06d}" + "x" * 65_530 + "... [983,040 bytes cut]"])
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert b.bytes <= DEFAULT_MAX_BYTES and held < DEFAULT_MAX_BYTES + (1 << 20)
    assert len(b) == DEFAULT_MAX_BYTES // str.__sizeof__(b.line(b.total - 1))
    assert b.line(b.total - 1).startswith("001499")


TEXTS = st.one_of(
    st.sampled_from(["ERROR a", "info", "x" * 9, "", "é" * 3, "🔥 ERROR", "\tat x", "日本\tERROR"]),
    st.text(max_size=40),
)


@settings(max_examples=200, deadline=None)
@given(
    capacity=st.integers(1, 30),
    budget=st.integers(1, 1500),
    batches=st.lists(st.tuples(st.lists(TEXTS, max_size=12), st.booleans()), max_size=14),
    width=st.integers(0, 5),
    filtered=st.booleans(),
)
def test_bounded_in_lines_and_bytes_every_index_agrees_with_a_naive_model(
    capacity, budget, batches, width, filtered
):
    pattern = compile_pattern("ERROR|x") if filtered else None
    b = LogBuffer(capacity=capacity, max_bytes=budget)
    b.set_filter(pattern)
    b.set_wrap(width)
    model: list[tuple[int, str, bool, int, float]] = []  # seq, text, err, no, read_at
    seq = 0
    for k, (batch, err) in enumerate(batches):
        b.append(batch, err=err, first_no=100 * k, read_at=float(k))
        model += [(seq + i, t, err, 100 * k + i, float(k)) for i, t in enumerate(batch)]
        seq += len(batch)
        model = model[-capacity:]
        while model and sum(str.__sizeof__(m[1]) for m in model) > budget:
            model.pop(0)
        assert (b.total, len(b)) == (seq, len(model))
        assert b.first_seq == (model[0][0] if model else seq)
        assert b.bytes == sum(str.__sizeof__(m[1]) for m in model) <= budget
        assert [
            (s, b.line(s), b.is_err(s), b.number(s), b.read_at(s))
            for s in range(b.first_seq, b.total)
        ] == model
        assert b.widest == max((cells.width(m[1]) for m in model), default=0)
        shown = [m for m in model if pattern is None or pattern.search(m[1])]
        assert [b.view_seq(i) for i in range(b.view_len())] == [m[0] for m in shown]
        assert all(b.view_index(m[0]) == i for i, m in enumerate(shown))
        if width:
            assert b.rows() == sum(len(cells.wrap(m[1], width)) for m in shown)
            assert [b.line_to_row(i) for i in range(len(shown))] == [
                sum(len(cells.wrap(m[1], width)) for m in shown[:i]) for i in range(len(shown))
            ]
        else:
            assert b.rows() == len(shown)


@settings(max_examples=150, deadline=None)
@given(
    capacity=st.integers(1, 20),
    budget=st.integers(200, 3000),
    batches=st.lists(
        st.tuples(st.lists(TEXTS, max_size=8), st.booleans(), st.integers(0, 4)), max_size=14
    ),
    width=st.integers(0, 5),
    filtered=st.booleans(),
)
def test_retracted_lines_leave_no_trace_in_any_index(capacity, budget, batches, width, filtered):
    """``retract``: a source's provisional (unfinished) lines are taken away before the
    batch that replaces them; every index agrees with a model that never held them."""
    pattern = compile_pattern("ERROR|x") if filtered else None
    b = LogBuffer(capacity=capacity, max_bytes=budget)
    b.set_filter(pattern)
    b.set_wrap(width)
    model: list[tuple[int, str, bool, int, float]] = []  # seq, text, err, no, read_at
    seq = 0
    for k, (batch, err, taken) in enumerate(batches):
        b.append(batch, err=err, first_no=100 * k, read_at=float(k))
        model += [(seq + i, t, err, 100 * k + i, float(k)) for i, t in enumerate(batch)]
        seq += len(batch)
        model = model[-capacity:]
        while model and sum(str.__sizeof__(m[1]) for m in model) > budget:
            model.pop(0)
        edits = b.edits
        gone = b.retract(taken)
        assert gone == min(taken, len(model)) and b.edits == edits + (gone > 0)
        del model[len(model) - gone :]
        seq -= gone
        assert (b.total, len(b)) == (seq, len(model))
        assert b.bytes == sum(str.__sizeof__(m[1]) for m in model)
        assert [
            (s, b.line(s), b.is_err(s), b.number(s), b.read_at(s))
            for s in range(b.first_seq, b.total)
        ] == model
        assert b.widest == max((cells.width(m[1]) for m in model), default=0)
        shown = [m for m in model if pattern is None or pattern.search(m[1])]
        assert [b.view_seq(i) for i in range(b.view_len())] == [m[0] for m in shown]
        if width:
            assert b.rows() == sum(len(cells.wrap(m[1], width)) for m in shown)


def test_a_replaced_line_keeps_its_seq_and_number():
    b = LogBuffer()
    b.append(["one", "two, unfinish"], first_no=1)
    b.retract(1)
    b.append(["two, unfinished and finished", "three"], first_no=2)
    assert [(s, b.number(s), b.line(s)) for s in range(b.total)] == [
        (0, 1, "one"),
        (1, 2, "two, unfinished and finished"),
        (2, 3, "three"),
    ]
    assert b.retract(0) == 0 and b.edits == 1
