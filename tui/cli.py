"""``warroom``: the command line, and the one composition root.

Only this module knows every room: it opens the store (``storage/``), builds the feeds
(``feeds/``) and hands both to the Textual app (``tui/app.py``), which sees them only through
the protocols of ``incident/ports.py``. Every bad input ends with one line on stderr and a
non-zero exit, never a traceback, and changes nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from incident import commands as cmd
from incident.clock import Clock, SystemClock
from incident.errors import InvalidInput, WarroomError
from incident.journal import SourceSpec
from incident.model import Resolution, Severity, Status
from incident.report import render_json, render_markdown
from incident.timeparse import human_duration, iso_z, parse_when
from storage.paths import resolve_db_path
from storage.store import Store

USER_ENV = "WARROOM_USER"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (the full usage stays in ``--help``)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def incident_id(text: str) -> int:
    """``INC-7``, ``inc-7`` or ``7``."""
    m = re.fullmatch(r"\s*(?:inc-?)?(\d{1,12})\s*", text, flags=re.IGNORECASE)
    if not m or int(m.group(1)) == 0:
        raise argparse.ArgumentTypeError(f"bad incident id {text!r}: use INC-<n>")
    return int(m.group(1))


def _severity(text: str) -> Severity:
    try:
        return Severity.parse(text)
    except InvalidInput as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _status(text: str) -> Status:
    try:
        return Status.parse(text)
    except InvalidInput as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="warroom", description="A terminal war-room console for the incident "
                "commander. Without a verb, attaches to the latest active incident.")
    p.add_argument("--db", metavar="PATH", help="database file (default: $WARROOM_DB, or the "
                   "user data directory)")
    p.add_argument("--theme", help="console theme (remembered)")
    sub = p.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)

    s = sub.add_parser("declare", help="declare a new incident; prints its INC-<n>")
    s.add_argument("title")
    s.add_argument("--severity", "-s", required=True, type=_severity, metavar="SEV-1|SEV-2|SEV-3")
    s.add_argument("--service")
    s.add_argument("--impact")
    s.add_argument("--detected-by")
    s.add_argument("--commander")
    s.add_argument("--started", metavar="ISO-8601", help="when it began (default: now)")

    s = sub.add_parser("list", help="list incidents (active ones unless --all)")
    s.add_argument("--all", action="store_true", help="include resolved incidents")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("note", help="add a timeline entry")
    s.add_argument("incident", type=incident_id, metavar="INC")
    s.add_argument("text")
    s.add_argument("--owner")
    s.add_argument("--action")
    s.add_argument("--at", metavar="ISO-8601", help="when it happened (default: now)")

    s = sub.add_parser("status", help="change the status")
    s.add_argument("incident", type=incident_id, metavar="INC")
    s.add_argument("status", type=_status, metavar="active|mitigated|resolved")
    s.add_argument("--immediate", help="resolution: what was done at once")
    s.add_argument("--permanent", help="resolution: the lasting fix")
    s.add_argument("--deployed", help="resolution: the version deployed")

    s = sub.add_parser("severity", help="change the severity")
    s.add_argument("incident", type=incident_id, metavar="INC")
    s.add_argument("severity", type=_severity, metavar="SEV-1|SEV-2|SEV-3")
    s.add_argument("--reason")

    s = sub.add_parser("report", help="the incident report (playbook format)")
    s.add_argument("incident", type=incident_id, metavar="INC")
    s.add_argument("--format", choices=("markdown", "json"), default="markdown")
    s.add_argument("--output", "-o", metavar="FILE")

    s = sub.add_parser("attach", help="open the war-room console")
    s.add_argument("incident", type=incident_id, metavar="INC", nargs="?")

    s = sub.add_parser("review", help="open an incident read-only, for the post-mortem")
    s.add_argument("incident", type=incident_id, metavar="INC")

    s = sub.add_parser("tail", help="record a log source for the consoles to run")
    s.add_argument("incident", type=incident_id, metavar="INC")
    g = s.add_mutually_exclusive_group(required=True)
    g.add_argument("--cmd", metavar="SHELL", help="a shell command, e.g. 'tail -F app.log'")
    g.add_argument("--grep", nargs="+", metavar=("PATTERN", "PATH"),
                   help="a regular expression, then the files, directories or globs to search")
    s.add_argument("--name")
    s.add_argument("--fixed", "-F", action="store_true", help="PATTERN is a fixed string")
    s.add_argument("--ignore-case", "-i", action="store_true")
    s.add_argument("--invert", "-v", action="store_true")

    sub.add_parser("demo", help="create a realistic demo incident and attach to it")
    return p


def actor() -> str:
    """Who is at the keyboard: ``$WARROOM_USER``, else ``@<login name>``."""
    name = os.environ.get(USER_ENV)
    if name:
        return name
    try:
        return "@" + getpass.getuser()
    except (KeyError, OSError):
        return "@unknown"


def _write(path: str, text: str) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise InvalidInput(f"cannot write {path}: {e.strerror}") from None


async def run_verb(args: argparse.Namespace, store: Store, clock: Clock) -> int:
    """Every verb that does not open the console. Prints results on stdout."""
    me = actor()
    verb = args.verb
    if verb == "declare":
        started = parse_when(args.started, clock.now()) if args.started else None
        event = cmd.declare(clock, args.title, args.severity, service=args.service,
                            impact=args.impact, detected_by=args.detected_by,
                            commander=args.commander, owner=me, started_at=started)
        saved = await store.declare(event)
        print(f"INC-{saved.incident_id}")
        return 0
    if verb == "list":
        return _list(await store.list_incidents(include_closed=args.all), args.json)
    state = await store.load_state(args.incident)
    if verb == "note":
        at = parse_when(args.at, clock.now()) if args.at else None
        event = cmd.note(clock, state, args.text, action=args.action,
                         owner=args.owner or me, at=at)
    elif verb == "status":
        resolution = Resolution(immediate=args.immediate, permanent=args.permanent,
                                deployed=args.deployed)
        event = cmd.set_status(clock, state, args.status, owner=me,
                               resolution=resolution if any(resolution.model_dump().values())
                               else None)
    elif verb == "severity":
        event = cmd.set_severity(clock, state, args.severity, owner=me, reason=args.reason)
    elif verb == "tail":
        event = cmd.add_source(clock, state, _source_spec(args), owner=me)
    elif verb == "report":
        events = await store.events(args.incident)
        text = render_json(events) if args.format == "json" else render_markdown(events)
        if args.output:
            _write(args.output, text)
        else:
            sys.stdout.write(text)
        return 0
    else:  # pragma: no cover - argparse only lets known verbs through
        raise InvalidInput(f"unknown verb {verb}")
    saved = await store.append(event)
    print(f"{state.number} #{saved.id} {saved.text}")
    return 0


def _source_spec(args: argparse.Namespace) -> SourceSpec:
    if args.cmd is not None:
        if not args.cmd.strip():
            raise InvalidInput("--cmd needs a command")
        return SourceSpec(kind="cmd", name=args.name or args.cmd.split()[0][:40],
                          command=args.cmd, cwd=os.getcwd())
    pattern, *raw_paths = args.grep
    if not raw_paths:
        raise InvalidInput("--grep needs a PATTERN and at least one PATH (file, dir or glob)")
    if not pattern:
        raise InvalidInput("--grep needs a non-empty PATTERN")
    if not args.fixed:
        try:
            re.compile(pattern)
        except re.error as e:
            raise InvalidInput(f"bad pattern {pattern!r}: {e}") from None
    paths = tuple(str(Path(p).expanduser().absolute()) for p in raw_paths)
    return SourceSpec(kind="grep", name=args.name or f"grep {pattern}"[:40],
                      pattern=pattern, paths=paths, fixed=args.fixed,
                      ignore_case=args.ignore_case, invert=args.invert, cwd=os.getcwd())


def _list(summaries: Sequence, as_json: bool) -> int:
    if as_json:
        import json
        print(json.dumps([{
            "id": s.number, "title": s.title, "severity": s.severity.value,
            "status": s.status.value, "started_at": iso_z(s.started_at),
            "resolved_at": iso_z(s.resolved_at) if s.resolved_at else None,
            "duration_seconds": (s.resolved_at - s.started_at).total_seconds()
            if s.resolved_at else None, "events": s.event_count,
        } for s in summaries], indent=2, ensure_ascii=False))
        return 0
    if not summaries:
        print("no incidents; declare one with: warroom declare TITLE --severity SEV-2")
        return 0
    from incident.sanitize import visible
    for s in summaries:
        took = human_duration(s.resolved_at - s.started_at) if s.resolved_at else "ongoing"
        print(f"{s.number:<8} {s.severity.value}  {s.status.emoji} {s.status.value:<9} "
              f"{s.started_at:%Y-%m-%d %H:%M}Z  {took:<20} {visible(s.title)}")
    return 0


async def _main(args: argparse.Namespace) -> int:
    db = resolve_db_path(args.db)
    clock = SystemClock()
    if args.verb in (None, "attach", "review", "demo"):
        from tui.console import run_console
        return await run_console(args, db, clock)
    store = await Store.open(db)
    try:
        return await run_verb(args, store, clock)
    finally:
        await store.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return int(e.code or 0)
    try:
        return asyncio.run(_main(args))
    except WarroomError as e:
        print(f"warroom: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("warroom: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        sys.stderr.close()  # `warroom list | head`: the reader left; nothing to report
        return 0
    except OSError as e:
        print(f"warroom: {e.strerror or e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
