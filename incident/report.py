"""The incident report, in the playbook's "Incident Report" format, and as JSON.

Rendering is a pure function of the journal: the same events give byte-identical output,
and nothing is invented: a field nobody filled in reads "Not yet known".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from incident.journal import Event, Evidence, TimelineEntry, timeline
from incident.model import Role, role_label
from incident.sanitize import json_safe, visible
from incident.state import IncidentState, fold
from incident.timeparse import human_duration, iso_z

UNKNOWN = "Not yet known"
FORMAT_VERSION = 1


def _inline(value: str | None) -> str:
    """One line of Markdown from untrusted text: controls shown, newlines folded."""
    if value is None or not str(value).strip():
        return UNKNOWN
    return visible(" ".join(str(value).split()))


def _cell(value: str) -> str:
    text = visible(" ".join(value.split())) if value.strip() else ""
    return text.replace("\\", "\\\\").replace("|", "\\|")


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def duration(state: IncidentState) -> str:
    """Started to resolved, from the journal; an open incident says so instead of guessing."""
    if state.resolved_at is None:
        return f"Ongoing (started {_stamp(state.started_at)}, not yet resolved)"
    return human_duration(state.resolved_at - state.started_at)


def _time_cell(at: datetime, started: datetime) -> str:
    at = at.astimezone(UTC)
    if at.date() == started.astimezone(UTC).date():
        return at.strftime("%H:%M")
    return at.strftime("%Y-%m-%d %H:%M")


def _timeline_rows(rows: Sequence[TimelineEntry], started: datetime) -> list[str]:
    out = []
    for r in rows:
        text = _cell(r.text)
        if r.retracted:
            text = f"~~{text}~~ (retracted)"
        elif r.corrected:
            text += " (corrected)"
        out.append(f"| {_time_cell(r.occurred_at, started)} | {text} | {_cell(r.action)} "
                   f"| {_cell(r.owner)} |")
    return out


def _participants(state: IncidentState) -> list[str]:
    by_role: dict[str, list[str]] = {}
    for p in state.participants.values():
        by_role.setdefault(p.role, []).append(visible(p.name))
    lines = []
    for role in Role:
        names = by_role.pop(role.value, [])
        lines.append(f"- {role_label(role)}: {', '.join(names) if names else UNKNOWN}")
    for role in sorted(by_role):
        lines.append(f"- {_inline(role)}: {', '.join(by_role[role])}")
    return lines


def _evidence(rows: Sequence[TimelineEntry]) -> list[str]:
    lines = []
    for r in rows:
        ev = r.event.payload
        if r.retracted or not isinstance(ev, Evidence):
            continue
        where = _inline(ev.source) + (f", line {ev.line_no}" if ev.line_no else "")
        lines.append(f"- {iso_z(r.occurred_at)} {where}: `{_cell(ev.line)[:300]}`"
                     + (f" (sha256 {ev.sha256[:16]}…)" if ev.sha256 else ""))
    return lines


def render_markdown(events: Sequence[Event]) -> str:
    """The playbook's Incident Report for the incident these events describe."""
    state = fold(events)
    rows = timeline(list(events))
    rc, res, imp = state.root_cause, state.resolution, state.impact_summary
    status_page = UNKNOWN if state.status_page.value == "unknown" else state.status_page.value
    out = [
        f"## Incident Report - {state.number}",
        "",
        f"### Status: {state.status.emoji} {state.status.value}",
        "",
        "### Incident Details",
        f"- **Title**: {_inline(state.title)}",
        f"- **Severity**: {state.severity.value}",
        f"- **Started**: {_stamp(state.started_at)}",
        f"- **Detected**: {_inline(state.detected_by)}",
        f"- **Impact**: {_inline(state.impact)}",
        f"- **Status Page**: {status_page}",
        f"- **Service**: {_inline(state.service)}",
        "",
        "### Timeline",
        "| Time (UTC) | Event | Action Taken | Owner |",
        "|------------|-------|--------------|-------|",
        *_timeline_rows(rows, state.started_at),
        "",
        "### Root Cause",
        f"- **What**: {_inline(rc.what)}",
        f"- **Why**: {_inline(rc.why)}",
        f"- **Where**: {_inline(rc.where)}",
        "",
        "### Resolution",
        f"- **Immediate**: {_inline(res.immediate)}",
        f"- **Permanent**: {_inline(res.permanent)}",
        f"- **Deployed**: {_inline(res.deployed)}",
        "",
        "### Impact Summary",
        f"- **Duration**: {duration(state)}",
        f"- **Users Affected**: {_inline(imp.users_affected)}",
        f"- **Failed Requests**: {_inline(imp.failed_requests)}",
        f"- **Revenue Impact**: {_inline(imp.revenue_impact)}",
        "",
        "### Action Items",
    ]
    items = sorted(state.action_items.values(), key=lambda a: a.id)
    if items:
        for n, item in enumerate(items, 1):
            owner = f" ({_inline(item.owner)})" if item.owner else ""
            out.append(f"{n}. [{'x' if item.done else ' '}] {_inline(item.text)}{owner}")
    else:
        out.append(f"_{UNKNOWN}: no action items recorded._")
    out += ["", "### Participants", *_participants(state)]
    evidence = _evidence(rows)
    if evidence:
        out += ["", "### Evidence", *evidence]
    return "\n".join(out) + "\n"


def report_data(events: Sequence[Event]) -> dict[str, Any]:
    """Every field of the incident and its timeline, as plain JSON-able data."""
    state = fold(events)
    rows = timeline(list(events))
    resolved = state.resolved_at
    return {
        "format": FORMAT_VERSION,
        "incident": state.model_dump(mode="json"),
        "number": state.number,
        "duration_seconds": (resolved - state.started_at).total_seconds() if resolved else None,
        "timeline": [
            {"id": r.id, "occurred_at": iso_z(r.occurred_at),
             "recorded_at": iso_z(r.event.recorded_at), "kind": r.kind.value, "text": r.text,
             "action": r.action, "owner": r.owner, "corrected": r.corrected,
             "retracted": r.retracted, "payload": r.event.payload.model_dump(mode="json")}
            for r in rows
        ],
        "events": [e.model_dump(mode="json") for e in sorted(events, key=lambda e: e.id or 0)],
    }


def render_json(events: Sequence[Event]) -> str:
    text = json.dumps(report_data(events), indent=2, sort_keys=True, ensure_ascii=False)
    return json_safe(text) + "\n"
