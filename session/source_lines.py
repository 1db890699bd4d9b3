"""A running source's lines into its pane's buffer and the capture store, batch by batch.

A batch's last ``provisional`` lines are an unfinished line shown before its newline came
(``feeds.source.LineBatch``): the next batch replaces them, so they are taken out of the
buffer (``LogBuffer.retract``) before it goes in, and never captured while unfinished. The
whole line comes in that next batch and is captured then, once. Lines still unfinished when
the source ends (it was stopped mid-line) stay in the pane as they are and are captured
then, so that the capture holds what the IC saw; a grep restarted later resumes at that
line and shows it again, whole (``feeds/grep.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from incident.ports import CaptureSink, LineBatch, LogSource
    from session.log_buffer import LogBuffer


async def show_and_capture(
    running: LogSource,
    buf: LogBuffer,
    capture: CaptureSink | None,
    incident: int,
    base: int,
    epoch: int | None = None,
) -> int:
    """Show and capture every batch of ``running`` until it ends, its line numbers after
    ``base``, under the ``epoch`` of its lease; returns the number of the last line shown
    (``base`` when none)."""
    sid = running.source_id
    last, held = base, None  # held: the provisional lines shown last, and their number
    async for batch in running.batches():
        no = base + batch.first_no
        err = batch.stream == "err"
        buf.retract(held[1].provisional if held else 0)  # each batch replaces them
        buf.append(batch.lines, err=err, first_no=no, read_at=batch.read_at.timestamp())
        done = len(batch.lines) - batch.provisional  # finished: captured now
        if done:
            last = no + done - 1
            if capture is not None:
                lines = batch.lines[:done]
                capture.submit(
                    incident, sid, no, lines, err=err, read_at=batch.read_at, epoch=epoch
                )
        held = (no + done, batch) if batch.provisional else None
    if held is not None:  # left unfinished when the source ended: kept as they are
        no, batch = held
        last = no + batch.provisional - 1
        if capture is not None:
            _submit_unfinished(capture, incident, no, batch, epoch)
    return last


def _submit_unfinished(
    capture: CaptureSink, incident: int, no: int, batch: LineBatch, epoch: int | None
) -> None:
    lines = batch.lines[len(batch.lines) - batch.provisional :]
    err = batch.stream == "err"
    capture.submit(
        incident, batch.source_id, no, lines, err=err, read_at=batch.read_at, epoch=epoch
    )
