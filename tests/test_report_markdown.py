"""The Markdown report is inert when rendered (issue #16 item 7): untrusted text from notes,
logs and the roster can add no HTML, image, link or autolink, no emphasis, and cannot
break out of a table cell or of the evidence code span. The report is rendered with
markdown-it-py (CommonMark, with GFM tables and strikethrough) and the HTML is checked.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

from markdown_it import MarkdownIt

from incident import commands as cmd
from incident import timeline_commands as timeline_cmd
from incident.clock import FrozenClock
from incident.evidence import from_log_line
from incident.model import Severity
from incident.playbook import Contact
from incident.report import md_code, render_markdown
from incident.state import fold

CLOCK = FrozenClock(datetime(2026, 11, 25, 14, 30, tzinfo=UTC))
HOSTILE = [
    '<img src=x onerror="alert(1)">',
    "![pixel](https://evil.example/t.png)",
    "[click me](javascript:alert(document.cookie))",
    "<https://evil.example/auto>",
    "<script>alert(1)</script>",
    '<a href="javascript:alert(1)">x</a>',
    "&lt;img src=x onerror=alert(1)&gt; &#60;b&#62;",
    "*bold* _em_ ~~gone~~ **strong**",
    "| a | b | c |",
    "`code` ``double`` ```fence``` ` a`",
    "x` <img src=y onerror=alert(2)> `",
    "[ref]: https://evil.example/ref",
    "# heading\n- item\n> quote",
    "trailing backslash \\",
    "<!-- comment --> <?php ?> <![CDATA[x]]>",
]
ALLOWED_TAGS = {
    "h2",
    "h3",
    "p",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "strong",
    "em",
    "code",
    "s",
}


def _events():
    events = [
        cmd.declare(
            CLOCK,
            HOSTILE[0],
            Severity.SEV2,
            service=HOSTILE[1],
            impact=HOSTILE[2],
            detected_by=HOSTILE[3],
            commander=HOSTILE[4],
        ).model_copy(update={"id": 1, "incident_id": 1})
    ]

    def add(build) -> None:
        events.append(build(fold(events)).model_copy(update={"id": len(events) + 1}))

    for n, text in enumerate(HOSTILE):
        add(lambda st, t=text: cmd.note(CLOCK, st, t, action=t, owner=t))
        add(lambda st, t=text: cmd.add_action_item(CLOCK, st, t, item_owner=t))
        add(lambda st, t=text, n=n: cmd.assign(CLOCK, st, f"{t} {n}", t))
        add(
            lambda st, t=text: timeline_cmd.pin(
                CLOCK,
                st,
                from_log_line(
                    source=t,
                    source_id="s1",
                    line=t,
                    line_no=3,
                    read_at=CLOCK.now(),
                    zone=UTC,
                    before=[t],
                    after=[t],
                ),
            )
        )
    add(lambda st: cmd.set_field(CLOCK, st, "root_cause.what", HOSTILE[5]))
    return events


def test_a_rendered_report_loads_nothing_and_nothing_breaks_out():
    events = _events()
    contacts = [Contact(role=t, contact=t) for t in HOSTILE]
    text = render_markdown(events, contacts=contacts, redacted=0)
    rendered = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text)
    tags = set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", rendered))
    assert tags <= ALLOWED_TAGS, tags - ALLOWED_TAGS
    for bad in ("<img", "<a ", "<script", "<!--", "<?"):
        assert bad not in rendered, bad
    assert [t for t in re.findall(r"<[^>]*>", rendered) if " " in t] == []  # no attributes
    # emphasis and strikethrough are the report's own, never the text's
    assert "<s>" not in rendered and "<em>bold" not in rendered
    # every hostile text shows as written: nothing of it was taken as syntax
    shown = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    for t in HOSTILE:
        assert " ".join(t.split()) in shown, t
    # the evidence lines are code spans that hold exactly the line, backticks and all
    codes = [html.unescape(c) for c in re.findall(r"<code>(.*?)</code>", rendered)]
    assert codes == [" ".join(t.split()) for t in HOSTILE]
    # the timeline is still one row of four cells per event
    rows = [ln for ln in rendered.split("<tr>")[2:]]
    assert len(rows) == len(events) and all(r.count("<td>") == 4 for r in rows)


def test_a_code_span_fence_is_longer_than_any_backtick_run_inside():
    assert md_code("a ``b`` c") == "```a ``b`` c```"
    assert md_code("`x") == "`` `x ``"
    assert md_code("plain") == "`plain`"


def test_the_evidence_says_its_line_time_and_zone_and_nothing_when_it_has_none():
    from session.zones import parse_zone

    events = [cmd.declare(CLOCK, "t", Severity.SEV2).model_copy(update={"id": 1})]
    for line in (
        "2005-12-05 20:15:57 ERROR pool",
        "2005-12-05T20:15:57.250+01:00 ERROR pool",
        "ERROR pool",
    ):
        evidence = from_log_line(
            source="app.log",
            source_id="s1",
            line=line,
            line_no=3,
            read_at=CLOCK.now(),
            zone=parse_zone("Europe/Berlin"),
        )
        pin = timeline_cmd.pin(CLOCK, fold(events), evidence)
        events.append(pin.model_copy(update={"id": len(events) + 1}))
    lines = render_markdown(events).splitlines()
    i = lines.index("### Evidence")
    sha = [e.payload.sha256[:16] for e in events[1:]]
    assert lines[i + 1 : i + 4] == [
        "- 2026-11-25T14:30:00Z app.log, line 3: `2005-12-05 20:15:57 ERROR pool` "
        f"(line time 2005-12-05 19:15:57 UTC, zone assumed: Europe/Berlin; sha256 {sha[0]}…)",
        "- 2026-11-25T14:30:00Z app.log, line 3: `2005-12-05T20:15:57.250+01:00 ERROR pool` "
        f"(line time 2005-12-05 19:15:57.250 UTC, zone from the line: +01:00; sha256 {sha[1]}…)",
        f"- 2026-11-25T14:30:00Z app.log, line 3: `ERROR pool` (sha256 {sha[2]}…)",
    ]
