"""The verbs that do not open the console: each takes an open journal and the clock.

They come through ``incident.commands`` like the console does, so a note from a script and
a note typed in the console are the same event. Results go to stdout; errors are raised as
``WarroomError`` for ``tui.cli`` to print as one line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from incident import commands as cmd
from incident import source_commands as source_cmd
from incident.clock import Clock
from incident.errors import InvalidInput
from incident.journal import SourceSpec
from incident.linetime import zone_name
from incident.model import Resolution
from incident.ports import IncidentSummary, Journal
from incident.redact import redact_contacts, redact_events, redact_lines
from incident.report import render_json, render_markdown
from incident.sanitize import json_safe, visible
from incident.state import IncidentState
from incident.timeparse import human_duration, iso_z, parse_when, when_notes
from incident.words import plural
from session.files import shown, staged, write_text
from session.settings import actor
from session.zones import host_zone, parse_zone


async def _events_for_export(store: Journal, args: argparse.Namespace) -> tuple[list, int | None]:
    """The incident's events, with secrets redacted unless ``--keep-secrets``."""
    events = await store.events(args.incident)
    if args.keep_secrets:
        return events, None
    return redact_events(events)


async def run_verb(
    args: argparse.Namespace,
    store: Journal,
    clock: Clock,
    exporter: Callable[..., Awaitable[None]] | None = None,
) -> int:
    """Every verb that does not open the console. Prints results on stdout."""
    me = actor()
    verb = args.verb
    if verb == "declare":
        started = parse_when(args.started, clock.now()) if args.started else None
        event = cmd.declare(
            clock,
            args.title,
            args.severity,
            service=args.service,
            impact=args.impact,
            detected_by=args.detected_by,
            commander=args.commander,
            owner=me,
            started_at=started,
        )
        saved = await store.declare(event)
        print(f"INC-{saved.incident_id}")
        return 0
    if verb == "list":
        every = await store.list_incidents(include_closed=True)
        shown_ = every if args.all else [s for s in every if s.resolved_at is None]
        return _list(shown_, args.json, resolved=len(every) - len(shown_))
    if verb in ("edit", "action"):
        from session.facts import run_cli  # (the facts' and action items' verbs)

        return await run_cli(args, store, clock, me)
    state = await store.load_state(args.incident)
    warnings: list[str] = []  # (said once the entry is saved, never for a refusal)
    if verb == "note":
        at = parse_when(args.at, clock.now()) if args.at else None
        event = cmd.note(clock, state, args.text, action=args.action, owner=args.owner or me, at=at)
        if args.at and at:
            warnings = when_notes(args.at, at, clock.now(), started=state.started_at)
    elif verb == "status":
        resolution = Resolution(
            immediate=args.immediate, permanent=args.permanent, deployed=args.deployed
        )
        event = cmd.set_status(
            clock,
            state,
            args.status,
            owner=me,
            resolution=resolution if any(resolution.model_dump().values()) else None,
        )
    elif verb == "severity":
        event = cmd.set_severity(clock, state, args.severity, owner=me, reason=args.reason)
    elif verb == "tail" and args.cmd is None and args.grep is None and args.tz is not None:
        source_spec(args)  # (refused: --tz is the zone of a new source)
    elif verb == "tail" and args.list:
        return _list_sources(state)
    elif verb == "tail" and args.stop is not None:
        event = source_cmd.stop_source(clock, state, args.stop, owner=me)
    elif verb == "tail":
        event = source_cmd.add_source(clock, state, source_spec(args), owner=me)
    elif verb == "report":
        events, redacted = await _events_for_export(store, args)
        contacts = await store.contacts.roster(seed=False)
        if redacted is not None:
            contacts, n = redact_contacts(contacts)
            redacted += n
        text = (
            render_json(events, redacted=redacted, contacts=contacts)
            if args.format == "json"
            else render_markdown(events, redacted=redacted, contacts=contacts)
        )
        if args.output:
            write_text(args.output, text)  # whole, or the old file left as it was
        else:
            sys.stdout.write(text)
        return 0
    elif verb == "export":
        events, redacted = await _events_for_export(store, args)
        captured = {}
        for sid in state.sources:
            lines = await store.captures.read(args.incident, sid, limit=10_000_000)
            if redacted is not None:  # in order: a private key spans lines
                texts, n = redact_lines(line.text for line in lines)
                redacted += n
                lines = [
                    line.__class__(line.no, line.err, line.read_at, text)
                    for line, text in zip(lines, texts, strict=True)
                ]
            captured[sid] = lines
        # whole, or nothing left behind
        if exporter is None:  # pragma: no cover - the CLI always hands one
            raise InvalidInput("export is not available here")
        with staged(Path(args.output), replace=False, make_dirs=True) as tmp:
            tmp.unlink()  # (the store makes the database file itself)
            origin = await store.copies.provenance(args.incident)  # (a copy back knows it)
            await exporter(tmp, args.incident, events, captured, origin=origin)
        note = "secrets kept" if redacted is None else f"{plural(redacted, 'secret')} redacted"
        count = plural(len(events), "event")
        print(f"{state.number} exported to {shown(args.output)} ({count}, {note})")
        return 0
    else:  # pragma: no cover - argparse only lets known verbs through
        raise InvalidInput(f"unknown verb {verb}")
    saved = await store.append(event)
    print(f"{state.number} #{saved.id} {visible(saved.text)}")
    for said in warnings:
        print(f"warroom: warning: {said}", file=sys.stderr)  # (saved all the same)
    return 0


def source_spec(args: argparse.Namespace) -> SourceSpec:
    """The source ``warroom tail`` adds; its zone is ``--tz`` (checked), or the host's."""
    if args.cmd is None and args.grep is None:
        raise InvalidInput("--tz goes with --cmd or --grep: it is the zone of a new source")
    zone = zone_name(parse_zone(args.tz) if args.tz is not None else host_zone())
    if args.cmd is not None:
        return source_cmd.command_spec(args.cmd, name=args.name, cwd=os.getcwd(), zone=zone)
    pattern, *paths = args.grep
    return source_cmd.grep_spec(
        pattern,
        paths,
        name=args.name,
        cwd=os.getcwd(),
        fixed=args.fixed,
        ignore_case=args.ignore_case,
        invert=args.invert,
        zone=zone,
    )


def _list_sources(state: IncidentState) -> int:
    if not state.sources:
        print(
            f"{state.number} has no log sources; add one with: warroom tail "
            f"{state.number} --cmd 'tail -F FILE'"
        )
        return 0
    for src in state.sources.values():
        spec = src.spec
        what = spec.command if spec.kind == "cmd" else source_cmd.grep_line(spec)
        how = {
            "started": f"running (pid {src.pid})" if src.pid else "running",
            "exited": f"exited {src.exit_code}",
            "failed": "failed",
            "added": "waiting to start",
        }.get(src.state, src.state)
        print(
            f"{src.id:<4} {how:<20} {visible(spec.name):<20} {visible(what or '')}"
            + (f"  ({visible(src.reason)})" if src.reason else "")
        )
    return 0


NONE_YET = "no incidents; declare one with: warroom declare TITLE --severity SEV-2"


def _list(summaries: Sequence[IncidentSummary], as_json: bool, resolved: int = 0) -> int:
    """``resolved``: how many resolved incidents are left out (not ``--all``)."""
    if as_json:
        print(
            json_safe(
                json.dumps(
                    [
                        {
                            "id": s.number,
                            "title": s.title,
                            "severity": s.severity.value,
                            "status": s.status.value,
                            "started_at": iso_z(s.started_at),
                            "resolved_at": iso_z(s.resolved_at) if s.resolved_at else None,
                            "duration_seconds": (s.resolved_at - s.started_at).total_seconds()
                            if s.resolved_at
                            else None,
                            "events": s.event_count,
                        }
                        for s in summaries
                    ],
                    indent=2,
                    ensure_ascii=False,
                )
            )
        )
        return 0
    if not summaries:
        print(
            f"no active incidents; {resolved} resolved: warroom list --all"
            if resolved
            else NONE_YET
        )
        return 0
    for s in summaries:
        took = human_duration(s.resolved_at - s.started_at) if s.resolved_at else "ongoing"
        print(
            f"{s.number:<8} {s.severity.value}  {s.status.emoji} {s.status.value:<9} "
            f"{s.started_at:%Y-%m-%d %H:%M}Z  {took:<20} {visible(s.title)}"
        )
    return 0
