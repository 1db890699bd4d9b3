"""The console runs the incident's log sources: ledger, live lines, capture, pin, stop,
restart on attach, and no process left behind."""

from __future__ import annotations

import os
import sqlite3
import sys
from contextlib import closing

import psutil
from textual.widgets import ContentSwitcher, TabbedContent

from incident import source_commands as source_cmd
from incident.clock import FrozenClock
from incident.evidence import digest
from incident.journal import CommandEvent, Evidence, SourceSpec
from session.sources import HISTORY_BYTES
from storage.store import Store
from tests.console_support import FROZEN, make_app, notices, seed, wait_ready
from tests.waiting import until
from tui.widgets.confirm import Confirm
from tui.widgets.log_source import SourcePane


async def add_source(db, incident, command: str, *, cwd: str | None = None) -> str:
    async with await Store.open(db) as store:
        state = await store.load_state(incident)
        ev = source_cmd.add_source(
            FrozenClock(FROZEN),
            state,
            SourceSpec(kind="cmd", name="t", command=command, cwd=cwd or os.getcwd()),
        )
        await store.append(ev)
        return ev.payload.source_id


async def ledger(db, incident) -> list[CommandEvent]:
    async with await Store.open(db, read_only=True) as store:
        return [
            e.payload for e in await store.events(incident) if isinstance(e.payload, CommandEvent)
        ]


async def ready_source(pilot, sid: str) -> SourcePane:
    """Wait for the source's tab, and bring it to the front."""
    await until(lambda: bool(pilot.app.screen.query(f"#src-{sid}")), pilot=pilot)
    pilot.app.screen.query_one("#log-tabs", TabbedContent).active = f"log-{sid}"
    pane = pilot.app.screen.query_one(f"#src-{sid}", SourcePane)
    await until(lambda: pane.region, pilot=pilot, what=f"the tab of {sid} in front")
    return pane


async def test_output_is_shown_captured_and_the_exit_is_in_the_ledger(tmp_path, monkeypatch):
    monkeypatch.setenv("DEPLOY_TOKEN", "s3cr3t")
    monkeypatch.setenv("KUBECONFIG_CONTEXT", "prod-eu")
    monkeypatch.setenv("MYSQL_PWD", "unmentioned")
    db = tmp_path / "w.db"
    incident = await seed(db)
    sid = await add_source(
        db,
        incident,
        ': "$DEPLOY_TOKEN" "${KUBECONFIG_CONTEXT:-x}"; '
        "printf 'a\\nERROR b\\n[bold]c[/]\\n'; echo oops >&2; "
        "exit 3",
    )
    app = make_app(db, incident, run_sources=True)
    async with app.run_test(size=(140, 40)) as pilot:
        pane = await ready_source(pilot, sid)
        await until(lambda: pane.buffer.total == 4, pilot=pilot)
        texts = [pane.buffer.line(s) for s in range(pane.buffer.total)]
        assert set(texts) == {"a", "ERROR b", "[bold]c[/]", "oops"}
        assert pane.buffer.is_err(texts.index("oops"))
        await until(lambda: app.state.sources[sid].state == "exited", pilot=pilot)
        assert app.state.sources[sid].exit_code == 3
    entries = [p for p in await ledger(db, incident) if p.source_id == sid]
    assert [(p.op, p.exit_code) for p in entries] == [
        ("added", None),
        ("started", None),
        ("exited", 3),
    ]
    env = entries[1].env  # what its command names of the environment, secrets masked
    assert env["KUBECONFIG_CONTEXT"] == "prod-eu" and env["DEPLOY_TOKEN"] == "[masked]"
    assert "MYSQL_PWD" not in env  # not named by the command: not recorded
    assert "PATH" in env and entries[0].spec.cwd
    async with await Store.open(db, read_only=True) as store:
        captured = await store.captures.read(incident, sid)
    assert sorted(x.text for x in captured) == sorted(texts)


async def test_pin_records_the_line_with_its_provenance(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    sid = await add_source(db, incident, "printf 'one\\n2026-11-25T15:01:02Z ERROR two\\nthree\\n'")
    app = make_app(db, incident, run_sources=True)
    async with app.run_test(size=(140, 40)) as pilot:
        pane = await ready_source(pilot, sid)
        await until(lambda: pane.buffer.total == 3, pilot=pilot)
        await pilot.press("3")
        pane.view.focus()
        await until(lambda: app.focused is pane.view, pilot=pilot, what="the log view focused")
        await pilot.press("end", "up", "enter")
        await until(
            lambda: any(
                isinstance(e.event.payload, Evidence)
                for e in app.screen.query_one("#timeline").entries
            ),
            pilot=pilot,
        )
    async with await Store.open(db, read_only=True) as store:
        ev = [e for e in await store.events(incident) if isinstance(e.payload, Evidence)][-1]
    p = ev.payload
    assert p.line == "2026-11-25T15:01:02Z ERROR two" and p.line_no == 2
    assert p.source.startswith("printf") and p.source_id == sid
    assert p.context == ("one", p.line, "three")
    assert p.sha256 == digest(p.context)
    assert p.line_time is not None and p.line_time.isoformat().startswith("2026-11-25T15:01:02")
    assert p.read_at is not None
    assert "two" in ev.text


async def test_a_pinned_grep_match_cites_its_file_and_the_files_line_number(tmp_path):
    """A grep pane numbers its matches 1, 2, ...; the evidence cites the file's line
    (``Apache.log:11: ...`` pinned said "line 4")."""
    log = tmp_path / "Apache.log"
    log.write_text(
        "".join(f"[{'error' if n in (2, 5, 8, 11) else 'notice'}] {n}\n" for n in range(1, 13))
    )
    db = tmp_path / "w.db"
    incident = await seed(db)
    async with await Store.open(db) as store:
        state = await store.load_state(incident)
        spec = source_cmd.grep_spec(r"\[error\]", [str(log)], name="apache", cwd=str(tmp_path))
        ev = await store.append(source_cmd.add_source(FrozenClock(FROZEN), state, spec))
        sid = ev.payload.source_id
    app = make_app(db, incident, run_sources=True)
    async with app.run_test(size=(140, 40)) as pilot:
        pane = await ready_source(pilot, sid)
        await until(lambda: pane.buffer.total == 4, pilot=pilot)
        pane.view.focus()
        await until(lambda: app.focused is pane.view, pilot=pilot, what="the log view focused")
        await pilot.press("end", "enter")  # the 4th match: the file's line 11
        await until(
            lambda: any("Apache.log line 11" in n.message for n in notices(app)),
            pilot=pilot,
            seen=lambda: notices(app),
        )
    async with await Store.open(db, read_only=True) as store:
        ev = [e for e in await store.events(incident) if isinstance(e.payload, Evidence)][-1]
    p = ev.payload
    assert (p.path, p.line_no, p.line) == ("Apache.log", 11, "Apache.log:11: [error] 11")
    assert "Apache.log line 11" in ev.text


async def test_stop_ends_the_whole_tree_and_is_in_the_ledger(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    sid = await add_source(db, incident, "sleep 300 | cat")
    app = make_app(db, incident, run_sources=True)
    async with app.run_test(size=(140, 40)) as pilot:
        pane = await ready_source(pilot, sid)
        await until(lambda: sid in app.runner.live, pilot=pilot)
        root = psutil.Process(app.runner.live[sid].pid)
        tree = [root, *root.children(recursive=True)]
        assert len(tree) >= 2
        pane.view.focus()
        await pilot.press("x")  # it asks first (No by default): y stops it
        await until(lambda: isinstance(app.screen, Confirm), pilot=pilot)
        await pilot.press("y")
        await until(lambda: app.state.sources[sid].state == "stopped", pilot=pilot)
    _, alive = psutil.wait_procs(tree, timeout=5)
    assert [p for p in alive if p.status() != psutil.STATUS_ZOMBIE] == []


async def test_quitting_ends_processes_and_the_next_attach_restarts_them(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    sid = await add_source(db, incident, "echo first; sleep 300")
    app = make_app(db, incident, run_sources=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await ready_source(pilot, sid)
        await until(
            lambda: sid in app.runner.live and app.runner.buffer(sid).total == 1, pilot=pilot
        )
        root = psutil.Process(app.runner.live[sid].pid)
        tree = [root, *root.children(recursive=True)]
    _, alive = psutil.wait_procs(tree, timeout=5)
    assert [p for p in alive if p.status() != psutil.STATUS_ZOMBIE] == []
    assert [p.op for p in await ledger(db, incident) if p.source_id == sid] == [
        "added",
        "started",
    ]  # going away is not a stop

    again = make_app(db, incident, run_sources=True)
    async with again.run_test(size=(140, 40)) as pilot:
        pane = await ready_source(pilot, sid)
        # history, the marker of the restart, then the new run
        await until(lambda: pane.buffer.total == 3, pilot=pilot)
        assert [pane.buffer.number(s) for s in range(3)] == [1, 2, 3]
        assert [pane.buffer.line(s) for s in (0, 2)] == ["first", "first"]
        assert pane.buffer.line(1).startswith("⟳ restarted 2026-11-25 15:08:00 UTC, on attach")
        await until(lambda: again.state.sources[sid].state == "started", pilot=pilot)
    ops = [p.op for p in await ledger(db, incident) if p.source_id == sid]
    assert ops == ["added", "started", "restarted"]


def long_line(no: int) -> str:
    return f"{no:06d} " + "x" * 65_529 + "... [983,040 bytes cut]"  # as feeds/lines.py cuts


async def test_an_attach_reloads_the_newest_captured_lines_within_a_byte_budget(tmp_path):
    """Each attach read back the last 10,000 captured lines of every source, whatever their
    length: 650 MB for a source of lines cut at 64 KiB. It reads the newest within 8 MiB."""
    db = tmp_path / "w.db"
    incident = await seed(db)
    sid = await add_source(db, incident, "true")
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.executemany(
            "INSERT INTO captured_lines VALUES (?, ?, ?, 0, ?, ?)",
            [
                (incident, sid, no, "2026-11-25T14:30:00.000000Z", long_line(no))
                for no in range(1, 401)
            ],
        )  # 26 MB
    app = make_app(db, incident)  # (no source runs: the pane shows what was captured)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_ready(pilot)
        buf = app.runner.buffer(sid)
        await until(lambda: buf.total > 0, pilot=pilot)
        assert buf.bytes <= HISTORY_BYTES
        assert len(buf) == HISTORY_BYTES // sys.getsizeof(long_line(400))
        assert (buf.number(buf.total - 1), buf.line(buf.total - 1)) == (400, long_line(400))


async def test_a_source_that_cannot_start_is_failed_with_its_reason(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    sid = await add_source(db, incident, "echo hi", cwd=str(tmp_path / "gone"))
    app = make_app(db, incident, run_sources=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_ready(pilot)
        await until(lambda: app.state.sources[sid].state == "failed", pilot=pilot)
        assert "gone" in (app.state.sources[sid].reason or "")


async def test_read_only_never_starts_a_source(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    marker = tmp_path / "ran"
    sid = await add_source(db, incident, f"touch {marker}")
    app = make_app(db, incident, read_only=True, run_sources=True)
    async with app.run_test(size=(140, 40)) as pilot:
        # Review is up, at its newest event, with everything it loads loaded: a console
        # has started its sources by then (they start as its panes are mounted).
        await until(
            lambda: app.screen.__class__.__name__ == "ReviewScreen" and app.screen.at is not None,
            pilot=pilot,
            what="the review screen up",
        )
        await until(lambda: not app.workers, pilot=pilot, what="review's workers done")
        await pilot.pause()
        assert app.runner is None  # review has no source runner at all
    assert not marker.exists()
    assert [p.op for p in await ledger(db, incident) if p.source_id == sid] == ["added"]


async def test_a_source_added_from_the_console_runs(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident, run_sources=True)
    async with app.run_test(size=(140, 40)) as pilot:
        await until(lambda: bool(app.screen.query("#timeline")), pilot=pilot)
        await pilot.press("plus")
        await until(
            lambda: app.screen.__class__.__name__ == "SourceDialog",
            pilot=pilot,
            what="the source dialog",
        )
        app.screen.query_one("#src-command").value = "echo from-the-dialog"
        app.screen.query_one("#src-name").value = "dialog"
        app.screen.query_one("#src-command").focus()
        await pilot.press("enter")
        await until(
            lambda: any(s.spec.name == "dialog" for s in app.state.sources.values()), pilot=pilot
        )
        sid = next(k for k, s in app.state.sources.items() if s.spec.name == "dialog")
        pane = await ready_source(pilot, sid)
        await until(lambda: pane.buffer.total == 1, pilot=pilot)
        assert pane.buffer.line(pane.buffer.first_seq) == "from-the-dialog"


async def test_the_dialog_refuses_a_bad_grep(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_ready(pilot)
        before = len(app.state.sources)
        await pilot.press("plus")
        await until(
            lambda: app.screen.__class__.__name__ == "SourceDialog",
            pilot=pilot,
            what="the source dialog",
        )
        dialog = app.screen
        dialog.query_one("#kind-grep").value = True
        await until(lambda: dialog.kind == "grep", pilot=pilot, what="the grep fields")
        dialog.query_one("#src-pattern").value = "ERR("
        dialog.query_one("#src-paths").value = "/var/log"
        dialog.query_one("#src-pattern").focus()
        await pilot.press("enter")
        await until(
            lambda: any(n.severity == "error" for n in notices(app)),
            pilot=pilot,
            what="the error shown",
            seen=lambda: notices(app),
        )
        assert app.screen is dialog  # still open, with the error shown
        assert len(app.state.sources) == before


class FakeSample:
    def lines(self) -> list[str]:
        return ["cpu 97% (2 cores)  load 3.1 2.0 1.5", "mem 91% of 24 GB", "\x1b]0;x\x07 evil"]

    def to_dict(self) -> dict:
        return {"cpu_percent": 97.0}


async def test_host_glance_shows_and_pins_a_snapshot(tmp_path):
    db = tmp_path / "w.db"
    incident = await seed(db)
    app = make_app(db, incident, sampler=FakeSample)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_ready(pilot)
        host = app.screen.query_one("#host")
        assert host.sample is None  # behind the source's tab: it does not sample
        app.screen.query_one("#log-tabs", TabbedContent).active = "log-host"
        await until(lambda: host.sample is not None, pilot=pilot)  # shown: sampled at once
        text = str(host.query_one("#host-text").render())
        assert "cpu 97%" in text and "\x1b" not in text
        host.focus()
        await pilot.press("enter")
        await until(
            lambda: any(
                isinstance(e.event.payload, Evidence) and e.event.payload.source == "host"
                for e in app.screen.query_one("#timeline").entries
            ),
            pilot=pilot,
        )
    async with await Store.open(db, read_only=True) as store:
        ev = [e for e in await store.events(incident) if isinstance(e.payload, Evidence)][-1]
    assert ev.payload.snapshot == {"cpu_percent": 97.0}
    assert ev.payload.context[0].startswith("cpu 97%")
    assert ev.payload.sha256 == digest(ev.payload.context)


async def test_the_host_tab_is_never_shown_on_the_way_to_the_first_source(tmp_path, monkeypatch):
    """Removing the empty "sources" tab while it was active showed the host tab for a moment
    (its activation is a message), and the host pane took a sample it was not asked for."""
    db = tmp_path / "w.db"
    incident = await seed(db)
    shown: list[str | None] = []
    watch = ContentSwitcher.watch_current

    def record(switcher, old, new):
        shown.append(new)
        return watch(switcher, old, new)

    monkeypatch.setattr(ContentSwitcher, "watch_current", record)
    app = make_app(db, incident, sampler=FakeSample)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_ready(pilot)
        await until(lambda: "log-s1" in shown, pilot=pilot)
        source = app.screen.query_one("#src-s1")
        await until(lambda: source.region, pilot=pilot, what="the first source's tab drawn")
        await pilot.pause()
        assert app.screen.query_one("#host").sample is None
    assert "log-host" not in shown, shown
