"""The command line's words: verbs, options, and the checks of their values.

A usage error is one line on stderr (exit 2); ``--help`` has the full usage. The values are
checked here, before any database is opened.
"""

from __future__ import annotations

import argparse
import os
import re
from typing import TYPE_CHECKING, NoReturn

from incident.errors import InvalidInput
from incident.sanitize import visible

if TYPE_CHECKING:
    from incident.model import Severity, Status


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (the full usage stays in ``--help``)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {visible(message)} (see --help)\n")

    def _get_values(self, action: argparse.Action, arg_strings: list[str]):  # type: ignore[override]
        # `--severity=--`, or `severity 1 -- --`: argparse (3.11) drops the "--" and hands
        # over [] without calling the type, which then failed deep inside. The value is the
        # text "--", checked.
        if action.nargs is None and arg_strings == ["--"]:
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


def _db_name(text: str) -> str:
    """A database ``copy`` reads or writes: named, never the default by omission."""
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a database, not an empty name")
    return text


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
        "copy",
        help="carry one incident (journal and capture) to another database; again: only "
        "what is new",
    )
    s.add_argument("incident", type=incident_id, metavar="INC")
    s.add_argument("--from", dest="source", type=_db_name, required=True, metavar="DB")
    s.add_argument("--to", dest="target", type=_db_name, required=True, metavar="DB")

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
    s.add_argument(
        "--tz",
        metavar="ZONE",
        help="the zone of the times in its lines that name none (Europe/Berlin, UTC, "
        "+05:30); default: this host's",
    )

    _fact_verbs(sub)
    sub.add_parser("demo", help="create a realistic demo incident and attach to it")
    for verb_parser in sub.choices.values():  # `warroom review --db FILE INC` works too
        verb_parser.add_argument(
            "--db",
            metavar="PATH",
            default=argparse.SUPPRESS,
            help="database file (same as before the verb)",
        )
    return p


def _checked(check):
    """An argparse type from a check of ``incident.checks`` (a bad value: one line)."""

    def convert(text: str) -> str:
        try:
            return check(text)
        except InvalidInput as e:
            raise argparse.ArgumentTypeError(str(e)) from None

    return convert


def _fact_verbs(sub) -> None:
    """``edit`` (the incident's facts) and ``action`` (its action items)."""
    from incident.checks import checked_date, checked_text, checked_url

    text = _checked(lambda t: checked_text(t, "the value"))
    s = sub.add_parser(
        "edit",
        help="change the incident's facts (each change is a timeline entry; "
        "the drafts and the report follow)",
    )
    s.add_argument("incident", type=incident_id, metavar="INC")
    s.add_argument("--title", type=text)
    s.add_argument("--service", type=text, help="the affected service")
    s.add_argument("--impact", type=text, help="the user or business impact")
    s.add_argument("--detected-by", type=text, help="how it was discovered")
    s.add_argument(
        "--status-page",
        metavar="URL",
        type=_checked(lambda t: checked_url(t, "the status page link")),
        help="the public status page of this incident",
    )
    s.add_argument("--root-cause", type=text, help="the root cause, as known so far")
    s.add_argument("--eta", type=text, help="when the fix is expected, e.g. '15:30 UTC'")
    s.add_argument("--commander", metavar="NAME", type=text, help="hand the incident over")

    s = sub.add_parser("action", help="action items: add, done, list (the post-mortem's too)")
    s.add_argument("incident", type=incident_id, metavar="INC")
    acts = s.add_subparsers(dest="action_verb", metavar="add|done|list", parser_class=_Parser)
    acts.required = True
    a = acts.add_parser("add", help="add an action item")
    a.add_argument("text", type=text)
    a.add_argument("--owner", metavar="NAME", type=text)
    a.add_argument(
        "--due", metavar="DATE", type=_checked(lambda t: checked_date(t, "the due date"))
    )
    a = acts.add_parser("done", help="mark action item N done")
    a.add_argument("number", type=_positive, metavar="N")
    acts.add_parser("list", help="list the action items with owner, due date and state")
    for verb_parser in acts.choices.values():
        verb_parser.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS)
