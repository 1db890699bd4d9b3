"""Security: owner-only files, and a hostile database opened without harm.

- The database, its ``-wal`` and ``-shm``, exports and report files are owner-only (0600;
  directories warroom creates 0700), whatever the umask.
- Review never runs a stored command and never writes:
  tests/test_review.py::test_review_never_writes_and_never_starts_a_command (not repeated).
- Secrets are redacted on export and in reports: tests/test_redact.py and
  tests/test_export.py::test_export_redacts_by_default_and_the_report_says_so.
- Nothing in a database file (a title, an owner, a source command, a template name, a
  draft, a contact, captured output, a theme name in the settings) can run code or reach
  the terminal as control when the file is opened with ``list``, ``report``, ``export`` or
  ``review``: the hostile database is built through the store's API (every text column,
  every payload field the domain lets through) and with raw SQL (valid JSON payloads the
  domain would refuse, a NUL, raw escapes in captured lines and drafts).

``attach`` runs the sources a database records: that is what it is for, so a database from
someone else is opened with ``review`` (docs/reliability.md says so).
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import sqlite3
import stat
import uuid
from contextlib import closing, redirect_stderr, redirect_stdout
from datetime import UTC, datetime
from pathlib import Path

import pytest

from incident import commands as cmd
from incident import comms_commands as comms_cmd
from incident import source_commands as source_cmd
from incident import timeline_commands as timeline_cmd
from incident.clock import FrozenClock
from incident.errors import InvalidInput, InvalidTransition
from incident.evidence import from_log_line
from incident.journal import FIELD_NAMES
from incident.model import PhaseId, Resolution, Severity, Status
from incident.sanitize import LINE_TABLE
from storage.store import Store
from tests.console_support import hold_journal, make_app, notices, record_notices, wait_ready
from tests.waiting import until
from tui.cli import main

T0 = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
MARKER = Path("/tmp") / f"warroom-pwned-{uuid.uuid4().hex[:8]}"
# Terminal attacks: OSC title and clipboard, clear and reset, a C1 CSI, a DCS, an OSC 8
# link, bidi overrides and isolates, Rich markup, shell and format-string injection.
ATTACK = (
    "\x1b]0;PWNED\x07\x1b]52;c;cHduZWQ=\x07 \x1b[2J\x1bc \x9b31m \x1bP+q\x1b\\ "
    "\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\ \u202egnp.exe\u2066x\u2069\u200f "
    "[bold red]x[/] [link=http://evil]y[/link] "
    f"$(touch {MARKER}) `touch {MARKER}` {{0.__class__}} %s%n\x7f\x85\x08"
)
UNSAFE = {chr(c) for c in LINE_TABLE} - {"\n", "\t"}  # C0 but newline and tab, DEL, C1, bidi


def h(label: str) -> str:
    return f"{label} {ATTACK}"


def unsafe_in(text: str) -> set[str]:
    return {f"U+{ord(c):04X}" for c in text if c in UNSAFE}


# ---------------------------------------------------------------------------- file modes
def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    """The most permissive umask: warroom must not rely on the user's."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = main(list(argv))
    return rc, out.getvalue(), err.getvalue()


async def test_database_wal_shm_and_new_directories_are_owner_only(tmp_path, open_umask):
    db = tmp_path / "a" / "b" / "w.db"
    async with await Store.open(db) as store:
        await store.declare(cmd.declare(FrozenClock(T0), "t", Severity.SEV2))
        files = {p.name: mode(p) for p in db.parent.iterdir()}
        assert files == {"w.db": 0o600, "w.db-wal": 0o600, "w.db-shm": 0o600}, files
    assert mode(tmp_path / "a") == 0o700 and mode(tmp_path / "a" / "b") == 0o700


def test_reports_and_exports_are_owner_only(tmp_path, open_umask, monkeypatch):
    monkeypatch.setenv("WARROOM_USER", "@sec")
    db = tmp_path / "w.db"
    assert run("--db", str(db), "declare", "t", "-s", "2")[0] == 0
    assert run("--db", str(db), "note", "1", "password=hunter2")[0] == 0
    for fmt in ("markdown", "json"):
        out = tmp_path / f"report.{fmt}"
        assert run("--db", str(db), "report", "1", "--format", fmt, "-o", str(out))[0] == 0
        assert mode(out) == 0o600
    export = tmp_path / "new" / "dir" / "export.db"
    rc, _, err = run("--db", str(db), "export", "1", "-o", str(export))
    assert rc == 0, err
    assert mode(export) == 0o600 and mode(export.parent) == 0o700
    assert not Path(f"{export}-wal").exists()  # closed: nothing left beside it


def test_a_report_over_an_existing_readable_file_is_made_owner_only(tmp_path, monkeypatch):
    """A report written over a file others can read (0644 from an earlier `> file`) takes
    their permission away: it was left readable before."""
    monkeypatch.setenv("WARROOM_USER", "@sec")
    db = tmp_path / "w.db"
    assert run("--db", str(db), "declare", "t", "-s", "2")[0] == 0
    out = tmp_path / "report.md"
    out.write_text("old")
    out.chmod(0o644)
    assert run("--db", str(db), "report", "1", "-o", str(out))[0] == 0
    assert mode(out) == 0o600 and "Incident Report" in out.read_text()


# ---------------------------------------------------------------------------- hostile db
async def build_hostile(db: Path) -> None:
    """Every text the domain lets through, hostile; then what only raw SQL can put there."""
    clock = FrozenClock(T0)
    async with await Store.open(db) as s:
        d = await s.declare(
            cmd.declare(
                clock,
                h("title"),
                Severity.SEV2,
                service=h("service"),
                impact=h("impact"),
                detected_by=h("detected"),
                commander=h("commander"),
                owner=h("owner"),
            )
        )
        iid = d.incident_id

        async def add(build) -> None:
            state = await s.load_state(iid)
            try:
                await s.append(build(state))
            except (InvalidInput, InvalidTransition):
                pass

        await add(lambda st: cmd.note(clock, st, h("note"), action=h("action"), owner=h("owner")))
        await add(
            lambda st: cmd.set_severity(clock, st, Severity.SEV1, owner=h("o"), reason=h("reason"))
        )
        await add(lambda st: cmd.assign(clock, st, h("name"), h("role"), owner=h("o")))
        await add(lambda st: cmd.set_phase(clock, st, PhaseId.ROOT_CAUSE, owner=h("o")))
        for field in FIELD_NAMES:
            if field != "status_page":
                await add(lambda st, f=field: cmd.set_field(clock, st, f, h(f)))
        await add(lambda st: cmd.add_action_item(clock, st, h("item"), item_owner=h("io")))
        await add(
            lambda st: comms_cmd.send_update(
                clock, st, "internal", h("message"), template=h("template"), owner=h("o")
            )
        )
        await add(lambda st: comms_cmd.notify(clock, st, h("party"), contact=h("contact")))
        await add(
            lambda st: source_cmd.add_source(
                clock,
                st,
                source_cmd.command_spec(
                    f"touch {MARKER}; echo {ATTACK!r}", name=h("src"), cwd=h("cwd")
                ),
            )
        )
        await add(
            lambda st: source_cmd.add_source(
                clock, st, source_cmd.grep_spec("x", [h("path")], name=h("grep"), cwd="/")
            )
        )
        await add(lambda st: source_cmd.source_ledger(clock, st, "s1", "failed", reason=h("why")))
        await add(
            lambda st: timeline_cmd.pin(
                clock,
                st,
                from_log_line(
                    source=h("source"),
                    source_id="s1",
                    line=h("line"),
                    line_no=7,
                    read_at=T0,
                    zone=UTC,
                    before=[h("before")],
                    after=[h("after")],
                ),
                owner=h("o"),
            )
        )
        events = await s.events(iid)
        await add(
            lambda st: timeline_cmd.correct(
                clock, st, events[1], text=h("corrected"), action=h("a"), owner_field=h("of")
            )
        )
        await add(
            lambda st: cmd.set_status(
                clock,
                st,
                Status.RESOLVED,
                owner=h("o"),
                resolution=Resolution(immediate=h("i"), permanent=h("p"), deployed=h("d")),
            )
        )
        await s.drafts.put(iid, "note.text", h("draft"))
    # What only raw SQL (a crafted file) can hold: a NUL, a raw escape in captured output
    # (the capture writer stores sanitised lines), a draft and contacts, a huge owner.
    payload = {"kind": "note"}
    with closing(sqlite3.connect(db)) as c:
        c.execute(
            "INSERT INTO events(incident_id, occurred_at, recorded_at, kind, text, "
            "action, owner, payload) VALUES (1, ?, ?, 'note', ?, ?, ?, ?)",
            (
                "2026-11-25T14:30:00.000000Z",
                "2026-11-25T14:30:00.000000Z",
                h("raw\x00nul"),
                h("raw action"),
                h("raw owner") * 50,
                json.dumps(payload),
            ),
        )
        c.execute(
            "INSERT INTO events(incident_id, occurred_at, recorded_at, kind, text, "
            "payload) VALUES (1, ?, ?, 'field', 'raw field', ?)",
            (
                "2026-11-25T14:31:00.000000Z",
                "2026-11-25T14:31:00.000000Z",
                json.dumps({"kind": "field", "field": "title", "value": h("raw\x00title")}),
            ),
        )
        c.executemany(
            "INSERT INTO captured_lines VALUES (1, 's1', ?, 0, ?, ?)",
            [(n, "2026-11-25T14:05:00.000000Z", h(f"captured {n}")) for n in range(1, 30)],
        )
        c.execute(
            "INSERT OR REPLACE INTO drafts VALUES (1, 'note.action', ?, ?)",
            (h("raw draft"), "2026-11-25T14:05:00.000000Z"),
        )
        tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master")}
        if "contacts" in tables:
            c.execute(
                "INSERT INTO contacts(position, role, contact, updated_at, updated_by) "
                "VALUES (99, ?, ?, '2026-11-25T14:05:00.000000Z', ?)",
                (h("role"), h("contact"), h("by")),
            )
        c.commit()


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("hostile") / "hostile.db"
    asyncio.run(build_hostile(db))
    MARKER.unlink(missing_ok=True)
    return db


@pytest.mark.parametrize(
    "argv",
    [
        ("list",),
        ("list", "--all"),
        ("list", "--json"),
        ("report", "1"),
        ("report", "1", "--format", "json"),
        ("report", "1", "--keep-secrets"),
    ],
    ids=" ".join,
)
def test_cli_output_of_a_hostile_database_has_no_terminal_control(hostile_db, argv):
    rc, out, err = run("--db", str(hostile_db), *argv)
    assert rc == 0, err
    if argv[0] == "report" or "--all" in argv:  # a resolved incident: listed with --all
        assert "PWNED" in out  # the hostile text is there, made harmless
    assert unsafe_in(out) == set(), argv
    assert unsafe_in(err) == set()
    assert not MARKER.exists(), "a stored command ran"


def test_export_of_a_hostile_database_runs_nothing_and_prints_nothing_harmful(hostile_db, tmp_path):
    rc, out, err = run("--db", str(hostile_db), "export", "1", "-o", str(tmp_path / "x.db"))
    assert rc == 0, err
    assert unsafe_in(out + err) == set()
    rc, out, err = run("--db", str(tmp_path / "x.db"), "report", "1")
    assert rc == 0 and unsafe_in(out) == set()
    assert not MARKER.exists()


def screen_text(app) -> str:
    """What the app would draw: its screenshot (SVG) with the text of every cell."""
    return app.export_screenshot()


@pytest.mark.parametrize("read_only", [True, False], ids=["review", "console"])
async def test_review_and_console_show_a_hostile_database_harmlessly(
    hostile_db, tmp_path, read_only
):
    """The app's whole screen, each moment the keys step to (review), and each pane the keys
    show and the note dialog that opens again with the hostile drafts (console), hold no
    terminal control. The console runs without sources here (tests/test_e2e_hostile.py drives the
    real app's log panes in tmux); review never starts one."""
    db = tmp_path / "copy.db"
    db.write_bytes(hostile_db.read_bytes())
    app = make_app(db, 1, read_only=read_only)
    seen: list[str] = []

    async def shown(what: str, condition) -> None:
        """Once ``condition`` holds and the frame after it is drawn: the screen as drawn."""
        await until(condition, pilot=pilot, what=what)
        await pilot.pause()  # (idle: the frame that shows it is composed)
        seen.append(screen_text(app))

    async with app.run_test(size=(160, 50)) as pilot:
        if read_only:
            from tui.screens.review import ReviewScreen

            await until(lambda: isinstance(app.screen, ReviewScreen) and app.screen.at, pilot=pilot)
            screen = app.screen
            table = screen.query_one("#timeline-table")
            await shown("the review drawn", lambda: "PWNED" in screen_text(app))
            for key, row in (("left", -2), ("left", -3), ("right", -2)):
                await pilot.press(key)
                await shown(key, lambda row=row: table.cursor_row == table.row_count + row)
        else:
            screen = await wait_ready(pilot)
            # The note left unsaved opens again by itself, with the hostile drafts.
            await shown(
                "the note dialog with the hostile draft",
                lambda: (
                    app.screen.__class__.__name__ == "NoteDialog"
                    and "PWNED" in app.screen.query_one("#note-text").value
                ),
            )
            await pilot.press("escape")
            tabs = screen.query_one("#pane-tabs")
            await shown("the console drawn", lambda: app.screen is screen)
            for key, pane in (("2", "checklist"), ("3", "logs"), ("4", "comms")):
                await pilot.press(key)
                await shown(pane, lambda pane=pane: tabs.active == f"tab-{pane}")
    assert app.return_code in (None, 0), app.exit_message
    for n, svg in enumerate(seen):
        assert unsafe_in(svg) == set(), (n, unsafe_in(svg))
    assert not MARKER.exists(), "a stored command ran"


async def test_hostile_theme_name_in_the_settings_is_shown_harmlessly(tmp_path, monkeypatch):
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.json").write_text(json.dumps({"theme": h("theme")}))
    themes = config / "themes"
    themes.mkdir()
    (themes / "evil.toml").write_text(f'name = {json.dumps(h("name"))}\nprimary = "#fff"\n')
    monkeypatch.setenv("WARROOM_CONFIG_DIR", str(config))
    db = tmp_path / "w.db"
    async with await Store.open(db) as s:
        await s.declare(cmd.declare(FrozenClock(T0), "t", Severity.SEV2))
    from tui.cli import Launch, build_app

    app = build_app(
        Launch(
            db,
            1,
            FrozenClock(T0),
            theme=None,
            remember_theme=False,
            local_tz=UTC,
            run_sources=False,
        )
    )
    record_notices(app)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(
            lambda: any("unknown theme" in n.message for n in notices(app)),
            pilot=pilot,
            seen=lambda: notices(app),
        )
        await wait_ready(pilot)
        assert unsafe_in(screen_text(app)) == set()


# ---------------------------------------------------------------------------- real terminal
FORBIDDEN = {
    "OSC title": b"\x1b]0;PWNED",
    "OSC 52": b"\x1b]52;",
    "clear": b"\x1b[2J",
    "reset": b"\x1bc",
    "C1 CSI": "\x9b".encode(),
    "DCS": b"\x1bP+q",
    "OSC 8 link": b"\x1b]8;;http://evil",
    "bidi": "\u202e".encode(),
    "NUL": b"\x00",
}


@pytest.mark.tmux
@pytest.mark.parametrize("verb", ["review", "attach"])
def test_a_hostile_database_never_reaches_the_real_terminal(hostile_db, tmp_path, verb):
    """The bytes the real app writes to tmux (pipe-pane), while it shows the hostile
    database and its panes and (attach) the note dialog with the hostile drafts."""
    import shlex
    import time

    from tests.tmux_driver import WARROOM, Tmux, have_tmux, warroom_env

    if not have_tmux():
        pytest.skip("tmux is not installed")
    db = tmp_path / "copy.db"
    db.write_bytes(hostile_db.read_bytes())
    env = warroom_env(db, tmp_path / "config")
    tty = tmp_path / "tty.bytes"
    tty.touch()
    session = Tmux(env, width=160, height=45)
    launch = "printf '\\033]2;KNOWN\\033\\\\'; exec " + " ".join(
        shlex.quote(a) for a in [*WARROOM, verb, "INC-1"]
    )
    session.start(["sh", "-c", launch])
    try:
        session.tmux("pipe-pane", "-o", "-t", "0", f"cat >> {shlex.quote(str(tty))}")
        session.wait_for("PWNED", timeout=20)
        keys = ["Left", "Left", "Right"] if verb == "review" else ["3", "4", "1", "n"]
        for key in keys:
            session.keys(key, pause=0.4)
        if verb == "attach":
            session.wait_for("Add timeline note", timeout=10)
            session.wait_for("draft", timeout=10)
        # Not a wait for something to happen: a window for any late harmful bytes to reach
        # the pipe (what is checked is that none ever arrive, which no condition can await).
        time.sleep(0.5)
        title = session.tmux("display-message", "-p", "-t", "0", "#{pane_title}").strip()
        assert title == "KNOWN"
    finally:
        session.kill_server()
    written = tty.read_bytes()
    assert "␛]0;PWNED".encode() in written, "the hostile text was never drawn: check void"
    leaked = [name for name, seq in FORBIDDEN.items() if seq in written]
    assert leaked == [], f"reached the terminal: {leaked}"
    assert not MARKER.exists(), "a stored command ran"


async def test_the_first_frame_peeked_from_a_hostile_database_is_harmless(hostile_db, tmp_path):
    """The first frame is painted from the file before the journal is open
    (storage/peek.py): the glance's title and the rows are made as harmless there."""
    from incident.glance_of import glance_of
    from incident.kinds import STATE_KINDS
    from storage.peek import peek
    from tui.cli import Launch, build_app
    from tui.screens.console import FIRST_PAGE

    db = tmp_path / "copy.db"
    db.write_bytes(hostile_db.read_bytes())
    assert peek(db, 1, FIRST_PAGE) is None  # the raw SQL above left its glance behind
    store = await Store.open(db)
    try:
        state = await store.load_state(1)
    finally:
        await store.close()
    with closing(sqlite3.connect(db)) as c:  # the glance a state event would write now
        upto = c.execute(
            f"SELECT max(id) FROM events WHERE kind IN ({','.join('?' * len(STATE_KINDS))})",
            sorted(STATE_KINDS),
        ).fetchone()[0]
        c.execute(
            "UPDATE glances SET upto=?, body=? WHERE incident_id=1",
            (upto, glance_of(state, upto).to_json()),
        )
        c.commit()
    first = peek(db, 1, FIRST_PAGE)
    assert first is not None and "PWNED" in first.glance.title
    app = build_app(
        Launch(
            db,
            1,
            FrozenClock(datetime(2026, 11, 25, tzinfo=UTC)),
            actor="@alice",
            remember_theme=False,
            local_tz=UTC,
            run_sources=False,
            peek=first,
        )
    )
    gate = hold_journal(app)
    async with app.run_test(size=(160, 50)) as pilot:
        try:
            svg = await until(
                lambda: (
                    app.screen.__class__.__name__ == "ConsoleScreen"
                    and app.screen.query_one("#timeline").table.row_count
                    and "PWNED" in (drawn := screen_text(app))
                    and drawn
                ),
                pilot=pilot,
                what="the peeked frame drawn, its hostile title and rows",
            )
            assert app.state is None  # still the peeked frame
        finally:
            gate.set()
    assert "PWNED" in svg
    assert unsafe_in(svg) == set()
    assert not MARKER.exists()
