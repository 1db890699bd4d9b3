"""Bad input, generated: every CLI verb, every dialog field, times in every odd form.

The contract (tests/test_cli.py states it for hand-picked cases; here hypothesis generates
them): an invocation either succeeds, or prints exactly one line on stderr starting with
"warroom" (with no terminal control in it) and exits non-zero; never a traceback. The CLI
runs in-process through ``tui.cli.main`` with a strict UTF-8 stdout, as a real terminal's,
so text that cannot be printed is caught too. Arguments include what a shell passes for
bytes that are not UTF-8 (lone surrogates, Python's ``surrogateescape``).

Example counts are modest by default; ``WARROOM_SLOW=1`` multiplies them (the figures of
the full runs are in docs/reliability.md).
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incident import commands as cmd
from incident import comms_commands as comms_cmd
from incident import source_commands as source_cmd
from incident.clock import FrozenClock
from incident.errors import InvalidInput, InvalidTransition, WarroomError
from incident.model import Resolution, Severity, Status
from incident.sanitize import LINE_TABLE, visible
from incident.timeparse import FUTURE_TOLERANCE, parse_when
from storage.store import Store
from tests.fault_harness import SLOW, record_figures, scale
from tests.tmux_driver import ROOT
from tui.app import WarRoomApp
from tui.cli import main

TRIED: dict[str, int] = {}  # inputs tried, per property (the figures)
UNSAFE = {c for c in LINE_TABLE if c != 0x09}  # C0 (but tab), DEL, C1, bidi, invisible
NOW = datetime.now(UTC)


def count(name: str, n: int = 1) -> None:
    TRIED[name] = TRIED.get(name, 0) + n


def cfg(default: int, slow: int, **kw):
    return settings(
        max_examples=scale(default, slow),
        deadline=None,
        derandomize=not SLOW,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.function_scoped_fixture,
            HealthCheck.data_too_large,
        ],
        **kw,
    )


# ---------------------------------------------------------------------------- strategies
def from_bytes(data: bytes) -> str:
    """What Python makes of argv bytes: invalid UTF-8 becomes lone surrogates."""
    return data.decode("utf-8", "surrogateescape")


TEXT = st.one_of(
    st.text(max_size=60),
    st.text(st.characters(codec="utf-8"), max_size=300),
    st.binary(max_size=60).map(from_bytes),
    st.sampled_from(
        [
            "",
            " ",
            "\t",
            "-",
            "--",
            "-h",
            "--help",
            "Pool exhausted on db1 [b]x[/b]",
            "\x1b]52;c;cHduZWQ=\x07",
            "\x1b[2J\x1bc",
            "\u202egnp.exe",
            "\u200f\u05e9\u05dc\u05d5\u05dd",
            "مرحبا بالعالم 123",
            "שלום עולם",
            "👩🏽‍🚒🔥🇪🇺 on call",
            "e\u0301\u0301\u0301",
            "\x00",
            "\udcff\udcfe",
            "x" * 301,
            "y" * 20_001,
            "{title} {0.__class__}",
            "%s%n",
            "$(rm -rf /)",
            "`id`",
            "'; DROP TABLE events; --",
            "\r\n\r\n",
            "\u2028",
            "\ufeffBOM",
        ]
    ),
)


def mostly(good: list[str], bad: list[str]) -> st.SearchStrategy[str]:
    """Good values three times in four, so that the deep paths run too; else bad ones."""
    g = st.sampled_from(good)
    return st.one_of(g, g, g, st.sampled_from(bad), TEXT)


INC = mostly(
    ["1", "INC-1", "inc-1", " 1 ", "01"],
    ["0", "-1", "2", "INC-999999999999", "9999999999999", "INC", "1e3", "١"],
)
SEVERITY = mostly(["SEV-1", "sev-2", "SEV3", "3", "sev1"], ["sev 1", "SEV-4", "P1", "critical", ""])
STATUS = mostly(["active", "Mitigated", "RESOLVED"], ["open", "closed", ""])
WHEN = st.builds(
    lambda d: d.isoformat(),
    st.datetimes(
        min_value=datetime(1960, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.one_of(
            st.none(),
            st.just(UTC),
            st.builds(lambda m: timezone(timedelta(minutes=m)), st.integers(-1439, 1439)),
        ),
    ),
)
PAST = st.builds(
    lambda d: d.isoformat() + "Z",
    st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2025, 1, 1)),
)
TIME = st.one_of(
    PAST,
    PAST,
    WHEN,
    st.sampled_from(
        [
            "14:30",
            "23:59:59",
            "24:00",
            "14:30Z",
            "14:30 UTC",
            "now",
            "yesterday",
            "2026-02-30T10:00Z",
        ]
    ),
    TEXT,
)
PLAIN = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1, max_size=80
)  # what people mostly type: it is stored
TEXT = st.one_of(PLAIN, TEXT)


def opt(name: str, values) -> st.SearchStrategy[list[str]]:
    """An option in the ``--name=value`` form (a value starting with "-" stays a value)."""
    return st.one_of(st.just([]), st.just([]), values.map(lambda v: [f"{name}={v}"]))


def positional(*values) -> st.SearchStrategy[list[str]]:
    return st.tuples(*values).map(list)


def argv_for(verb: str, out_dir: Path) -> st.SearchStrategy[list[str]]:
    """Arguments of ``verb``: options first, then ``--``, then the positionals."""

    def build(options: list[list[str]], pos: list[str]) -> list[str]:
        return [verb, *[o for group in options for o in group], "--", *pos]

    paths = TEXT.filter(lambda p: "\x00" not in p).map(
        lambda p: str(out_dir / p.replace("/", "_").replace("..", "_")[:100] or "x")
    )
    if verb == "declare":
        return st.builds(
            build,
            st.tuples(
                st.one_of(st.just(["--severity=SEV-2"]), SEVERITY.map(lambda s: [f"-s={s}"])),
                opt("--service", TEXT),
                opt("--impact", TEXT),
                opt("--detected-by", TEXT),
                opt("--commander", TEXT),
                opt("--started", TIME),
            ).map(list),
            positional(TEXT),
        )
    if verb == "note":
        return st.builds(
            build,
            st.tuples(opt("--owner", TEXT), opt("--action", TEXT), opt("--at", TIME)).map(list),
            positional(INC, TEXT),
        )
    if verb == "status":
        return st.builds(
            build,
            st.tuples(
                opt("--immediate", TEXT), opt("--permanent", TEXT), opt("--deployed", TEXT)
            ).map(list),
            positional(INC, STATUS),
        )
    if verb == "severity":
        return st.builds(
            build, st.tuples(opt("--reason", TEXT)).map(list), positional(INC, SEVERITY)
        )
    if verb == "report":
        return st.builds(
            build,
            st.tuples(
                opt("--format", st.sampled_from(["markdown", "json", "html", ""])),
                opt("--output", paths),
                st.sampled_from([[], ["--keep-secrets"]]),
            ).map(list),
            positional(INC),
        )
    if verb == "export":
        return st.builds(
            build, st.tuples(paths.map(lambda p: [f"--output={p}"])).map(list), positional(INC)
        )
    if verb == "list":
        return st.builds(
            lambda a, j: ["list", *a, *j],
            st.sampled_from([[], ["--all"]]),
            st.sampled_from([[], ["--json"]]),
        )
    if verb == "tail":
        no_dash = TEXT.filter(lambda t: not t.startswith("-"))
        grep = st.builds(
            lambda p, ps: ["--grep", p, *ps], no_dash, st.lists(no_dash, min_size=0, max_size=3)
        )
        cmd_ = TEXT.map(lambda c: [f"--cmd={c}"])
        flags = st.lists(st.sampled_from(["-F", "-i", "-v"]), max_size=3, unique=True)
        return st.builds(
            lambda inc, name, f, src: ["tail", inc, *name, *f, *src],
            INC.filter(lambda t: not t.startswith("-")),
            opt("--name", TEXT),
            flags,
            st.one_of(grep, cmd_, st.just([])),
        )
    raise AssertionError(verb)


# ---------------------------------------------------------------------------- the CLI
def invoke(argv: list[str]) -> tuple[int, str, str]:
    """``tui.cli.main`` with a strict UTF-8 stdout (a terminal's): text it cannot print is a
    failure here as it would be there."""
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8", errors="strict", write_through=True)
    err = io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = main(argv)
    out.flush()
    return rc, raw.getvalue().decode("utf-8"), err.getvalue()


def check_contract(argv: list[str], rc: int, out: str, err: str) -> None:
    assert "Traceback" not in err, (argv, err)
    if rc == 0:  # (a saved note may carry a warning about its time)
        assert all(line.startswith("warroom: warning: ") for line in err.splitlines()), (argv, err)
        return
    lines = err.splitlines()
    assert len(lines) == 1, (argv, err)
    assert lines[0].startswith("warroom"), (argv, err)
    assert not any(ord(c) in UNSAFE for c in lines[0]), (argv, lines[0])
    assert out == "", (argv, out)


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("bad-input")
    db = base / "w.db"
    assert main(["--db", str(db), "declare", "Checkout 500s", "-s", "2"]) == 0
    return db


@pytest.fixture
def in_tmp(cli_db, monkeypatch):
    """Every run: a fixed database (``--db`` is given first), cwd a scratch directory (a
    relative path a generated argument names lands there), a known user."""
    monkeypatch.chdir(cli_db.parent)
    monkeypatch.setenv("WARROOM_USER", "@fuzz")
    monkeypatch.setenv("WARROOM_CONFIG_DIR", str(cli_db.parent / "config"))
    out = cli_db.parent / "out"
    out.mkdir(exist_ok=True)
    return cli_db, out


VERBS = ["declare", "note", "status", "severity", "report", "export", "list", "tail"]


@pytest.mark.parametrize("verb", VERBS)
def test_every_verb_succeeds_or_says_why_in_one_line(in_tmp, verb):
    db, out = in_tmp

    @cfg(60, 600)
    @given(args=argv_for(verb, out))
    def run(args: list[str]) -> None:
        argv = ["--db", str(db), *args]
        rc, stdout, stderr = invoke(argv)
        count(f"cli {verb}")
        count(f"cli {verb} ok" if rc == 0 else f"cli {verb} refused")
        check_contract(argv, rc, stdout, stderr)

    run()


# Raw tokens: options and values in any order, the parser fuzzed as well. Tokens that could
# name a database or an output file elsewhere ("--db", "-o", absolute paths) are left out.
OPTIONS = [
    "--severity",
    "-s",
    "--service",
    "--impact",
    "--owner",
    "--action",
    "--at",
    "--started",
    "--reason",
    "--format",
    "--all",
    "--json",
    "--cmd",
    "--grep",
    "--name",
    "-F",
    "-i",
    "-v",
    "--immediate",
    "--permanent",
    "--deployed",
    "--keep-secrets",
    "--help",
    "-h",
    "--",
    "--capture-lines",
    "--capture-bytes",
    "--theme",
    "--nope",
]
TOKEN = st.one_of(st.sampled_from(OPTIONS), TEXT).filter(
    lambda t: not t.startswith(("--d", "-o", "--o", "/", "~")) and ".." not in t and "\x00" not in t
)


def test_raw_argument_lists(in_tmp, monkeypatch):
    db, _ = in_tmp
    opened: list[int] = []

    async def no_terminal(self) -> None:  # the console would open: record it, run nothing
        opened.append(1)

    monkeypatch.setattr(WarRoomApp, "run_async", no_terminal)

    @cfg(150, 1500)
    @given(
        verb=st.sampled_from([*VERBS, "attach", "review", "postmortem", "nope", ""]),
        tokens=st.lists(TOKEN, max_size=6),
    )
    def run(verb: str, tokens: list[str]) -> None:
        argv = ["--db", str(db), *([verb] if verb else []), *tokens]
        rc, out, err = invoke(argv)
        count("cli raw argv")
        check_contract(argv, rc, out, err)

    run()


def test_invalid_utf8_arguments_in_a_real_process(tmp_path):
    """What a shell passes for bytes that are not UTF-8: one line, nothing stored (it was a
    traceback from SQLite's encoder)."""
    db = tmp_path / "w.db"
    env = {**os.environ, "WARROOM_DB": str(db), "PYTHONPATH": str(ROOT)}
    exe = [sys.executable, "-m", "tui.cli"]

    def run(*args: bytes) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([*exe, *args], env=env, capture_output=True, timeout=60, cwd=ROOT)

    assert run(b"declare", b"ok", b"-s", b"2").returncode == 0
    for args in (
        [b"note", b"1", b"bad \xff utf-8"],
        [b"declare", b"\xfe\xff", b"-s", b"1"],
        [b"note", b"1", b"x", b"--owner", b"\xc3("],
        [b"tail", b"1", b"--grep", b"x", b"/var/log/\xff.log"],
    ):
        done = run(*args)
        assert done.returncode != 0 and done.stdout == b""
        assert b"Traceback" not in done.stderr
        assert len(done.stderr.splitlines()) == 1 and done.stderr.startswith(b"warroom")
        assert b"UTF-8" in done.stderr
    count("cli invalid utf-8 (process)", 4)
    listed = run(b"report", b"1")
    assert listed.returncode == 0 and b"\xff" not in listed.stdout
    # a database path and an output path that are not UTF-8, printed on a strict UTF-8
    # terminal (both were tracebacks: the SQLite URI of the path, the path printed)
    env["PYTHONIOENCODING"] = "utf-8:strict"
    odd = os.fsencode(tmp_path) + b"/\xfc.db"
    for args in (
        [b"--db", odd, b"declare", b"odd", b"-s", b"1"],
        [b"--db", odd, b"list"],
        [b"--db", odd, b"note", b"1", b"x"],
        [b"--db", odd, b"report", b"1"],
        [b"--db", odd, b"export", b"1", b"-o", os.fsencode(tmp_path) + b"/\xfb.db"],
    ):
        done = run(*args)
        assert (done.returncode, done.stderr) == (0, b""), (args, done.stderr[-500:])
    assert run(b"--db", odd, b"note", b"7", b"x").stderr.count(b"\n") == 1
    count("cli non-UTF-8 paths (process)", 6)


HARD_CASES = [  # each was a traceback before it was fixed
    (["tail", "1", "--grep", "a{1001}", "/var/log/x.log"], "too large to compile"),
    (["tail", "1", "--grep", "(" * 5000 + ")" * 5000, "/var/log/x.log"], "too large"),
    (["declare", "t", "-s=--"], "unknown severity '--'"),
    (["declare", "t", "--severity=--"], "unknown severity '--'"),
    (["--capture-lines=--", "list"], "positive whole number"),
    (["--capture-bytes=--", "list"], "a size such as 64M"),
]


@pytest.mark.parametrize(("argv", "words"), HARD_CASES, ids=lambda v: str(v)[:30])
def test_hard_cases(in_tmp, argv, words):
    db, _ = in_tmp
    rc, out, err = invoke(["--db", str(db), *argv])
    check_contract(argv, rc, out, err)
    assert rc != 0 and words in err, err
    count("cli hard cases")


def test_patterns_too_large_to_compile_in_the_console_fields():
    from incident.query import pattern_for

    for text in ("a{1001}", "(" * 5000 + ")" * 5000):
        with pytest.raises(InvalidInput):  # the add-source dialog checks with this
            source_cmd.grep_spec(text, ["/var/log/x"], name=None, cwd="/")
        assert pattern_for(text).search(text)  # search and filter: taken literally


# ---------------------------------------------------------------------------- times
@cfg(400, 4000)
@given(
    text=st.one_of(
        TEXT,
        TIME,
        WHEN,
        st.builds(
            lambda h, m, s, z: f"{h}:{m:02d}" + (f":{s:02d}" if s is not None else "") + z,
            st.integers(0, 99),
            st.integers(0, 99),
            st.none() | st.integers(0, 99),
            st.sampled_from(["", "Z", "z", " UTC", "utc", "+00:00", " Z"]),
        ),
    ),
    now=st.datetimes(
        min_value=datetime(1971, 1, 1), max_value=datetime(2099, 1, 1), timezones=st.just(UTC)
    ),
)
def test_parse_when_returns_a_past_utc_time_or_refuses(text, now):
    count("parse_when")
    try:
        at = parse_when(text, now)
    except InvalidInput as e:
        assert str(e) and "\n" not in str(e)
        return
    assert at.tzinfo is not None and at.utcoffset() == timedelta(0)
    assert at <= now + FUTURE_TOLERANCE
    assert at.year >= 1970


@cfg(300, 3000)
@given(
    when=st.datetimes(
        min_value=datetime(1970, 1, 2),
        max_value=datetime(2026, 1, 1),
        timezones=st.builds(lambda m: timezone(timedelta(minutes=m)), st.integers(-1439, 1439)),
    ),
    sep=st.sampled_from(["T", " "]),
    spec=st.sampled_from(["auto", "seconds", "minutes"]),
)
def test_an_iso_time_in_any_zone_is_read_as_that_instant(when, sep, spec):
    count("parse_when round trip")
    text = when.isoformat(sep=sep, timespec=spec)
    exact = (
        when
        if spec == "auto"
        else when.replace(microsecond=0, second=when.second if spec == "seconds" else 0)
    )
    assert parse_when(text, NOW) == exact.astimezone(UTC)


# ---------------------------------------------------------------------------- long, emoji, RTL
ROUND_TRIP = [
    "👩🏽‍🚒 paged the on-call 🔥🇪🇺 (ZWJ, skin tone, flag)",
    "مرحبا: الخادم db1 لا يستجيب منذ 14:02",
    "שלום: ה-API מחזיר 500 מאז 14:02",
    "mixed: deploy v2.3.1 נפרס on אזור eu-west-1 بنجاح",
    "combining: e\u0301 a\u0308 n\u0303 and 한국어, 日本語, Ελληνικά",
    "x" * 20_000,
]


@pytest.mark.parametrize("text", ROUND_TRIP, ids=lambda t: t[:12])
def test_long_emoji_and_rtl_text_round_trips_through_store_and_report(tmp_path, text, monkeypatch):
    monkeypatch.setenv("WARROOM_USER", "@אנה")
    db = tmp_path / "w.db"
    title = text[:300]
    assert invoke(["--db", str(db), "declare", title, "-s", "1"])[0] == 0
    rc, _, err = invoke(
        ["--db", str(db), "note", "1", text, "--owner", "@سارة", "--action", text[:500]]
    )
    assert (rc, err) == (0, "")
    count("round trip", 1)

    async def stored():
        async with await Store.open(db, read_only=True) as s:
            return await s.events(1)

    events = asyncio.run(stored())
    assert events[0].payload.title == title
    assert (events[-1].text, events[-1].owner, events[-1].action) == (text, "@سارة", text[:500])
    # shown as the sanitiser makes it (an emoji's zero-width joiner is made visible, as
    # every invisible character is: incident/sanitize.py)
    rc, report, _ = invoke(["--db", str(db), "report", "1"])
    assert rc == 0 and visible(text) in report and visible(title) in report
    rc, js, _ = invoke(["--db", str(db), "report", "1", "--format", "json"])
    assert rc == 0 and text in json.dumps(json.loads(js), ensure_ascii=False)
    rc, listed, _ = invoke(["--db", str(db), "list"])
    assert rc == 0 and visible(title) in listed


def test_too_long_is_refused_in_one_line(tmp_path):
    db = tmp_path / "w.db"
    for argv, words in ((["declare", "t" * 301, "-s", "1"], "too long"),):
        rc, out, err = invoke(["--db", str(db), *argv])
        check_contract(argv, rc, out, err)
        assert rc != 0 and words in err
    assert invoke(["--db", str(db), "declare", "ok", "-s", "1"])[0] == 0
    for argv in (["note", "1", "n" * 20_001], ["note", "1", "x", "--owner", "o" * 201]):
        rc, out, err = invoke(["--db", str(db), *argv])
        check_contract(argv, rc, out, err)
        assert rc != 0 and "too long" in err


# ---------------------------------------------------------------------------- dialog fields
# Every dialog hands its fields to a domain function (one way in): each must return an
# event the store can hold, or refuse with InvalidInput / InvalidTransition.
FIELD_TEXT = st.one_of(
    TEXT, st.builds(lambda c, n, t: c * n + t, st.characters(), st.integers(19_000, 21_000), TEXT)
)


def _state():
    clock = FrozenClock(NOW)
    declared = cmd.declare(clock, "Checkout 500s", Severity.SEV2).model_copy(
        update={"id": 1, "incident_id": 1}
    )
    from incident.state import fold

    return clock, fold([declared])


def _storable(event) -> None:
    try:
        event.payload.model_dump_json().encode("utf-8")
        for v in (event.text, event.action, event.owner):
            v.encode("utf-8")
    except (UnicodeEncodeError, ValueError):
        pass  # the store refuses it in one line (storage.sql.insert): tested above


DIALOGS = {
    "note (event, action, owner)": lambda c, s, a, b, d: cmd.note(c, s, a, action=b, owner=d),
    "participant (name, role)": lambda c, s, a, b, d: cmd.assign(c, s, a, b),
    "severity (reason)": lambda c, s, a, b, d: cmd.set_severity(c, s, Severity.SEV1, reason=a),
    "status (resolution)": lambda c, s, a, b, d: cmd.set_status(
        c, s, Status.RESOLVED, resolution=Resolution(immediate=a, permanent=b, deployed=d)
    ),
    "source: command, name": lambda c, s, a, b, d: source_cmd.add_source(
        c, s, source_cmd.command_spec(a, name=b or None, cwd="/")
    ),
    "source: pattern, paths, name": lambda c, s, a, b, d: source_cmd.add_source(
        c, s, source_cmd.grep_spec(a, _split(b), name=d or None, cwd="/")
    ),
    "post-mortem field": lambda c, s, a, b, d: cmd.set_field(c, s, "root_cause", a),
    "action item (text, owner)": lambda c, s, a, b, d: cmd.add_action_item(c, s, a, item_owner=b),
    "comms message": lambda c, s, a, b, d: comms_cmd.send_update(c, s, "internal", a),
}


def _split(text: str) -> list[str]:
    import shlex

    try:
        return shlex.split(text)
    except ValueError as e:
        raise InvalidInput(f"paths: {e}") from None


@pytest.mark.parametrize("dialog", list(DIALOGS))
def test_every_dialog_field_gives_an_event_or_a_refusal(dialog):
    build = DIALOGS[dialog]

    @cfg(80, 800)
    @given(a=FIELD_TEXT, b=TEXT, d=TEXT)
    def run(a: str, b: str, d: str) -> None:
        clock, state = _state()
        count("dialog fields (domain)")
        try:
            event = build(clock, state, a, b, d)
        except (InvalidInput, InvalidTransition) as e:
            assert str(e) and "Traceback" not in str(e)
            return
        _storable(event)

    run()


@cfg(200, 2000)
@given(
    text=st.one_of(
        TEXT, st.sampled_from(["a{99999999999}", "(" * 5000 + ")" * 5000, "[", "(?P<x>", "\\", "*"])
    )
)
def test_log_search_and_filter_fields_never_fail(text):
    from incident.query import pattern_for

    count("log search field")
    pattern = pattern_for(text)
    assert pattern is None or pattern.search("GET /api 200") is not None or True


@cfg(100, 1000)
@given(text=TEXT)
def test_cadence_minutes_field(text):
    from tui.screens.comms_dialogs import parse_minutes

    count("cadence field")
    try:
        minutes = parse_minutes(text)
    except InvalidInput:
        return
    assert minutes is None or 0 <= minutes <= 1440


# ---------------------------------------------------------------------------- the note dialog
# Typing inserts what is printable (as a terminal's keys do); anything else comes by paste.
TYPED = st.text(st.characters(codec="utf-8").filter(str.isprintable), max_size=40)
PASTED = st.one_of(
    st.text(max_size=60),
    st.text(st.characters(codec="utf-8"), max_size=60),
    st.sampled_from(
        [
            "\x1b]0;PWNED\x07 title",
            "\u202eexe.txt",
            "[b]bold[/b]",
            "\x9b31m c1",
            "\x00nul",
            "   ",
            "tab\there",
        ]
    ),
)


@cfg(5, 50)
@given(notes=st.lists(st.tuples(TYPED, PASTED), min_size=1, max_size=4))
def test_typed_and_pasted_into_the_note_dialog(tmp_path_factory, notes):
    """Typed (key by key) and pasted (a bracketed paste: its first line) into the real
    dialog, then Enter: stored exactly as the field held it, stripped; shown with every
    control visible; refused (and said so) when it cannot be stored; nothing else."""
    db = tmp_path_factory.mktemp("dialog") / "w.db"
    assert main(["--db", str(db), "declare", "Checkout 500s", "-s", "2"]) == 0
    asyncio.run(_type_notes(db, notes))


async def _type_notes(db: Path, notes: list[tuple[str, str]]) -> None:
    from textual import events
    from textual.keys import _character_to_key

    from tests.console_support import make_app, notices, wait_ready
    from tests.waiting import until
    from tui.screens.console import ConsoleScreen
    from tui.screens.note import NoteDialog
    from tui.widgets.timeline import TimelinePane

    app = make_app(db, 1)
    async with app.run_test(size=(160, 40)) as pilot:
        console = await wait_ready(pilot)
        timeline = console.query_one(TimelinePane)

        def said_since(n: int, text: str) -> bool:
            return any(text in x.message for x in notices(app)[n:])

        for typed, pasted in notes:
            count("note dialog (Pilot)")
            await pilot.press("n")
            await until(lambda: isinstance(app.screen, NoteDialog), pilot=pilot, what="the dialog")
            field = app.screen.query_one("#note-text")
            field.value = ""  # a draft left by an earlier example
            for ch in typed:  # key events as the terminal driver makes them
                field.post_message(events.Key(_character_to_key(ch), ch))
            if pasted:
                field.post_message(events.Paste(pasted))
            await pilot.pause()
            held = field.value
            drawn = app.export_screenshot()  # the field draws no control it holds
            assert not any(ord(c) in UNSAFE - {0x0A} for c in drawn)  # (an SVG has lines)
            expected = (typed + (pasted.splitlines() or [""])[0]).strip()
            assert held.strip() == expected
            async with await Store.open(db, read_only=True) as s:
                before = len(await s.events(1))
            said, rows, dialog = len(notices(app)), len(timeline.entries), app.screen
            await pilot.press("enter")
            if not expected:  # the dialog says the text cannot be empty and stays open
                await until(
                    lambda said=said: said_since(said, "cannot be empty"),
                    pilot=pilot,
                    what="refused",
                )
            elif "\x00" in expected:  # refused in one notice; the note kept, opened again
                await until(
                    lambda said=said, dialog=dialog: (
                        said_since(said, "NUL")
                        and isinstance(app.screen, NoteDialog)
                        and app.screen is not dialog
                    ),
                    pilot=pilot,
                    what="the NUL refused, the note opened again",
                )
            else:  # saved: the console shows it
                await until(
                    lambda rows=rows: (
                        isinstance(app.screen, ConsoleScreen) and len(timeline.entries) > rows
                    ),
                    pilot=pilot,
                    what="the note saved and shown",
                    seen=lambda said=said: notices(app)[said:],
                )
            async with await Store.open(db, read_only=True) as s:
                events_ = await s.events(1)
            if not expected:
                assert isinstance(app.screen, NoteDialog) and len(events_) == before
                await pilot.press("escape")
                await until(lambda: app.screen is console, pilot=pilot, what="the console")
                continue
            if "\x00" in expected:  # refused in one notice; nothing stored
                assert len(events_) == before
                assert said_since(said, "NUL")
                continue
            assert len(events_) == before + 1
            assert events_[-1].text == expected
            assert isinstance(app.screen, ConsoleScreen)
            table = app.screen.query_one(TimelinePane).table
            shown = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
            assert visible(expected) in shown
            assert not any(ord(c) in UNSAFE for row in shown for c in row)


# ---------------------------------------------------------------------------- log corpus
CORPUS = [
    b"\x1b]0;PWNED\x07",
    b"\x1b]2;PWNED\x1b\\",
    b"\x1b]52;c;UFdORUQ=\x07",
    b"\x1b[2J",
    b"\x1bc",
    "\x9b31m".encode(),
    "\u202egnp.exe".encode(),
    b"\x00",
    b"\xff\xfe\xc3(",
    b"[bold red]x[/]",
    b"\x1bP+q\x1b\\",
    b"\r",
    b"\t",
    "\u2066\u200d".encode(),
    b"\xe2\x80",
    b"\xf0\x9f\x94",
    "🔥 é ש".encode(),
    b"GET /api 200 12ms",
]


@cfg(40, 400)
@given(
    pieces=st.lists(
        st.one_of(st.sampled_from(CORPUS), st.binary(max_size=40)), min_size=1, max_size=60
    ),
    chunk=st.integers(1, 4096),
)
def test_hostile_log_bytes_at_any_chunking_are_inert(pieces, chunk):
    """Random mixes of the hostile corpus and random bytes, cut at any chunk size: every
    line comes out (one per newline), each as ``visible`` makes it, nothing unsafe."""
    from feeds.lines import LineSplitter, sanitize_lines

    data = b"\n".join(pieces) + b"\n"
    splitter, lines = LineSplitter(), []
    for i in range(0, len(data), chunk):
        lines += sanitize_lines(splitter.feed(data[i : i + chunk]))
    lines += sanitize_lines([splitter.flush()] if splitter.pending else [])
    expected = [ln[:-1] if ln.endswith(b"\r") else ln for ln in data.split(b"\n")[:-1]]
    assert lines == [visible(ln.decode("utf-8", "replace")) for ln in expected]
    assert not any(ord(c) in UNSAFE for line in lines for c in line)
    count("log corpus mixes")


@pytest.mark.parametrize("lines", [scale(200_000, 2_000_000)])
def test_the_hostile_corpus_at_volume(lines):
    """The corpus repeated to ``lines`` lines (2,000,000 with WARROOM_SLOW=1), fed in 64 KiB
    chunks: every line out, none carrying a control."""
    from feeds.lines import LineSplitter, sanitize_lines

    block = b"\n".join(b"%d " % i + CORPUS[i % len(CORPUS)] for i in range(1000)) + b"\n"
    data = block * (lines // 1000)
    splitter, n, bad = LineSplitter(), 0, 0
    for i in range(0, len(data), 65536):
        out = sanitize_lines(splitter.feed(data[i : i + 65536]))
        n += len(out)
        bad += sum(1 for line in out if any(ord(c) in UNSAFE for c in line))
    assert (n, bad) == (lines, 0)
    count("log corpus lines", n)


# ---------------------------------------------------------------------------- figures
def test_bad_input_figures():
    """Not a check: the inputs tried by this module (its last test)."""
    record_figures("bad-input", total=sum(TRIED.values()), **TRIED)


def test_errors_are_warroom_errors():
    assert issubclass(InvalidInput, WarroomError)
