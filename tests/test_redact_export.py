"""What leaves warroom (issue #16 items 2, 3 and 7): the corpus planted everywhere text is
stored (notes, actions, owners, evidence and its context, comms, a source command, the
source's environment, captured output, drafts, contacts), then `export` (every table of
the exported file dumped), `report` and `report --format json` read: no secret value, and
no digest of an unredacted line, even as the report's 16 hex digits.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import sqlite3
from contextlib import closing, redirect_stderr, redirect_stdout
from datetime import UTC, datetime
from pathlib import Path

import pytest

from incident import commands as cmd
from incident import comms_commands as comms_cmd
from incident import source_commands as source_cmd
from incident import timeline_commands as timeline_cmd
from incident.clock import FrozenClock
from incident.evidence import from_log_line, verify
from incident.journal import Evidence
from incident.model import Severity
from incident.playbook import Contact
from storage.store import Store
from tests.redact_corpus import SECRETS
from tui.cli import main

T0 = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
ENV = {
    "PATH": "/usr/bin",
    "MYSQL_PWD": "envMyPw1",
    "REDIS_URL": "redis://:envR3dis@cache:6379",
    "SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/envWebhookSecret1",
    "LDAP_BIND_PW": "envLd4p",
    "UNNAMED_SECRET": "envNeverRecorded",
}
ENV_VALUES = ("envMyPw1", "envR3dis", "envWebhookSecret1", "envLd4p", "envNeverRecorded")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = main(list(argv))
    return rc, out.getvalue(), err.getvalue()


async def plant(db: Path) -> list[Evidence]:
    """The corpus in every stored text; returns the pinned evidence as stored."""
    clock = FrozenClock(T0)
    texts = [text for _, text, _ in SECRETS]
    pinned = []
    async with await Store.open(db) as s:
        iid = (await s.declare(cmd.declare(clock, "redaction", Severity.SEV2))).incident_id

        async def add(build):
            return await s.append(build(await s.load_state(iid)))

        for n, text in enumerate(texts):
            await add(lambda st, t=text: cmd.note(clock, st, t, action=t, owner=f"@o {t}"))
            await add(lambda st, t=text: comms_cmd.send_update(clock, st, "internal", t))
            ev = from_log_line(
                source=f"tail {text}",
                source_id="s1",
                line=f"line {n}: {text}",
                line_no=n + 1,
                read_at=T0,
                zone=UTC,
                before=[texts[n - 1]],
                after=[texts[(n + 1) % len(texts)]],
            )
            pinned.append((await add(lambda st, e=ev: timeline_cmd.pin(clock, st, e))).payload)
        command = "tail -F /x.log $MYSQL_PWD ${REDIS_URL} ${SLACK_WEBHOOK_URL:-x} $LDAP_BIND_PW"
        await add(
            lambda st: source_cmd.add_source(
                clock, st, source_cmd.command_spec(command, name=None, cwd="/")
            )
        )
        await add(
            lambda st: source_cmd.add_source(
                clock, st, source_cmd.command_spec(f"echo {texts[5]}", name=texts[8], cwd="/")
            )
        )
        await add(
            lambda st: source_cmd.source_ledger(
                clock, st, "s1", "started", pid=9, env=source_cmd.environment_of(st, "s1", ENV)
            )
        )
        await add(lambda st: source_cmd.source_ledger(clock, st, "s1", "failed", reason=texts[12]))
        await s.drafts.put(iid, "note.text", texts[20])
    with closing(sqlite3.connect(db)) as c:
        lines = [line for text in texts for line in text.split("\n")]
        c.executemany(
            "INSERT INTO captured_lines VALUES (?, 's1', ?, 0, '2026-11-25T14:05:00.000000Z', ?)",
            [(iid, n, line) for n, line in enumerate(lines, 1)],
        )
        c.commit()
    async with await Store.open(db) as s:
        await s.contacts.roster()  # the roster is seeded, then a row with a secret
        await s.contacts.put([Contact(role="DBA", contact=texts[30][:200])], by="@ic")
    return pinned


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> tuple[Path, list[Evidence]]:
    db = tmp_path_factory.mktemp("planted") / "w.db"
    return db, asyncio.run(plant(db))


def secret_values() -> list[str]:
    return [v for _, _, values in SECRETS for v in values] + list(ENV_VALUES)


def assert_clean(where: str, text: str, pinned: list[Evidence]) -> None:
    leaked = sorted({v for v in secret_values() if v in text})
    assert leaked == [], f"{where}: {leaked}"
    digests = [ev.sha256 for ev in pinned if ev.sha256]
    oracle = [d for d in digests if d[:16] in text]
    assert oracle == [], f"{where}: digests of unredacted lines"


def test_every_table_of_the_export_is_clean(planted, tmp_path):
    db, pinned = planted
    out = tmp_path / "export.db"
    rc, stdout, err = run("--db", str(db), "export", "1", "-o", str(out))
    assert rc == 0, err
    with closing(sqlite3.connect(out)) as c:
        tables = [r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        dump = "\n".join(c.iterdump())
        counts = {t: c.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    assert counts["events"] > 3 * len(SECRETS) and counts["captured_lines"] > len(SECRETS)
    assert_clean("export", dump, pinned)
    assert re.search(r"\d+ secrets redacted\)$", stdout.strip()), stdout


def test_both_report_formats_are_clean(planted):
    db, pinned = planted
    for fmt in ("markdown", "json"):
        rc, out, err = run("--db", str(db), "report", "1", "--format", fmt)
        assert rc == 0, err
        assert_clean(f"report {fmt}", out, pinned)
    rc, out, _ = run("--db", str(db), "report", "1")
    assert "original digests are kept only in the unredacted store" in out


def test_unredacted_on_request(planted):
    db, _ = planted
    rc, out, _ = run("--db", str(db), "report", "1", "--keep-secrets")
    assert rc == 0 and "hunter2" in out and "Secrets redacted" not in out


def test_redacted_pins_verify_in_the_export_and_the_json_report(planted, tmp_path):
    db, pinned = planted
    out = tmp_path / "export.db"
    assert run("--db", str(db), "export", "1", "-o", str(out))[0] == 0

    async def exported() -> list[Evidence]:
        async with await Store.open(out, read_only=True) as s:
            return [e.payload for e in await s.events(1) if isinstance(e.payload, Evidence)]

    evidence = asyncio.run(exported())
    assert len(evidence) == len(pinned) and all(verify(ev) for ev in evidence)
    assert all(ev.redacted for ev in evidence)  # every pin here held a secret
    _, text, _ = run("--db", str(db), "report", "1", "--format", "json")
    data = json.loads(text)
    payloads = [e["payload"] for e in data["events"] if e["payload"]["kind"] == "evidence"]
    assert all(verify(Evidence.model_validate(p)) for p in payloads)
    assert "unredacted store" in data["evidence_digests"]
