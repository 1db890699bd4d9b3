"""The host glance: what this machine is doing, for the first minutes of triage.

CPU, memory, load, disks and their I/O, network, and the top processes, sampled every two
seconds in a thread worker that never overlaps itself (``exclusive``), while the pane is on
screen: behind another tab it neither samples (a walk of every process) nor redraws, and it
samples at once when it is shown again. ``enter`` pins the current sample to the timeline as
evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual import work
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from incident.sanitize import visible

INTERVAL = 2.0


class HostPane(VerticalScroll, can_focus=True):
    """Live host metrics from a sampler handed down by the app."""

    BINDINGS = [
        Binding("enter", "pin", "Pin snapshot", tooltip="This sample of the machine, as evidence")
    ]

    @dataclass
    class Pin(Message):
        """Pin ``sample`` (an object with ``lines()`` and ``to_dict()``) as evidence."""

        sample: Any

    def __init__(self, sampler: Callable[[], Any], **kwargs) -> None:
        super().__init__(**kwargs)
        self.sampler = sampler
        self.sample: Any = None
        self._rows = -1

    def compose(self):
        yield Static(Content("sampling…"), id="host-text")

    def on_mount(self) -> None:
        self.set_interval(INTERVAL, self._tick, name="host-sample")

    def on_show(self) -> None:
        self.refresh_sample()

    def _tick(self) -> None:
        if self.is_on_screen:
            self.refresh_sample()

    @work(thread=True, exclusive=True, group="host-sample")
    def refresh_sample(self) -> None:
        sample = self.sampler()
        self.app.call_from_thread(self._show, sample)

    def _show(self, sample: Any) -> None:
        self.sample = sample
        text = "\n".join(visible(line) for line in sample.lines())
        rows = text.count("\n")
        self.query_one("#host-text", Static).update(
            Content(text + "\n\nenter pins this snapshot to the timeline"),
            layout=rows != self._rows,
        )  # (as many lines as before: a repaint is enough)
        self._rows = rows

    def action_pin(self) -> None:
        if self.sample is None:
            self.notify("no sample yet", severity="warning")
            return
        self.post_message(self.Pin(self.sample))
