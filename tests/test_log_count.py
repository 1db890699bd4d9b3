"""The search count of a log pane (``session.log_count``): kept up to date a block at a time,
within a time budget, as lines arrive, fall out of the ring, or the filter changes."""

from __future__ import annotations

import time

from incident.patterns import compile_pattern
from session.log_buffer import LogBuffer
from session.log_count import BLOCK, SearchCount


def test_counts_the_view_and_follows_new_lines_the_ring_and_the_filter():
    buf = LogBuffer(capacity=10_000)
    buf.append([f"{'hit' if i % 10 == 0 else 'miss'} {i}" for i in range(5_000)])
    count = SearchCount(buf, compile_pattern("hit"))
    while not count.step():
        pass
    assert count.done and count.count == 500
    buf.append(["hit new", "miss new"])
    assert not count.done
    assert count.step() and count.count == 501
    buf.append([f"miss {i}" for i in range(9_000)])  # the first 1,002 lines fall out
    while not count.step():
        pass
    assert count.count == sum(1 for s in range(buf.first_seq, buf.total) if "hit" in buf.line(s))
    buf.set_filter(compile_pattern(r"hit \d*0 "))  # another view: counted again
    assert not count.done
    while not count.step():
        pass
    assert count.count == buf.view_len()
    buf.set_filter(compile_pattern("new"))  # (a view of 2 lines, one a hit)
    while not count.step():
        pass
    assert count.count == 1
    buf.clear()
    assert count.step() and count.count == 0


def test_a_step_over_200000_lines_that_all_match_costs_well_under_a_frame():
    """Counting every line of a full pane at once took about 200 ms when every line matched
    (one call into RE2 per matching line): each step stays within its budget."""
    buf = LogBuffer()
    line = "2026-11-25T15:08:00Z [notice] [client 10.0.0.1] GET /api/v1/items/{} 200 ok"
    buf.append([line.format(i) for i in range(200_000)])
    count = SearchCount(buf, compile_pattern("[error]"))  # (a class: every line matches)
    slowest, steps = 0.0, 0
    while True:
        start = time.thread_time()  # (CPU time: what a step costs, whatever else runs)
        done = count.step()
        slowest = max(slowest, time.thread_time() - start)
        steps += 1
        if done:
            break
    assert count.count == 200_000
    assert steps >= 200_000 // BLOCK // 4  # spread over many steps, not one
    assert slowest < 0.05, f"a step took {slowest * 1000:.1f} ms"
