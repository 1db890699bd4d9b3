"""LogBuffer: the ring, sequence numbers, filter index and wrap rows stay consistent."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.widgets.log_buffer import LogBuffer


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
    b.set_filter(re.compile("ERROR"))
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
    assert [b.row_to_line(r) for r in range(6)] == [(0, 0), (0, 1), (0, 2), (1, 0), (2, 0),
                                                    (2, 1)]
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
@given(capacity=st.integers(1, 30),
       batches=st.lists(st.lists(st.sampled_from(["ERROR a", "info", "x" * 9, ""]),
                                 max_size=12), max_size=12),
       width=st.integers(0, 5))
def test_views_equal_a_naive_model(capacity, batches, width):
    b = LogBuffer(capacity=capacity)
    b.set_filter(re.compile("ERROR|x"))
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
