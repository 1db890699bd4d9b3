"""Communication drafts from the playbook's templates, the update cadence per audience, and
the notification checklist.

A placeholder whose value is not known stays visible as ``[service]``, ``[issue]`` or
``[time]``: a draft never invents a fact, and the IC sees what is left to fill in. They fill
from the incident's facts as soon as these are known (``warroom edit``, the console's details
dialog): ``[issue]`` from the root cause, else the impact; ``[time]`` from the ETA.

Cadence: every audience is owed an update every ``update_minutes`` of the incident's
severity (the playbook's default), counted from the last update sent to that audience, or
from the declaration. An incident can override this per audience and per severity with a
``cadence`` event (``comms_commands.set_cadence``); an override made at SEV-2 does not follow the
incident to SEV-1, where the playbook's default applies again until overridden there too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from incident.glance import due_state
from incident.model import Severity, Status
from incident.playbook import load_playbook
from incident.sanitize import visible
from incident.state import IncidentState, Notice
from incident.words import plural

TEMPLATES = ("initial", "progress", "resolution")
TEMPLATE_LABELS = {
    "initial": "Initial response",
    "progress": "Progress update",
    "resolution": "Resolution notice",
}
AUDIENCES = ("status-page", "internal", "executives")
AUDIENCE_LABELS = {"status-page": "Status page", "internal": "Internal", "executives": "Executives"}
AUDIENCE_SHORT = {"status-page": "page", "internal": "int", "executives": "exec"}
PUBLIC_AUDIENCES = frozenset({"status-page"})  # no incident numbers or names go there
MAX_TEMPLATE = 4_000

# Every placeholder a template may use, and what fills it (the built-ins use the first three).
PLACEHOLDERS = {
    "[service]": "the affected service",
    "[issue]": "the root cause (what) as known so far, else the impact",
    "[time]": "the ETA (warroom edit --eta, or the details dialog)",
    "[cadence]": "how often updates come, e.g. '15 minutes'",
    "[next update]": "when the next update is due, in UTC and your local time",
    "[incident]": "the incident number, e.g. INC-7",
    "[title]": "the incident title",
    "[severity]": "SEV-1, SEV-2 or SEV-3",
    "[status]": "ACTIVE, MITIGATED or RESOLVED",
    "[impact]": "the user or business impact",
    "[commander]": "the incident commander",
    "[status page]": "the status page link",
}
_BRACKETED = re.compile(r"\[([A-Za-z][A-Za-z _-]{0,40})\]")
_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS))


def unfilled(text: str) -> list[str]:
    """The placeholders ``text`` still holds (those of :data:`PLACEHOLDERS`, which is what a
    draft leaves where a fact is not known), each once, in the order they first appear."""
    return list(dict.fromkeys(m.group(0) for m in _PLACEHOLDER.finditer(text)))


def named(placeholders: list[str]) -> str:
    """``[issue]``, ``[issue] and [time]``, ``[service], [issue] and [time]``."""
    if len(placeholders) < 2:
        return "".join(placeholders)
    return ", ".join(placeholders[:-1]) + " and " + placeholders[-1]


# ---------------------------------------------------------------------- templates
def builtin_template(template: str) -> str:
    """The playbook's template. Its "Updates every 15 minutes" is the SEV-1/2 cadence: the
    draft states the cadence actually in force instead (``[cadence]``)."""
    if template not in TEMPLATES:
        raise KeyError(template)
    text = getattr(load_playbook().templates, template)
    return re.sub(r"every \d+ minutes", "every [cadence]", text, count=1)


def check_template(text: str) -> list[str]:
    """What is wrong with a user's template (nothing: an empty list)."""
    problems = []
    if not text.strip():
        problems.append("it is empty")
    if len(text) > MAX_TEMPLATE:
        problems.append(f"it is too long ({len(text)} characters, at most {MAX_TEMPLATE})")
    if any((ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) < 0xA0 for c in text):
        problems.append("it contains control characters")
    for m in _BRACKETED.finditer(text):
        if m.group(0) not in PLACEHOLDERS:
            hint = (
                f" (did you mean {m.group(0).lower()}?)"
                if m.group(0).lower() in PLACEHOLDERS
                else ""
            )
            problems.append(f"unknown placeholder {m.group(0)}{hint}")
    return problems


# ---------------------------------------------------------------------- cadence
def default_minutes(severity: Severity) -> int:
    return load_playbook().severity(severity).update_minutes


def cadence_minutes(state: IncidentState, audience: str, severity: Severity | None = None) -> int:
    """Minutes between updates to ``audience`` (0: none scheduled) at ``severity`` (default:
    the incident's), the incident's override if it has one, else the playbook's default."""
    sev = severity or state.severity
    override = state.cadence.get(sev.value, {}).get(audience)
    return default_minutes(sev) if override is None else override


def cadence(state: IncidentState, audience: str = "status-page") -> timedelta | None:
    """How often updates to ``audience`` are due now; None when none are scheduled."""
    minutes = cadence_minutes(state, audience)
    return timedelta(minutes=minutes) if minutes else None


def next_update_due(state: IncidentState, audience: str = "status-page") -> datetime | None:
    """The last update sent to ``audience`` (or the declaration) plus the cadence.

    A resolved incident owes no more updates, nor does an audience whose cadence is off.
    """
    every = cadence(state, audience)
    if state.status is Status.RESOLVED or every is None:
        return None
    last = state.last_sent(audience)
    return (last.at if last else state.declared_at) + every


def resolution_owed(state: IncidentState) -> list[str]:
    """Once the incident is resolved, the audiences owed a resolution notice: each one that
    was sent updates and whose last update was not a resolution notice (the template the
    message was sent as). Sending one to an audience settles it; reopening the incident
    owes nothing until it is resolved again."""
    if state.status is not Status.RESOLVED:
        return []
    last = {sent.audience: sent.template for sent in state.comms}
    return [a for a in AUDIENCES if a in last and last[a] != "resolution"]


@dataclass(frozen=True)
class Countdown:
    """Where one audience stands: when its next update is due, and how urgent that is."""

    audience: str
    due: datetime | None
    state: str  # none, ok, soon, overdue; owed: resolved, and owed a resolution notice
    minutes: int  # the cadence in force (0: none scheduled)

    @property
    def label(self) -> str:
        return AUDIENCE_LABELS.get(self.audience, self.audience)

    @property
    def short(self) -> str:
        return AUDIENCE_SHORT.get(self.audience, self.audience)


def countdowns(state: IncidentState, now: datetime) -> list[Countdown]:
    out = []
    owed = resolution_owed(state)
    for audience in AUDIENCES:
        due = next_update_due(state, audience)
        urgency = "owed" if audience in owed else due_state(due, now)
        out.append(Countdown(audience, due, urgency, cadence_minutes(state, audience)))
    return out


def most_urgent(state: IncidentState, now: datetime) -> Countdown | None:
    """The audience whose update is due first (the most overdue), if any is due at all."""
    due = [c for c in countdowns(state, now) if c.due is not None]
    return min(due, key=lambda c: (c.due, AUDIENCES.index(c.audience))) if due else None


# ---------------------------------------------------------------------- drafts
def suggested_template(state: IncidentState, audience: str) -> str:
    """Resolution once resolved; a progress update once this audience has had one."""
    if state.status is Status.RESOLVED:
        return "resolution"
    return "progress" if state.last_sent(audience) else "initial"


def stamp(at: datetime, local: tzinfo | None) -> str:
    """``15:24 UTC``, or ``15:24 UTC (16:24 CET)`` when the IC's zone is not UTC."""
    utc = f"{at:%H:%M} UTC"
    if local is None:
        return utc
    there = at.astimezone(local)
    if there.utcoffset() == timedelta(0):
        return utc
    return f"{utc} ({there:%H:%M} {there.tzname() or 'local'})"


def promised_next(state: IncidentState, audience: str, now: datetime) -> datetime | None:
    """The next update a draft sent now promises: sending restarts the cadence, so it is
    counted from now (rounded up to the next whole minute)."""
    every = cadence(state, audience)
    if every is None or state.status is Status.RESOLVED:
        return None
    return (now + every).replace(second=0, microsecond=0) + timedelta(minutes=1)


def facts(
    state: IncidentState,
    audience: str,
    now: datetime,
    *,
    eta: str | None = None,
    local: tzinfo | None = None,
) -> dict[str, str | None]:
    """What fills each placeholder; None where it is not known (the placeholder stays).
    ``eta`` overrides the incident's own ETA."""
    every = cadence_minutes(state, audience)
    nxt = promised_next(state, audience, now)
    return {
        "[service]": state.service,
        "[issue]": state.root_cause.what or state.impact,
        "[time]": eta or state.eta,
        "[cadence]": plural(every, "minute") if every else None,
        "[next update]": stamp(nxt, local) if nxt else None,
        "[incident]": state.number,
        "[title]": state.title,
        "[severity]": state.severity.value,
        "[status]": state.status.value,
        "[impact]": state.impact,
        "[commander]": state.commander,
        "[status page]": state.status_page_url,
    }


def header(state: IncidentState, audience: str) -> str:
    """The first lines of an internal or executive update (none on the public status page);
    the status page link once it is recorded."""
    if audience in PUBLIC_AUDIENCES:
        return ""
    return (
        "[incident] · [severity] · [status] · [title]\n"
        "Impact: [impact]\n"
        "Incident commander: [commander]\n"
        + ("Status page: [status page]\n" if state.status_page_url else "")
        + "\n"
    )


def render(
    template: str,
    state: IncidentState,
    now: datetime,
    *,
    audience: str = "status-page",
    eta: str | None = None,
    local: tzinfo | None = None,
    text: str | None = None,
) -> str:
    """A draft of ``template`` for ``audience``; ``text`` replaces the built-in template.

    Every update but the resolution notice says when the next one comes (where the template
    puts ``[next update]``, or at the end).
    """
    body = text if text is not None else builtin_template(template)
    values = facts(state, audience, now, eta=eta, local=local)
    if template != "resolution" and "[next update]" not in body and values["[next update]"]:
        body = body.rstrip() + " Next update by [next update]."
    body = header(state, audience) + body

    def fill(m: re.Match[str]) -> str:  # one pass: a filled value is never filled again
        value = values.get(m.group(0))
        return visible(" ".join(value.split())) if value and value.strip() else m.group(0)

    return _PLACEHOLDER.sub(fill, body)


# ---------------------------------------------------------------------- who must be told
@dataclass(frozen=True)
class NoticeItem:
    party: str
    required: bool  # on the current severity's list (else ticked at another severity)
    tick: Notice | None

    @property
    def done(self) -> bool:
        return bool(self.tick and self.tick.done)


def notify_checklist(state: IncidentState) -> list[NoticeItem]:
    """Who the playbook says must be told at the current severity, with their ticks; then
    anyone ticked at another severity."""
    parties = load_playbook().severity(state.severity).notify
    items = [NoticeItem(p, True, state.notified.get(p)) for p in parties]
    items += [NoticeItem(p, False, t) for p, t in state.notified.items() if p not in parties]
    return items
