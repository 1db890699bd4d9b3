"""A timeline entry in full: the rows cut their Event column to what the pane leaves it (about
30 cells at 120x40), so Enter (or ``v``) on a row shows all of it, read-only and scrollable:
the text, the action taken, the owner, when it happened and when it was written down (UTC
and local time), a correction's target and what it changed, and the payload: an evidence's
provenance (source, line, when it was read, the line's own time in UTC with the zone it was
read in and whether that was assumed, SHA-256), a command's exit
code, a sent message, the old and new value of a change.

Everything shown comes from the journal, and is untrusted: it is plain text (``Content``),
with control characters made visible, never markup.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from incident.evidence_text import line_time_text
from incident.glance import Row
from incident.journal import Event, Evidence, TimelineEntry
from incident.sanitize import visible, visible_text

Line = tuple[str, str]  # (label, value): the value is untrusted text

LABELS = {
    "line_no": "line number",
    "read_at": "read at",
    "line_time": "line time",
    "sha256": "SHA-256",
    "source_id": "source id",
    "exit_code": "exit code",
    "item_id": "item",
    "detected_by": "detected by",
    "started_at": "started at",
    "env": "environment",
}
FIRST = ("source", "source_id", "line_no", "read_at", "line_time", "line", "sha256")
"""An evidence's provenance comes first (and the other payloads' fields in their order)."""
FOLDED = ("line_zone", "zone_assumed")
"""Said with the line time: ``line time 2005-12-05 19:15:57 UTC (zone assumed: ...)``."""


def when(at: datetime, local_tz: tzinfo | None) -> str:
    """``2026-11-25 14:37:00 UTC (15:37:00 CET local)``: the local time on the same day
    says only the time."""
    local = at.astimezone(local_tz) if local_tz is not None else at.astimezone()
    at = at.astimezone(UTC)
    day = "" if local.date() == at.date() else "%Y-%m-%d "
    return f"{at:%Y-%m-%d %H:%M:%S} UTC ({local.strftime(day + '%H:%M:%S %Z').strip()} local)"


def _value(value: Any, local_tz: tzinfo | None) -> str:
    if isinstance(value, datetime):
        return when(value, local_tz)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "value") and isinstance(value.value, str):  # (an enum: SEV-1, ACTIVE)
        return value.value
    return str(value)


def payload_lines(event: Event, local_tz: tzinfo | None) -> Iterator[Line]:
    """The payload's fields that are set, each as (label, text); nested ones flattened."""
    fields = event.payload.model_dump(exclude_none=True, exclude={"kind"})
    raw = {name: getattr(event.payload, name) for name in fields}
    if raw.get("path") and raw.get("line_no"):  # a grep's line: "Apache.log line 11"
        raw["line_no"] = f"{raw.pop('path')} line {raw['line_no']}"
    order = [f for f in FIRST if f in raw] + [f for f in raw if f not in FIRST]
    for name in order:
        value = raw[name]
        label = LABELS.get(name, name.replace("_", " "))
        if value in ((), {}, "") or (name == "redacted" and not value) or name in FOLDED:
            continue
        if name == "line_time" and isinstance(event.payload, Evidence):
            yield label, line_time_text(event.payload) or ""  # (its zone, and how it was had)
            continue
        if isinstance(value, dict) or hasattr(value, "model_dump"):  # snapshot, env, spec
            items = value if isinstance(value, dict) else value.model_dump(exclude_none=True)
            for key, sub in items.items():
                if sub not in ((), {}, "", None, False):
                    yield f"{label} {key}", _value(sub, local_tz)
        elif isinstance(value, tuple):  # an evidence's context, a grep's paths
            yield label, "\n".join(str(v) for v in value)
        else:
            yield label, _value(value, local_tz)


def detail_lines(entry: TimelineEntry | Row, local_tz: tzinfo | None) -> Iterator[Line]:
    """Every line of the detail of ``entry`` (a peeked row has no payload yet)."""
    yield "event", entry.text
    if entry.retracted:
        yield "state", "retracted (the original stays in the journal)"
    elif entry.corrected:
        yield "state", "corrected (the original stays in the journal)"
    yield "action taken", entry.action or "—"
    yield "owner", entry.owner or "—"
    yield "occurred", when(entry.occurred_at, local_tz)
    event = entry.event if isinstance(entry, TimelineEntry) else None
    if event is None:
        return
    yield "recorded", when(event.recorded_at, local_tz)
    if event.occurred_at != entry.occurred_at:
        yield "first said", when(event.occurred_at, local_tz)
    if (entry.corrected or entry.retracted) and event.text != entry.text:
        yield "first text", event.text
    if event.corrects is not None:
        yield "corrects", f"entry #{event.corrects}"
    yield from payload_lines(event, local_tz)


def detail_content(entry: TimelineEntry | Row, local_tz: tzinfo | None) -> Content:
    """The detail as plain text: labels styled, every value untrusted (no markup)."""
    lines = list(detail_lines(entry, local_tz))
    width = max(len(label) for label, _ in lines) + 2
    parts: list[Any] = []
    for label, value in lines:
        text = visible_text(value)
        pad = "\n" + " " * width
        parts += [(f"{label:<{width}}", "bold $text-muted"), pad.join(text.split("\n")), "\n"]
    return Content.assemble(*parts)


class EntryDetail(ModalScreen[None]):
    """One timeline entry in full, read-only; Escape closes."""

    CSS = """
    #detail-dialog { height: auto; max-height: 90%; }
    #detail-dialog VerticalScroll { height: auto; max-height: 100%; }
    """
    BINDINGS = [Binding("escape,q,v", "dismiss(None)", "Close")]

    def __init__(self, entry: TimelineEntry | Row, *, local_tz: tzinfo | None = None) -> None:
        super().__init__()
        self.entry = entry
        self.local_tz = local_tz

    def compose(self) -> ComposeResult:
        kind = visible(str(getattr(self.entry.kind, "value", self.entry.kind)))
        with VerticalScroll(classes="dialog", id="detail-dialog") as box:
            box.border_title = f"Entry #{self.entry.id} · {kind}"
            box.border_subtitle = "Escape closes"
            yield Static(detail_content(self.entry, self.local_tz), id="detail-text")

    def on_mount(self) -> None:
        self.query_one("#detail-dialog").focus()
