"""``warroom``: the command line, and the one composition root.

Only this module knows every room: it opens the store (``storage/``), builds the feeds
(``feeds/``) and hands both to the Textual app (``tui/app.py``), which sees them only through
the protocols of ``incident/ports.py``. Every bad input ends with one line on stderr and a
non-zero exit, never a traceback, and changes nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from incident.clock import Clock, SystemClock
from incident.errors import IncidentNotFound, InvalidInput, WarroomError
from incident.sanitize import visible
from incident.timeparse import parse_when
from session.files import shown
from session.settings import actor as current_actor
from session.settings import config_dir, load_settings, save_setting
from storage.capture import DEFAULT_BYTES
from storage.paths import fresh_demo_db, named_db, resolve_db
from tui.cli_parser import build_parser
from tui.cli_store import Target, capture_writer, open_store


class NoTerminal(WarroomError):
    """The console needs a terminal: refused at once (it spun on a closed stdin)."""

    exit_code = 2


Mode = Literal["console", "review", "postmortem"]
_MODES: dict[str, Mode] = {"review": "review", "postmortem": "postmortem"}

if TYPE_CHECKING:
    from textual.theme import Theme

    from incident.glance import Peek
    from session.session import IncidentSession
    from session.sources import SourceRunner
    from storage.store import Store
    from tui.app import WarRoomApp
    from tui.screens.base import SessionScreen

# The console's path (`warroom`, `warroom attach`) imports no pydantic model before its first
# frame, and the verbs (`warroom note`...) import no Textual: each room is imported where it
# is used.


def demo_log_command() -> str:
    """The demo's log source: a generator of realistic API log lines, run by this Python."""
    return f"{shlex.quote(sys.executable)} -m feeds.demo_log"


class _Sources:
    """incident.ports.SourceHost from feeds/, imported when the first source starts (psutil
    and the readers are not needed to launch)."""

    def make(self, source_id: str, spec, *, resume=None):
        from feeds.factory import make_source

        return make_source(source_id, spec, resume=resume)

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


@dataclass(frozen=True)
class Launch:
    """What to open, and how: everything the app factory needs."""

    db: Target  # a SQLite file, or a PostgreSQL server (storage.dsn.ServerDsn)
    incident: int | None
    clock: Clock
    mode: Mode = "console"
    theme: str | None = None
    actor: str | None = None
    remember_theme: bool = True
    local_tz: tzinfo | None = None
    store: Store | None = None
    """A store the caller already opened (same event loop), taken over by the app."""
    run_sources: bool = True
    capture_lines: int = 100_000
    capture_bytes: int = DEFAULT_BYTES
    peek: Peek | None = None
    """The incident as last folded, read straight from the file: painted first."""
    sampler: Callable[[], Any] | None = None
    """The host probe (default: psutil's, when sources run)."""


def build_app(launch: Launch) -> WarRoomApp:
    """The one app factory, for the CLI, the tests, the screenshots and the benchmarks.

    It builds the session (which opens the store itself, inside the app's event loop), the
    log sources for the console, and the screen for the mode. With a ``peek`` the console
    paints it first, in the theme as it was last validated; every theme file is validated
    again right after that frame.
    """
    from session.session import IncidentSession
    from tui.app import AppOptions, WarRoomApp
    from tui.themes import DEFAULT_THEME, builtin, recall

    name = launch.theme or load_settings().get("theme") or DEFAULT_THEME
    extra, cache = [config_dir() / "themes"], config_dir() / "themes.cache.json"

    def all_themes() -> tuple[list[Theme], list[str]]:
        from tui.theme_schema import load_themes

        return load_themes(extra, cache=cache)

    peek = launch.peek if launch.mode == "console" else None
    first = (recall(cache, name) or builtin(name, extra)) if peek is not None else None
    themes, problems = all_themes() if first is None else ([first], [])
    db, store, read_only = launch.db, launch.store, launch.mode == "review"

    async def open_journal() -> Store:
        if store is not None:
            return store
        return await open_store(db, read_only=read_only)

    session = IncidentSession(
        open_journal,
        launch.incident,
        launch.clock,
        launch.actor or current_actor(),
        read_only=read_only,
        peek=peek,
    )
    live = launch.run_sources and launch.mode == "console"
    runner = None
    if launch.mode == "console":  # (without running sources, it shows what was captured)
        from session.sources import SourceRunner

        capture = (
            capture_writer(db, limit=launch.capture_lines, max_bytes=launch.capture_bytes)
            if live
            else None
        )
        runner = SourceRunner(session, _Sources() if live else None, capture)
    return WarRoomApp(
        session,
        AppOptions(
            first_screen=_screen_for(
                launch.mode,
                session,
                runner,
                launch.sampler or (_HostSampler() if live else None),
                launch.local_tz,
            ),
            runner=runner,
            themes=themes,
            theme_name=name,
            theme_problems=problems,
            more_themes=all_themes if first is not None else None,
            on_theme_change=(lambda name: save_setting("theme", name))
            if launch.remember_theme
            else None,
            type_ahead=launch.mode in ("console", "postmortem"),
        ),
    )


def _screen_for(
    mode: Mode,
    session: IncidentSession,
    runner: SourceRunner | None,
    sampler: Callable[[], Any] | None,
    local_tz: tzinfo | None,
) -> Callable[[], SessionScreen]:
    """The screen the mode opens on (imported when the app mounts it)."""

    def first_screen() -> SessionScreen:
        if mode == "review":
            from tui.screens.review import ReviewScreen

            return ReviewScreen(session, local_tz=local_tz)
        if mode == "postmortem":
            from tui.screens.postmortem import PostmortemScreen

            return PostmortemScreen(session)
        from tui.screens.console import ConsoleScreen

        return ConsoleScreen(
            session,
            runner=runner,
            sampler=sampler,
            local_tz=local_tz or datetime.now().astimezone().tzinfo,
        )

    return first_screen


def need_terminal() -> None:
    """Refuse, before anything is opened, to start the console without a terminal (from cron
    or a pipe): it reads keys from stdin and draws through stdout and stderr."""
    names = ("stdin", "stdout", "stderr")
    missing = [n for n in names if not _is_terminal(getattr(sys, n))]
    if missing:
        raise NoTerminal(
            f"the console needs a terminal, and {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not one; from a script, use the verbs "
            "(warroom list, note, status, report: see warroom --help)"
        )


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (ValueError, OSError):  # a closed stream
        return False


async def run_console(args: argparse.Namespace, db: Target, clock: Clock) -> int:
    """Open the console (``attach``, ``review``, ``demo`` or no verb).

    The database and the incident are checked before the terminal is taken over, so a bad
    argument is one line on stderr, not a flash of the console.
    """
    read_only = args.verb == "review"
    incident = getattr(args, "incident", None)
    if args.verb in (None, "attach") and isinstance(db, Path):  # (a file's first frame)
        from storage.peek import peek
        from tui.screens.console import FIRST_PAGE

        first = peek(db, incident, FIRST_PAGE)
        if first is not None:  # the incident is there, as it was last folded: paint it now
            need_terminal()
            app = build_app(
                Launch(
                    db,
                    first.glance.incident_id,
                    clock,
                    theme=args.theme,
                    capture_lines=args.capture_lines,
                    capture_bytes=args.capture_bytes,
                    peek=first,
                )
            )
            return await _run(app)
    if args.verb in (None, "attach") and isinstance(db, Path) and not db.exists():
        raise IncidentNotFound(
            "no incident yet: declare one with `warroom declare TITLE --severity SEV-2`, "
            "or see a demo with `warroom demo`"
        )
    store = await open_store(db, read_only=read_only, create=args.verb == "demo")
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
        need_terminal()
    except BaseException:
        await store.close()
        raise
    # The app takes the open store over, and closes it when it ends.
    app = build_app(
        Launch(
            db,
            incident,
            clock,
            mode=_MODES.get(args.verb, "console"),
            theme=args.theme,
            store=store,
            capture_lines=args.capture_lines,
            capture_bytes=args.capture_bytes,
        )
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
    if args.verb == "copy":  # (--from and --to name its databases, not --db)
        from tui.cli_copy import run_copy

        return await run_copy(args, SystemClock())
    if args.verb == "demo":
        need_terminal()  # (before the demo's database is made afresh)
    # The demo has its own database (the real one is never touched by it), unless one is named.
    demo_own = args.verb == "demo" and not named_db(args.db)
    db: Target = fresh_demo_db() if demo_own else resolve_db(args.db)
    clock = SystemClock()
    if args.verb in (None, "attach", "review", "demo", "postmortem"):
        return await run_console(args, db, clock)
    from session import verbs
    from storage.export import export_incident  # (not needed to open the console)

    # (a read verb never creates the file)
    if args.verb == "list" and isinstance(db, Path) and not db.exists():
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
    if args.verb == "tail" and (args.cmd, args.grep, args.tz) != (None, None, None):
        verbs.source_spec(args)  # (and --tz: a zone this host knows, for a new source)
    if args.verb == "edit":
        from session.facts import changes_of

        changes_of(args)  # (no fact given: said before the file is opened)
    store = await open_store(db, create=args.verb == "declare")  # (read verbs never create)
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
