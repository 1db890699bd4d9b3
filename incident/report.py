"""The incident report, in the playbook's "Incident Report" format, and as JSON.

Rendering is a pure function of the journal: the same events give byte-identical output,
and nothing is invented: a field nobody filled in reads "Not yet known".
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from incident.evidence import place
from incident.evidence_text import utc_text, zone_note
from incident.journal import Event, Evidence, TimelineEntry, timeline
from incident.metrics import compute
from incident.model import Role, role_label
from incident.playbook import Contact, load_playbook
from incident.sanitize import json_safe, visible
from incident.state import IncidentState, fold
from incident.timeparse import human_duration, iso_z

UNKNOWN = "Not yet known"
DIGEST_NOTE = (
    "Evidence digests are over the redacted lines shown here; the original "
    "digests are kept only in the unredacted store."
)
FORMAT_VERSION = 1


# Untrusted text is escaped so that a rendered report loads nothing and nothing breaks out:
# no raw HTML or entity, no link, image or autolink, no emphasis or strikethrough, no table
# cell boundary. CommonMark lets a backslash escape any ASCII punctuation.
_MD_ESCAPE = str.maketrans({c: "\\" + c for c in "\\`*_[]<>&|~!"})


_BLOCK_START = re.compile(r"[#>+=-]|\d{1,9}(?=[.)])")


def md_text(value: str) -> str:
    """One line of Markdown text from untrusted text: controls shown, newlines folded,
    every character Markdown would read as syntax escaped (a heading, quote or list marker
    where it starts a list item too)."""
    text = visible(" ".join(value.split())).translate(_MD_ESCAPE)
    m = _BLOCK_START.match(text)
    if m is None:
        return text
    end = m.end() if text[:1].isdigit() else 0
    return f"{text[:end]}\\{text[end:]}"


def md_code(value: str) -> str:
    """Untrusted text as an inline code span: a fence of more backticks than the longest
    run inside (CommonMark), padded with spaces when the text starts or ends with one."""
    text = visible(" ".join(value.split()))
    longest = max((len(r) for r in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _inline(value: str | None) -> str:
    """One line of Markdown from untrusted text; "Not yet known" when empty."""
    if value is None or not str(value).strip():
        return UNKNOWN
    return md_text(str(value))


def _cell(value: str) -> str:
    return md_text(value) if value.strip() else ""


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
        out.append(
            f"| {_time_cell(r.occurred_at, started)} | {text} | {_cell(r.action)} "
            f"| {_cell(r.owner)} |"
        )
    return out


def _status_page(state: IncidentState) -> str:
    """As recorded; else "Updated" once an update went to the status page; with its link."""
    if state.status_page.value != "unknown":
        said = state.status_page.value
    else:
        said = "Updated" if state.last_sent("status-page") else UNKNOWN
    return f"{said} ({md_text(state.status_page_url)})" if state.status_page_url else said


def _participants(state: IncidentState) -> list[str]:
    by_role: dict[str, list[str]] = {}
    for p in state.participants.values():
        by_role.setdefault(p.role, []).append(md_text(p.name))
    lines = []
    for role in Role:
        names = by_role.pop(role.value, [])
        lines.append(f"- {role_label(role)}: {', '.join(names) if names else UNKNOWN}")
    for free in sorted(by_role):  # roles the playbook does not name, as typed
        lines.append(f"- {_inline(free)}: {', '.join(by_role[free])}")
    return lines


def _evidence(rows: Sequence[TimelineEntry]) -> list[str]:
    lines = []
    for r in rows:
        ev = r.event.payload
        if r.retracted or not isinstance(ev, Evidence):
            continue
        at = place(ev)
        where = _inline(ev.source) + (f", {_inline(at)}" if at else "")
        said = []  # the line's own time (never a guess: none when it has none), the digest
        if ev.line_time is not None:
            said.append(f"line time {utc_text(ev.line_time)}, {md_text(zone_note(ev))}")
        if ev.sha256:
            said.append(f"sha256 {ev.sha256[:16]}…")
        lines.append(
            f"- {iso_z(r.occurred_at)} {where}: {md_code(ev.line[:300])}"
            + (f" ({'; '.join(said)})" if said else "")
        )
    return lines


def _metrics(events: Sequence[Event]) -> list[str]:
    m = compute(events)
    pb = load_playbook()

    def took(delta, what: str) -> str:
        return human_duration(delta) if delta is not None else f"not yet {what}"

    sev = ", ".join(f"{s.value} {human_duration(t)}" for s, t in sorted(m.severity_time.items()))
    phases = []
    for span in m.phases:
        p = pb.phase(span.phase)
        text = f"{p.number}. {p.name} {human_duration(span.spent)}"
        if span.budget is not None:
            text += f" (budget {human_duration(span.budget)}"
            text += f", {human_duration(span.over)} over)" if span.over else ")"
        phases.append(text)
    late = [
        f"{u.audience} {u.at:%H:%M} ({human_duration(u.late_by)} late)"
        for u in m.updates
        if u.late_by is not None
    ]
    updates = f"{m.updates_on_time} on time, {m.updates_late} late"
    if late:
        updates += ": " + "; ".join(_inline(x) for x in late)
    lines = [
        f"- **Time to detect**: {human_duration(m.time_to_detect)}",
        f"- **Time to acknowledge**: {took(m.time_to_acknowledge, 'acknowledged')}",
        f"- **Time to mitigate**: {took(m.time_to_mitigate, 'mitigated')}",
        f"- **Time to resolve**: {took(m.time_to_resolve, 'resolved')}",
        f"- **Time at severity**: {sev}",
        f"- **Phases**: {'; '.join(phases)}",
        f"- **Updates sent**: {updates}",
        f"- **Commands run**: {m.commands_run}",
        f"- **Evidence pinned**: {m.evidence_pinned}",
    ]
    if m.out_of_order:
        lines.append("- **Milestones out of order**: " + "; ".join(m.out_of_order))
    return lines


def _contacts(contacts: Sequence[Contact]) -> list[str]:
    if not contacts:
        return ["_No emergency contacts recorded._"]
    return [f"- {_inline(c.role)}: {_inline(c.contact)}" for c in contacts]


def render_markdown(
    events: Sequence[Event],
    *,
    redacted: int | None = None,
    contacts: Sequence[Contact] | None = None,
) -> str:
    """The playbook's Incident Report for the incident these events describe.

    ``redacted`` is how many secrets the caller redacted from ``events`` (None: not
    redacted); the report says so. ``contacts`` is the emergency contacts roster (kept in
    the database, not the journal), listed in its order after the participants; None leaves
    the section out.
    """
    state = fold(events)
    rows = timeline(list(events))
    rc, res, imp = state.root_cause, state.resolution, state.impact_summary
    status_page = _status_page(state)
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
        *([f"- **ETA**: {_inline(state.eta)}"] if state.eta else []),
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
            about = [_inline(item.owner)] if item.owner else []
            about += [f"due {item.due}"] if item.due else []
            more = f" ({', '.join(about)})" if about else ""
            out.append(f"{n}. [{'x' if item.done else ' '}] {_inline(item.text)}{more}")
    else:
        out.append(f"_{UNKNOWN}: no action items recorded._")
    out += ["", "### Participants", *_participants(state)]
    if contacts is not None:
        out += ["", "### Emergency Contacts", *_contacts(contacts)]
    pm = state.postmortem
    if pm.went_well or pm.went_wrong or pm.lucky:
        out += [
            "",
            "### Blameless Post-Mortem",
            f"- **What went well**: {_inline(pm.went_well)}",
            f"- **What did not**: {_inline(pm.went_wrong)}",
            f"- **Where we got lucky**: {_inline(pm.lucky)}",
        ]
    out += ["", "### Metrics", *_metrics(events)]
    evidence = _evidence(rows)
    if evidence:
        out += ["", "### Evidence", *evidence]
        if redacted is not None:
            out += ["", f"_{DIGEST_NOTE}_"]
    if redacted is not None:
        out += [
            "",
            f"_Secrets redacted on export: {redacted} (tokens, keys, passwords, "
            "bearer headers, connection strings)._",
        ]
    return "\n".join(out) + "\n"


def report_data(
    events: Sequence[Event],
    *,
    redacted: int | None = None,
    contacts: Sequence[Contact] | None = None,
) -> dict[str, Any]:
    """Every field of the incident and its timeline, as plain JSON-able data (with the
    emergency contacts roster when it is given, as the Markdown report has it)."""
    state = fold(events)
    m = compute(events)
    rows = timeline(list(events))
    resolved = state.resolved_at
    return {
        "format": FORMAT_VERSION,
        "incident": state.model_dump(mode="json"),
        "number": state.number,
        "duration_seconds": (resolved - state.started_at).total_seconds() if resolved else None,
        "timeline": [
            {
                "id": r.id,
                "occurred_at": iso_z(r.occurred_at),
                "recorded_at": iso_z(r.event.recorded_at),
                "kind": r.kind.value,
                "text": r.text,
                "action": r.action,
                "owner": r.owner,
                "corrected": r.corrected,
                "retracted": r.retracted,
                "payload": r.event.payload.model_dump(mode="json"),
            }
            for r in rows
        ],
        "events": [e.model_dump(mode="json") for e in sorted(events, key=lambda e: e.id or 0)],
        "metrics": {
            "time_to_detect_seconds": m.time_to_detect.total_seconds(),
            "time_to_acknowledge_seconds": _seconds(m.time_to_acknowledge),
            "time_to_mitigate_seconds": _seconds(m.time_to_mitigate),
            "time_to_resolve_seconds": _seconds(m.time_to_resolve),
            "severity_seconds": {
                s.value: t.total_seconds() for s, t in sorted(m.severity_time.items())
            },
            "phases": [
                {
                    "phase": p.phase.value,
                    "seconds": p.spent.total_seconds(),
                    "budget_seconds": _seconds(p.budget),
                    "over_seconds": _seconds(p.over),
                }
                for p in m.phases
            ],
            "updates": [
                {
                    "audience": u.audience,
                    "at": iso_z(u.at),
                    "due": iso_z(u.due),
                    "late_seconds": _seconds(u.late_by),
                }
                for u in m.updates
            ],
            "commands_run": m.commands_run,
            "evidence_pinned": m.evidence_pinned,
            "out_of_order": m.out_of_order,
        },
        "secrets_redacted": redacted,
        "evidence_digests": None if redacted is None else DIGEST_NOTE,
        "emergency_contacts": None
        if contacts is None
        else [{"role": c.role, "contact": c.contact} for c in contacts],
    }


def _seconds(delta) -> float | None:
    return delta.total_seconds() if delta is not None else None


def render_json(
    events: Sequence[Event],
    *,
    redacted: int | None = None,
    contacts: Sequence[Contact] | None = None,
) -> str:
    text = json.dumps(
        report_data(events, redacted=redacted, contacts=contacts),
        indent=2,
        sort_keys=True,
        ensure_ascii=False,
    )
    return json_safe(text) + "\n"
