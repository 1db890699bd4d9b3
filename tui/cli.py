"""``warroom``: the command line, and the one composition root.

Only this module knows every room: it opens the store (``storage/``), builds the feeds
(``feeds/``) and hands both to the Textual app (``tui/app.py``), which sees them only through
the protocols of ``incident/ports.py``. Every bad input ends with one line on stderr and a
non-zero exit, never a traceback, and changes nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shlex
import sys
from collections.abc import Sequence
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from incident.clock import Clock, SystemClock
from incident.errors import IncidentNotFound, InvalidInput, WarroomError
from incident.sanitize import visible
from incident.timeparse import parse_when
from storage.capture import DEFAULT_BYTES, CaptureWriter
from storage.paths import fresh_demo_db, named_db, resolve_db_path
from tui.files import shown
from tui.settings import actor as current_actor
from tui.settings import config_dir, load_settings, save_setting

if TYPE_CHECKING:
    from textual.theme import Theme

    from incident.glance import Peek
    from incident.model import Severity, Status
    from storage.store import Store
    from tui.app import WarRoomApp

# The console's path (`warroom`, `warroom attach`) imports no pydantic model before its first
# frame, and the verbs (`warroom note`...) import no Textual: each room is imported where it
# is used.


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (the full usage stays in ``--help``)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {visible(message)} (see --help)\n")

    def _get_values(self, action: argparse.Action, arg_strings: list[str]):  # type: ignore[override]
        # `--severity=--`: argparse (3.11) drops the "--" and hands over [] without calling
        # the type, which then failed deep inside. The value is the text "--", checked.
        if action.option_strings and action.nargs is None and arg_strings == ["--"]:
            return self._get_value(action, "--")
        return super()._get_values(action, arg_strings)


def incident_id(text: str) -> int:
    """``INC-7``, ``inc-7`` or ``7``."""
    m = re.fullmatch(r"\s*(?:inc-?)?(\d{1,12})\s*", text, flags=re.IGNORECASE)
    if not m or int(m.group(1)) == 0:
        raise argparse.ArgumentTypeError(f"bad incident id {text!r}: use INC-<n>")
    return int(m.group(1))


def _severity(text: str) -> Severity:
    from incident.model import Severity

    try:
        return Severity.parse(text)
    except InvalidInput as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _status(text: str) -> Status:
    from incident.model import Status

    try:
        return Status.parse(text)
    except InvalidInput as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, not {text!r}")
    return n


_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
MIN_CAPTURE_BYTES = 1 << 20


def _bytes(text: str) -> int:
    """A size: bytes, or with K, M or G (powers of 1024; ``64M``, ``64MiB`` and ``64MB`` are
    all 64 MiB). The capture needs at least 1M per source: a line cut at 64 KiB takes 66 KB
    of file, and a budget of a few such lines would keep next to nothing."""
    m = re.fullmatch(r"\s*(\d{1,12})\s*([kmg]?)(?:i?b)?\s*", text, flags=re.IGNORECASE)
    if not m:
        raise argparse.ArgumentTypeError(
            f"expected a size such as 64M (bytes, or K, M or G), not {text!r}"
        )
    n = int(m.group(1)) * _UNITS[m.group(2).upper()]
    if n < MIN_CAPTURE_BYTES:
        raise argparse.ArgumentTypeError(f"expected at least 1M, not {text!r}")
    return n


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="warroom",
        description="A terminal war-room console for the incident "
        "commander. Without a verb, attaches to the latest active incident.",
    )
    p.add_argument(
        "--db",
        metavar="PATH",
        help="database file (default: $WARROOM_DB, or the user data directory)",
    )
    p.add_argument("--theme", help="console theme (remembered)")
    p.add_argument(
        "--capture-lines",
        type=_positive,
        metavar="N",
        default=os.environ.get("WARROOM_CAPTURE_LINES", "100000"),
        help="captured output kept per log source (default 100000, or $WARROOM_CAPTURE_LINES)",
    )
    p.add_argument(
        "--capture-bytes",
        type=_bytes,
        metavar="N",
        default=os.environ.get("WARROOM_CAPTURE_BYTES", "64M"),
        help="captured output kept per log source, in bytes of the database file "
        "(K, M, G: default 64M, or $WARROOM_CAPTURE_BYTES)",
    )
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
    s.add_argument(
        "--keep-secrets",
        action="store_true",
        help="do not redact tokens, keys, passwords and connection strings",
    )

    s = sub.add_parser("export", help="write one incident as a self-contained database file")
    s.add_argument("incident", type=incident_id, metavar="INC")
    s.add_argument("--output", "-o", metavar="FILE", required=True)
    s.add_argument(
        "--keep-secrets",
        action="store_true",
        help="do not redact tokens, keys, passwords and connection strings",
    )

    s = sub.add_parser(
        "postmortem",
        help="write up the incident after the fact (root cause, "
        "resolution, impact, action items, lessons)",
    )
    s.add_argument("incident", type=incident_id, metavar="INC")

    s = sub.add_parser("attach", help="open the war-room console")
    s.add_argument("incident", type=incident_id, metavar="INC", nargs="?")

    s = sub.add_parser("review", help="open an incident read-only, for the post-mortem")
    s.add_argument("incident", type=incident_id, metavar="INC")

    s = sub.add_parser("tail", help="record a log source (one console on the incident runs it)")
    s.add_argument("incident", type=incident_id, metavar="INC")
    g = s.add_mutually_exclusive_group(required=True)
    g.add_argument("--cmd", metavar="SHELL", help="a shell command, e.g. 'tail -F app.log'")
    g.add_argument(
        "--grep",
        nargs="+",
        metavar=("PATTERN", "PATH"),
        help="a regular expression (RE2 syntax: linear time), then the files, "
        "directories or globs to search",
    )
    g.add_argument(
        "--stop",
        metavar="NAME",
        help="stop a source (its name or id, e.g. s2) wherever it runs, without a console",
    )
    g.add_argument("--list", action="store_true", help="list the incident's log sources")
    s.add_argument("--name")
    s.add_argument("--fixed", "-F", action="store_true", help="PATTERN is a fixed string")
    s.add_argument("--ignore-case", "-i", action="store_true")
    s.add_argument("--invert", "-v", action="store_true")

    sub.add_parser("demo", help="create a realistic demo incident and attach to it")
    for verb_parser in sub.choices.values():  # `warroom review --db FILE INC` works too
        verb_parser.add_argument(
            "--db",
            metavar="PATH",
            default=argparse.SUPPRESS,
            help="database file (same as before the verb)",
        )
    return p


def demo_log_command() -> str:
    """The demo's log source: a generator of realistic API log lines, run by this Python."""
    return f"{shlex.quote(sys.executable)} -m feeds.demo_log"


class _Sources:
    """incident.ports.SourceHost from feeds/, imported when the first source starts (psutil
    and the readers are not needed to launch)."""

    def make(self, source_id: str, spec):
        from feeds.factory import make_source

        return make_source(source_id, spec)

    def holder(self, actor: str):
        from feeds.consoles import this_console

        return this_console(actor)

    def alive(self, holder) -> bool:
        from feeds.consoles import console_alive

        return console_alive(holder)


class _HostSampler:
    """feeds.host.Sampler, created on the first sample (psutil is not needed to launch)."""

    def __init__(self) -> None:
        self._sampler = None

    def __call__(self):
        if self._sampler is None:
            from feeds.host import Sampler

            self._sampler = Sampler()
        return self._sampler.sample()


def build_app(
    db: Path,
    incident: int | None,
    clock: Clock,
    *,
    read_only: bool = False,
    theme: str | None = None,
    actor: str | None = None,
    remember_theme: bool = True,
    local_tz: tzinfo | None = None,
    store: Store | None = None,
    run_sources: bool = True,
    capture_lines: int = 100_000,
    capture_bytes: int = DEFAULT_BYTES,
    postmortem: bool = False,
    peek: Peek | None = None,
) -> WarRoomApp:
    """The one app factory, for the CLI, the tests, the screenshots and the benchmarks.

    The app opens the store itself, inside its own event loop, through ``open_journal``;
    the CLI hands over the store it has already opened (same loop) to save a second open.
    With a ``peek`` (``storage/peek.py``) the console paints it first, in the theme as it
    was last validated; every theme file is validated again right after that frame.
    """
    from tui.app import WarRoomApp
    from tui.themes import DEFAULT_THEME, builtin, recall

    name = theme or load_settings().get("theme") or DEFAULT_THEME
    extra, cache = [config_dir() / "themes"], config_dir() / "themes.cache.json"

    def all_themes() -> tuple[list[Theme], list[str]]:
        from tui.theme_schema import load_themes

        return load_themes(extra, cache=cache)

    first = (recall(cache, name) or builtin(name, extra)) if peek is not None else None
    themes, problems = all_themes() if first is None else ([first], [])
    later = all_themes if first is not None else None
    live = run_sources and not read_only and not postmortem
    capture = CaptureWriter(db, limit=capture_lines, max_bytes=capture_bytes) if live else None

    async def open_journal() -> Store:
        if store is not None:
            return store
        from storage.store import Store

        return await Store.open(db, read_only=read_only)

    return WarRoomApp(
        open_journal=open_journal,
        incident_id=incident,
        clock=clock,
        actor=actor or current_actor(),
        read_only=read_only,
        themes=themes,
        theme_problems=problems,
        more_themes=later,
        theme_name=name,
        on_theme_change=(lambda name: save_setting("theme", name)) if remember_theme else None,
        local_tz=local_tz or datetime.now().astimezone().tzinfo,
        sources=_Sources() if live else None,
        capture=capture,
        host_sampler=_HostSampler() if live else None,
        postmortem=postmortem,
        peek=peek,
    )


async def run_console(args: argparse.Namespace, db: Path, clock: Clock) -> int:
    """Open the console (``attach``, ``review``, ``demo`` or no verb).

    The database and the incident are checked before the terminal is taken over, so a bad
    argument is one line on stderr, not a flash of the console.
    """
    read_only = args.verb == "review"
    incident = getattr(args, "incident", None)
    if args.verb in (None, "attach"):
        from storage.peek import peek
        from tui.screens.console import FIRST_PAGE

        first = peek(db, incident, FIRST_PAGE)
        if first is not None:  # the incident is there, as it was last folded: paint it now
            app = build_app(
                db,
                first.glance.incident_id,
                clock,
                theme=args.theme,
                capture_lines=args.capture_lines,
                capture_bytes=args.capture_bytes,
                peek=first,
            )
            return await _run(app)
    if args.verb in (None, "attach") and not db.exists():
        raise IncidentNotFound(
            "no incident yet: declare one with `warroom declare TITLE --severity SEV-2`, "
            "or see a demo with `warroom demo`"
        )
    from storage.store import Store

    store = await Store.open(db, read_only=read_only, create=args.verb == "demo")
    try:
        if args.verb == "demo":
            from incident.demo import seed_demo

            incident = await seed_demo(
                store, clock, log_command=demo_log_command(), owner=current_actor()
            )
        elif incident is None:
            incident = await store.latest_active()
            if incident is None:
                raise IncidentNotFound(
                    "no active incident: declare one with `warroom declare TITLE --severity "
                    "SEV-2`, or see a demo with `warroom demo`"
                )
        elif not await store.exists(incident):
            raise IncidentNotFound(f"no incident INC-{incident} in {db}")
    except BaseException:
        await store.close()
        raise
    # The app takes the open store over, and closes it when it ends.
    app = build_app(
        db,
        incident,
        clock,
        read_only=read_only,
        theme=args.theme,
        store=store,
        capture_lines=args.capture_lines,
        capture_bytes=args.capture_bytes,
        postmortem=args.verb == "postmortem",
    )
    try:
        return await _run(app)
    finally:
        await store.close()  # (the app closes it; not if it ended before it took it over)


async def _run(app: WarRoomApp) -> int:
    await app.run_async()
    if app.exit_message:
        print(f"warroom: {visible(app.exit_message)}", file=sys.stderr)
    return app.return_code or 0


async def _main(args: argparse.Namespace) -> int:
    if args.verb == "demo" and not named_db(args.db):
        db = fresh_demo_db()  # its own database: the real one is never touched by it
    else:
        db = resolve_db_path(args.db)
    clock = SystemClock()
    if args.verb in (None, "attach", "review", "demo", "postmortem"):
        return await run_console(args, db, clock)
    from storage.export import export_incident  # (not needed to open the console)
    from storage.store import Store
    from tui import verbs

    if args.verb == "list" and not db.exists():  # (a read verb never creates the file)
        if any(p.exists() and not p.is_dir() for p in db.parents):
            raise InvalidInput(f"{db}: cannot be a database file: a parent is not a directory")
        print(
            "[]"
            if args.json
            else f"no incidents (no database at {shown(db)} yet); "
            "declare one with: warroom declare TITLE --severity SEV-2"
        )
        return 0
    # Input that can be checked without the database is checked before it is opened, so a
    # typo neither creates nor touches the file (Store.close may write planner statistics).
    when = getattr(args, "started", None) or getattr(args, "at", None)
    if when:
        parse_when(when, clock.now())
    if args.verb == "tail" and (args.cmd is not None or args.grep is not None):
        verbs.source_spec(args)
    store = await Store.open(db, create=args.verb == "declare")  # (read verbs never create)
    try:
        return await verbs.run_verb(args, store, clock, exporter=export_incident)
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
        print(f"warroom: {visible(str(e))}", file=sys.stderr)  # paths and values quoted
        return e.exit_code
    except KeyboardInterrupt:
        print("warroom: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        sys.stderr.close()  # `warroom list | head`: the reader left; nothing to report
        return 0
    except OSError as e:
        print(f"warroom: {visible(str(e.strerror or e))}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
