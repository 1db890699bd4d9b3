"""Everything a person can do to an incident, as functions that return journal events.

These check the change against the current state and write the timeline columns (event,
action taken, owner) so that every row explains itself. They do not save anything: the
caller hands the event to a :class:`incident.ports.Journal`, and only its answer means saved.
The CLI and the console both come through here: there is one way in.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from datetime import datetime

from incident import comms
from incident.checks import checked_text as _text
from incident.checks import optional_text as _opt
from incident.clock import Clock
from incident.errors import InvalidInput, InvalidTransition
from incident.journal import (
    FIELD_NAMES,
    ActionItemChanged,
    CadenceSet,
    ChecklistTicked,
    CommandEvent,
    CommsSent,
    Declared,
    Edit,
    Event,
    Evidence,
    FieldSet,
    Note,
    Notified,
    ParticipantChanged,
    PhaseChanged,
    SeverityChanged,
    SourceSpec,
    StatusChanged,
)
from incident.model import PhaseId, Resolution, Severity, Status, StatusPage, role_label
from incident.patterns import compile_pattern
from incident.playbook import load_playbook
from incident.state import IncidentState

MAX_TITLE = 300


def _event(
    clock: Clock,
    incident_id: int,
    text: str,
    payload,
    *,
    action: str = "",
    owner: str = "",
    at: datetime | None = None,
    corrects: int | None = None,
) -> Event:
    now = clock.now()
    return Event(
        incident_id=incident_id,
        occurred_at=at or now,
        recorded_at=now,
        text=text,
        action=action,
        owner=owner,
        payload=payload,
        corrects=corrects,
    )


def declare(
    clock: Clock,
    title: str,
    severity: Severity,
    *,
    service: str | None = None,
    impact: str | None = None,
    detected_by: str | None = None,
    commander: str | None = None,
    owner: str = "",
    started_at: datetime | None = None,
) -> Event:
    """The first event of every incident. The store gives it its incident id."""
    title = _text(title, "the title", limit=MAX_TITLE)
    now = clock.now()
    payload = Declared(
        title=title,
        severity=severity,
        started_at=started_at or now,
        service=_opt(service, "the service"),
        impact=_opt(impact, "the impact"),
        detected_by=_opt(detected_by, "'detected by'"),
        commander=_opt(commander, "the commander"),
    )
    sev = load_playbook().severity(severity)
    return _event(
        clock,
        0,
        f"Incident declared {severity.value}: {title}",
        payload,
        action=f"Response: {sev.response}",
        owner=commander or owner,
        at=started_at,
    )


def note(
    clock: Clock,
    state: IncidentState,
    text: str,
    *,
    action: str | None = None,
    owner: str | None = None,
    at: datetime | None = None,
) -> Event:
    return _event(
        clock,
        state.id,
        _text(text, "the note"),
        Note(),
        action=_text(action, "the action", required=False),
        owner=_text(owner, "the owner", limit=200, required=False),
        at=at,
    )


def set_status(
    clock: Clock,
    state: IncidentState,
    status: Status,
    *,
    owner: str = "",
    resolution: Resolution | None = None,
    at: datetime | None = None,
) -> Event:
    if status is state.status:
        raise InvalidTransition(f"{state.number} is already {status.value}")
    action = {
        Status.MITIGATED: "Impact mitigated; monitoring",
        Status.RESOLVED: "Resolved; post-incident procedures begin",
        Status.ACTIVE: "Reopened; response resumes",
    }[status]
    if resolution and resolution.immediate and status is not Status.ACTIVE:
        action = resolution.immediate
    return _event(
        clock,
        state.id,
        f"Status {state.status.value} → {status.value} {status.emoji}",
        StatusChanged(status=status, previous=state.status, resolution=resolution),
        action=action,
        owner=owner,
        at=at,
    )


def set_severity(
    clock: Clock,
    state: IncidentState,
    severity: Severity,
    *,
    owner: str = "",
    reason: str | None = None,
    at: datetime | None = None,
) -> Event:
    if severity is state.severity:
        raise InvalidTransition(f"{state.number} is already {severity.value}")
    verb = "raised" if severity.rank < state.severity.rank else "lowered"
    sev = load_playbook().severity(severity)
    reason = _opt(reason, "the reason")
    return _event(
        clock,
        state.id,
        f"Severity {verb} {state.severity.value} → {severity.value}"
        + (f": {reason}" if reason else ""),
        SeverityChanged(severity=severity, previous=state.severity, reason=reason),
        action=f"Response: {sev.response}",
        owner=owner,
        at=at,
    )


def set_phase(
    clock: Clock,
    state: IncidentState,
    phase: PhaseId,
    *,
    owner: str = "",
    at: datetime | None = None,
) -> Event:
    if phase is state.phase:
        raise InvalidTransition(f"{state.number} is already in that phase")
    p = load_playbook().phase(phase)
    budget = f" ({p.budget_minutes} min budget)" if p.budget_minutes else ""
    return _event(
        clock,
        state.id,
        f"Phase {p.number}: {p.name}{budget}",
        PhaseChanged(phase=phase, previous=state.phase),
        action=f"Lead: {p.lead}",
        owner=owner,
        at=at,
    )


def tick(
    clock: Clock,
    state: IncidentState,
    item: str,
    done: bool = True,
    *,
    owner: str = "",
    at: datetime | None = None,
) -> Event:
    try:
        label = load_playbook().checklist_label(item)
    except KeyError:
        raise InvalidInput(f"unknown checklist item {item!r}") from None
    mark = state.checklist.get(item)
    if (mark.done if mark else False) == done:
        raise InvalidTransition(f"'{label}' is already {'done' if done else 'not done'}")
    return _event(
        clock,
        state.id,
        f"{'✔' if done else '✘ Unchecked'} {label}",
        ChecklistTicked(item=item, done=done),
        action="Checklist item done" if done else "Checklist item reopened",
        owner=owner,
        at=at,
    )


def assign(
    clock: Clock,
    state: IncidentState,
    name: str,
    role: str,
    *,
    owner: str = "",
    at: datetime | None = None,
) -> Event:
    name = _text(name, "the participant's name", limit=200)
    role = _text(role, "the role", limit=200)
    return _event(
        clock,
        state.id,
        f"{name} joined as {role_label(role)}",
        ParticipantChanged(name=name, role=role),
        action=f"Role assigned: {role_label(role)}",
        owner=owner,
        at=at,
    )


def release(clock: Clock, state: IncidentState, name: str, *, owner: str = "") -> Event:
    who = state.participants.get(name)
    if who is None:
        raise InvalidInput(f"{name!r} is not a participant of {state.number}")
    return _event(
        clock,
        state.id,
        f"{name} left ({role_label(who.role)})",
        ParticipantChanged(name=name, role=who.role, op="leave"),
        action="Role released",
        owner=owner,
    )


def set_field(
    clock: Clock, state: IncidentState, field: str, value: str | None, *, owner: str = ""
) -> Event:
    if field not in FIELD_NAMES:
        raise InvalidInput(f"unknown field {field!r}")
    value = _opt(value, field)
    if field == "title" and value is None:
        raise InvalidInput("the title cannot be empty")
    if field == "status_page" and value is not None:
        # fold() reads this as a StatusPage: an unknown value would break the whole journal
        known = {p.value.lower(): p.value for p in StatusPage if p is not StatusPage.UNKNOWN}
        if value.lower() not in known:
            raise InvalidInput(
                f"unknown status page state {value!r}: use " + ", ".join(known.values())
            )
        value = known[value.lower()]
    label = field.replace("_", " ").replace(".", ": ")
    return _event(
        clock,
        state.id,
        f"Set {label}: {value}" if value else f"Cleared {label}",
        FieldSet(field=field, value=value),
        action="Incident record updated",
        owner=owner,
    )


def add_action_item(
    clock: Clock, state: IncidentState, text: str, *, item_owner: str | None = None, owner: str = ""
) -> Event:
    text = _text(text, "the action item")
    item_id = max(state.action_items, default=0) + 1
    return _event(
        clock,
        state.id,
        f"Action item {item_id}: {text}",
        ActionItemChanged(
            op="add", item_id=item_id, text=text, owner=_opt(item_owner, "the owner"), done=False
        ),
        action="Action item added",
        owner=owner,
    )


def update_action_item(
    clock: Clock,
    state: IncidentState,
    item_id: int,
    *,
    text: str | None = None,
    item_owner: str | None = None,
    done: bool | None = None,
    owner: str = "",
) -> Event:
    if item_id not in state.action_items:
        raise InvalidInput(f"no action item {item_id} in {state.number}")
    what = "done" if done else "reopened" if done is False else "updated"
    return _event(
        clock,
        state.id,
        f"Action item {item_id} {what}",
        ActionItemChanged(
            op="update",
            item_id=item_id,
            text=_opt(text, "the text"),
            owner=_opt(item_owner, "the owner"),
            done=done,
        ),
        action="Action item changed",
        owner=owner,
    )


def send_update(
    clock: Clock,
    state: IncidentState,
    audience: str,
    message: str,
    *,
    template: str | None = None,
    owner: str = "",
) -> Event:
    message = _text(message, "the message")
    return _event(
        clock,
        state.id,
        f"Update sent to {audience}",
        CommsSent(audience=audience, template=template, message=message),
        action=message,
        owner=owner,
    )


def notify(
    clock: Clock,
    state: IncidentState,
    party: str,
    done: bool = True,
    *,
    contact: str | None = None,
    owner: str = "",
) -> Event:
    party = _text(party, "the party", limit=200)
    return _event(
        clock,
        state.id,
        f"{'Notified' if done else 'Un-notified'}: {party}",
        Notified(party=party, done=done, contact=contact),
        action=f"Contacted {contact}" if contact else "Notification checklist",
        owner=owner,
    )


def set_cadence(
    clock: Clock,
    state: IncidentState,
    audience: str,
    minutes: int | None,
    *,
    severity: Severity | None = None,
    owner: str = "",
) -> Event:
    """Updates to ``audience`` every ``minutes`` at ``severity`` (default: the current one) in
    this incident; 0: none scheduled; None: back to the playbook's default."""
    if audience not in comms.AUDIENCES:
        raise InvalidInput(f"unknown audience {audience!r}: use " + ", ".join(comms.AUDIENCES))
    if minutes is not None and not 0 <= minutes <= 24 * 60:
        raise InvalidInput("the cadence is a number of minutes from 0 (none) to 1440")
    sev = severity or state.severity
    current = state.cadence.get(sev.value, {}).get(audience)
    if current == minutes:
        raise InvalidTransition(f"the cadence for {audience} at {sev.value} is already that")
    default = comms.default_minutes(sev)
    label = comms.AUDIENCE_LABELS[audience]
    if minutes is None:
        what = f"back to the playbook's {default} minutes"
    elif minutes == 0:
        what = "no scheduled updates"
    else:
        what = f"every {minutes} minutes"
    low, high = load_playbook().procedures.status_page_minutes
    action = f"Playbook default: every {default} minutes"
    if audience == "status-page" and minutes and not low <= minutes <= high:
        action += f" (status page: every {low}-{high} minutes)"
    return _event(
        clock,
        state.id,
        f"Update cadence for {label} at {sev.value}: {what}",
        CadenceSet(audience=audience, severity=sev, minutes=minutes),
        action=action,
        owner=owner,
    )


def command_spec(command: str, *, name: str | None, cwd: str) -> SourceSpec:
    """A shell-command log source, checked."""
    command = _text(command, "the command", limit=4_000)
    return SourceSpec(
        kind="cmd", name=_opt(name, "the name") or command.split()[0][:40], command=command, cwd=cwd
    )


def grep_spec(
    pattern: str,
    paths: Sequence[str],
    *,
    name: str | None,
    cwd: str,
    fixed: bool = False,
    ignore_case: bool = False,
    invert: bool = False,
) -> SourceSpec:
    """A grep log source, checked: a pattern RE2 matches in linear time (``incident.patterns``),
    at least one path (made absolute against ``cwd``)."""
    if not pattern:
        raise InvalidInput("grep needs a non-empty PATTERN")
    if not paths:
        raise InvalidInput("grep needs a PATTERN and at least one PATH (file, dir or glob)")
    compile_pattern(pattern, literal=fixed, ignore_case=ignore_case)  # linear time, or refused
    absolute = tuple(os.path.normpath(os.path.join(cwd, os.path.expanduser(p))) for p in paths)
    return SourceSpec(
        kind="grep",
        name=_opt(name, "the name") or f"grep {pattern}"[:40],
        pattern=pattern,
        paths=absolute,
        fixed=fixed,
        ignore_case=ignore_case,
        invert=invert,
        cwd=cwd,
    )


def add_source(
    clock: Clock,
    state: IncidentState,
    spec: SourceSpec,
    *,
    owner: str = "",
    source_id: str | None = None,
) -> Event:
    sid = source_id or f"s{len(state.sources) + 1}"
    if sid in state.sources:
        raise InvalidInput(f"source {sid} already exists in {state.number}")
    what = spec.command if spec.kind == "cmd" else f"grep {spec.pattern!r} {' '.join(spec.paths)}"
    return _event(
        clock,
        state.id,
        f"Log source {spec.name} added: {what}",
        CommandEvent(source_id=sid, op="added", spec=spec),
        action="Source recorded; consoles start it",
        owner=owner,
    )


def stop_source(clock: Clock, state: IncidentState, which: str, *, owner: str = "") -> Event:
    """A "stopped" ledger entry for the source named ``which`` (its id or its name): the
    console that runs it obeys, and no console starts it again. The CLI's way to stop a
    source that breaks every console."""
    which = which.strip()
    found = [s for s in state.sources.values() if which in (s.id, s.spec.name)]
    if not found:
        raise InvalidInput(
            f"no log source {which!r} in {state.number}: see `warroom tail {state.number} --list`"
        )
    if len(found) > 1:
        raise InvalidInput(
            f"{len(found)} log sources are named {which!r}: give the id ("
            + ", ".join(s.id for s in found)
            + ")"
        )
    src = found[0]
    if src.state not in ("added", "started"):
        raise InvalidTransition(
            f"log source {src.id} ({src.spec.name}) is not running: it {src.state}"
        )
    return source_ledger(clock, state, src.id, "stopped", owner=owner)


# What the ledger records of a source's environment: these harmless variables, and those
# its command line names ($NAME, ${NAME}, ${NAME:-default}); never the whole environment.
ENV_ALLOWED = frozenset(
    {
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "SHELL",
        "PWD",
        "LANG",
        "LANGUAGE",
        "TZ",
        "TERM",
        "HOSTNAME",
        "TMPDIR",
        "KUBECONFIG",
        "KUBE_CONTEXT",
        "AWS_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "CLOUDSDK_CORE_PROJECT",
        "CLOUDSDK_COMPUTE_REGION",
    }
)
_MENTIONED = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]{0,127})")
MASKED = "[masked]"


def recorded_environment(environ: Mapping[str, str], command: str | None = None) -> dict[str, str]:
    """The environment a source runs with, as the ledger records it: the allowed harmless
    variables (and every ``LC_*``) and the variables ``command`` names, each value masked
    when its name looks secret (PASSWORD, TOKEN, KEY, PW, ...) or redaction finds a secret
    in it."""
    from incident.redact import redact  # (its rules load detect-secrets: only when needed)
    from incident.secret_names import secret_name

    named = set(_MENTIONED.findall(command or ""))
    out = {}
    for k in sorted(environ):
        if k in named or k in ENV_ALLOWED or k.startswith("LC_"):
            v = environ[k]
            secret = k in named and secret_name(k)
            out[k] = MASKED if secret or redact(v)[1] else v
    return out


def source_ledger(
    clock: Clock,
    state: IncidentState,
    source_id: str,
    op: str,
    *,
    pid: int | None = None,
    exit_code: int | None = None,
    reason: str | None = None,
    owner: str = "",
    env: Mapping[str, str] | None = None,
) -> Event:
    """A ledger entry; ``env`` is the environment the source runs with, recorded as
    :func:`recorded_environment` says (give ``environment_of(state, source_id, environ)``:
    it loads the redaction rules, so the console computes it off its event loop)."""
    src = state.sources.get(source_id)
    name = src.spec.name if src else source_id
    ran = f"pid {pid}" + (f"; {reason}" if reason else "")
    detail = {
        "started": ran,
        "restarted": ran,
        "exited": f"exit code {exit_code}",
        "stopped": "stopped by the IC",
        "failed": reason or "failed to start",
    }.get(op, "")
    return _event(
        clock,
        state.id,
        f"Log source {name} {op}: {detail}",
        CommandEvent(
            source_id=source_id,
            op=op,
            pid=pid,
            exit_code=exit_code,
            reason=reason,
            env=dict(env) if env is not None else None,
        ),
        action="Command ledger",
        owner=owner,
    )


def environment_of(
    state: IncidentState, source_id: str, environ: Mapping[str, str]
) -> dict[str, str]:
    """What the ledger records of ``environ`` for the source (its command's variables)."""
    src = state.sources.get(source_id)
    return recorded_environment(environ, src.spec.command if src else None)


def pin(
    clock: Clock,
    state: IncidentState,
    evidence: Evidence,
    *,
    owner: str = "",
    note_text: str | None = None,
) -> Event:
    line = evidence.line if len(evidence.line) <= 200 else evidence.line[:199] + "…"
    return _event(
        clock,
        state.id,
        note_text or f"Evidence from {evidence.source}: {line}",
        evidence,
        action="Pinned as evidence",
        owner=owner,
    )


def correct(
    clock: Clock,
    state: IncidentState,
    target: Event,
    *,
    text: str | None = None,
    action: str | None = None,
    owner_field: str | None = None,
    occurred_at: datetime | None = None,
    retract: bool = False,
    owner: str = "",
) -> Event:
    """A correction of ``target``: the original stays in the journal, the timeline shows this."""
    if target.id is None or target.incident_id != state.id:
        raise InvalidInput("only a saved event of this incident can be corrected")
    if target.kind.value == "edit":
        raise InvalidInput("correct the original entry, not a correction")
    if (
        not retract
        and text is None
        and action is None
        and owner_field is None
        and occurred_at is None
    ):
        raise InvalidInput("a correction needs a new value or a retraction")
    # an empty text is refused (retract instead); an empty action or owner clears that column
    payload = Edit(
        text=_text(text, "the text") if text is not None else None,
        action=_text(action, "the action", required=False) if action is not None else None,
        owner=_text(owner_field, "the owner", limit=200, required=False)
        if owner_field is not None
        else None,
        occurred_at=occurred_at,
        retracted=retract,
    )
    verb = "Retracted" if retract else "Corrected"
    return _event(
        clock,
        state.id,
        f"{verb} entry #{target.id}",
        payload,
        action="Timeline corrected",
        owner=owner,
        corrects=target.id,
    )
