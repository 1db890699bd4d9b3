"""The comms pane: a draft per audience and template, the update countdowns, and the
notification checklist.

A draft starts from its template filled from the incident (unknown facts stay as visible
``[placeholders]``), is edited in place or in ``$EDITOR``, and is autosaved as you type
(``DraftChanged``, written by the app within a second). Each audience (status page,
internal, executives) has its own drafts and its own countdown; the pane border turns red
and names the audiences whose update is overdue. Sending records the exact text on the
timeline and restarts that audience's countdown; a draft that still holds ``[placeholders]``
is sent only once the IC has confirmed it (``ConfirmSend``). Once the incident is resolved,
the pane moves on to the resolution notices, and each audience that was sent updates is
owed one (its countdown and the pane's subtitle say so) until it is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Select, TextArea

from incident import comms
from incident.model import Status
from incident.state import IncidentState
from tui.messages import Drafted
from tui.widgets.comms_countdown import countdown_text, subtitle, warning
from tui.widgets.confirm import ConfirmSend, ask, confirm_discard
from tui.widgets.notify import NotifyList
from tui.widgets.ticker import Ticker

LABELS = comms.TEMPLATE_LABELS
AUDIENCE = "status-page"  # the first audience shown
SELECTED_KEY = "comms.selected"  # the audience and template last shown, "<aud>/<template>"


class CommsPane(Vertical):
    """Drafts of the initial, progress and resolution messages, per audience."""

    DEFAULT_CSS = """
    CommsPane {
        border-subtitle-style: bold;
        &.-owed { border-subtitle-color: $due-soon; }
        #comms-head { height: 1; }
        #comms-audience { width: 15; }
        #comms-template { width: 21; }
        #comms-due {
            width: 1fr;
            padding: 0 0 0 1;
            text-wrap: nowrap;
            text-overflow: ellipsis;
            &.-soon { color: $due-soon; text-style: bold; }
            &.-overdue { background: $overdue; color: $sev-text; text-style: bold; }
            &.-owed { color: $due-soon; text-style: bold; }
        }
        #comms-cadence { height: 1; }
        .cad {
            width: 1fr;
            padding: 0 1 0 0;
            text-wrap: nowrap;
            text-overflow: ellipsis;
            &.-current { text-style: bold underline; }
            &.-none { color: $text-muted; }
            &.-soon { color: $due-soon; text-style: bold; }
            &.-overdue { background: $overdue; color: $sev-text; text-style: bold; }
            &.-overdue.-current { text-style: bold underline; }
            &.-owed { color: $due-soon; text-style: bold; }
            &.-owed.-current { text-style: bold underline; }
        }
        #comms-notify {
            height: auto;
            max-height: 4;
            border: none;
            border-top: solid $border-blurred;
            padding: 0;
            background: $surface;
            border-title-color: $text-muted;
            &:focus { border-top: solid $primary; }
        }
    }
    """
    ALLOW_MAXIMIZE = True
    BORDER_TITLE = "Comms"
    BINDINGS = [
        Binding(
            "ctrl+s",
            "send",
            "Mark sent",
            tooltip="Record the draft as sent to its audience; its countdown starts again",
        ),
        Binding("ctrl+r", "reset", "From template", tooltip="Start again (an edit asks first)"),
        Binding(
            "ctrl+n",
            "next_audience",
            "Audience",
            tooltip="Next audience: status page, internal, executives",
        ),
        Binding(
            "ctrl+t",
            "next_template",
            "Template",
            show=False,
            tooltip="Next template: initial, progress, resolution",
        ),
    ]

    state: reactive[IncidentState | None] = reactive(None, always_update=True)
    now: reactive[datetime | None] = reactive(None, always_update=True)

    class DraftChanged(Drafted):
        """The text of a draft changed: autosave it under ``key``."""

    @dataclass
    class Send(Message):
        """Record ``text`` as sent to ``audience``."""

        audience: str
        template: str
        text: str
        unfilled_ok: bool = False  # the IC confirmed sending it with [placeholders] in it

    def __init__(
        self,
        drafts: dict[str, str] | None = None,
        *,
        local_tz: tzinfo | None = None,
        templates: tuple[dict[str, str], list[str]] = ({}, []),
        **kwargs,
    ) -> None:
        """``drafts`` as stored; ``templates`` the team's own (``load_user_templates``) and
        what was wrong with them."""
        super().__init__(**kwargs)
        self.local_tz = local_tz
        self._drafts = {k: v for k, v in (drafts or {}).items() if k != SELECTED_KEY}
        self._audience, self._template = AUDIENCE, "initial"
        self._chosen: dict[str, str] = {}  # audience -> template the IC picked
        aud, _, tpl = (drafts or {}).get(SELECTED_KEY, "").partition("/")
        if aud in comms.AUDIENCES and tpl in comms.TEMPLATES:
            self._audience, self._chosen[aud] = aud, tpl
        self._suggested = False
        self._resolved = False  # as the incident was at the last state seen
        self._shown = ""  # the key of the draft in the text area
        self._rendered = ""  # the last draft loaded from its template (not typed)
        self._seen: dict[str, str] = {}  # audience -> due state at the last tick
        self.templates, self.template_problems = templates

    def compose(self) -> ComposeResult:
        with Horizontal(id="comms-head"):
            yield Select(
                [(comms.AUDIENCE_LABELS[a], a) for a in comms.AUDIENCES],
                value=self._audience,
                allow_blank=False,
                id="comms-audience",
                compact=True,
            )
            yield Select(
                [(LABELS[t], t) for t in comms.TEMPLATES],
                value=self._chosen.get(self._audience, "initial"),
                allow_blank=False,
                id="comms-template",
                compact=True,
            )
            yield Ticker(id="comms-due")
        with Horizontal(id="comms-cadence"):
            for a in comms.AUDIENCES:
                yield Ticker(id=f"cad-{a}", classes="cad")
        yield TextArea(id="comms-draft", soft_wrap=True, show_line_numbers=False, compact=True)
        yield NotifyList(id="comms-notify")

    # ------------------------------------------------------------------ what is shown
    @property
    def audience(self) -> str:
        return self._audience

    @property
    def template(self) -> str:
        return self._template

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    def key_for(self, template: str, audience: str | None = None) -> str:
        return f"comms.{audience or self._audience}.{template}"

    def on_mount(self) -> None:
        for problem in self.template_problems:
            self.notify(problem, title="Templates", severity="warning", markup=False, timeout=10)
        self._choose_template()
        self._load()

    def watch_state(self, state: IncidentState | None) -> None:
        if self.is_mounted:
            self.query_one(NotifyList).state = state
            resolved = state is not None and state.status is Status.RESOLVED
            if resolved and self._suggested and not self._resolved:
                self._chosen.clear()  # resolved now: on to the resolution notices
                self._suggested = False
            self._resolved = resolved
            if state is not None and not self._suggested:
                self._suggested = True  # the template follows the incident at first and
                self._choose_template()  # when it is resolved
            self._load()  # an untouched draft follows the incident (service, root cause...)
        self._countdown()

    def watch_now(self) -> None:
        if self.is_mounted:
            self._load()  # ... and the clock (the next update it promises)
        self._countdown()

    def on_resize(self) -> None:
        self._countdown()  # the countdown texts fit the width

    def _choose_template(self) -> None:
        s = self.state
        tpl = self._chosen.get(self._audience)
        if tpl is None:
            tpl = comms.suggested_template(s, self._audience) if s is not None else "initial"
        self._template = tpl
        select = self.query_one("#comms-template", Select)
        if select.value != tpl:
            select.value = tpl  # (its Changed message is ignored: it is the template shown)

    def _countdown(self) -> None:
        s, now = self.state, self.now
        if s is None or now is None or not self.is_mounted:
            return
        width = self.content_size.width
        tight = width < 3 * 17  # three "exec LATE 23:00 " side by side
        countdowns = comms.countdowns(s, now)
        for c in countdowns:
            label = self.query_one(f"#cad-{c.audience}", Ticker)
            label.text = Content(countdown_text(c, now, tight=tight))
            label.set_classes(
                f"cad -{c.state}" + (" -current" if c.audience == self._audience else "")
            )
            if c.audience == self._audience:
                due = self.query_one("#comms-due", Ticker)
                room = width - 15 - 21 - 1  # beside the two selects: the longest that fits
                forms = [countdown_text(c, now, short=False)] + [
                    countdown_text(c, now, tight=t).removeprefix(f"{c.short} ")
                    for t in (False, True)
                ]
                text = next((f for f in forms if len(f) <= room), forms[-1])
                due.text = Content(text)
                due.set_classes(f"-{c.state}")
            self._warn(c, now)
        said = subtitle(countdowns)
        self.set_class(said.startswith("UPDATE OVERDUE"), "-overdue")
        self.set_class(said.startswith("RESOLUTION OWED"), "-owed")
        if self.border_subtitle != said:  # (setting it repaints the whole pane)
            self.border_subtitle = said

    def _warn(self, c: comms.Countdown, now: datetime) -> None:
        """A toast as an update becomes due soon, a bell when late (not at the start)."""
        before = self._seen.get(c.audience)
        self._seen[c.audience] = c.state
        said = warning(c, now) if before is not None and before != c.state else None
        if said is not None:
            text, severity, timeout = said
            self.notify(text, title="Comms", severity=severity, timeout=timeout, markup=False)
            if c.state == "overdue":
                self.app.bell()

    def render_draft(self, template: str, audience: str) -> str:
        s, now = self.state, self.now
        assert s is not None and now is not None
        return comms.render(
            template,
            s,
            now,
            audience=audience,
            local=self.local_tz,
            text=self.templates.get(template),
        )

    def _load(self) -> None:
        if self.state is None or self.now is None or not self.is_mounted:
            return
        key = self.key_for(self._template)
        text = self._drafts.get(key)
        if text is None:
            text = self._rendered = self.render_draft(self._template, self._audience)
        area = self.query_one(TextArea)
        if area.text != text:
            cursor = area.cursor_location
            area.load_text(text)
            if key == self._shown:  # the same draft, refreshed: the cursor stays put
                area.cursor_location = cursor  # (clamped to the new text)
        self._shown = key

    # ------------------------------------------------------------------ edits
    @on(Select.Changed, "#comms-template")
    def _template_changed(self, event: Select.Changed) -> None:
        if event.value in (self._template, None) or event.value != event.select.value:
            return  # Select reports its first value and values set from here, maybe late
        self._template = self._chosen[self._audience] = str(event.value)
        self._remember()
        self._load()

    @on(Select.Changed, "#comms-audience")
    def _audience_changed(self, event: Select.Changed) -> None:
        if event.value in (self._audience, None) or event.value != event.select.value:
            return
        self._audience = str(event.value)
        self._choose_template()
        self._remember()
        self._load()
        self._countdown()

    def _remember(self) -> None:
        self.post_message(self.DraftChanged(SELECTED_KEY, f"{self._audience}/{self._template}"))

    @on(TextArea.Changed)
    def _edited(self, event: TextArea.Changed) -> None:
        text, key = event.text_area.text, self.key_for(self._template)
        if key not in self._drafts and text == self._rendered:
            return  # loaded from the template, not typed
        if self._drafts.get(key) == text:
            return  # loaded from the saved draft
        self._drafts[key] = text
        self.post_message(self.DraftChanged(key, text))

    def replace_text(self, text: str) -> None:
        """Put ``text`` in the draft as an edit (autosaved), e.g. from ``$EDITOR``."""
        self.query_one(TextArea).load_text(text)

    def action_next_audience(self) -> None:
        i = comms.AUDIENCES.index(self._audience)
        self.query_one("#comms-audience", Select).value = comms.AUDIENCES[
            (i + 1) % len(comms.AUDIENCES)
        ]

    def action_next_template(self) -> None:
        i = comms.TEMPLATES.index(self._template)
        self.query_one("#comms-template", Select).value = comms.TEMPLATES[
            (i + 1) % len(comms.TEMPLATES)
        ]

    def action_send(self) -> None:
        """Mark the draft sent; one that still holds ``[placeholders]`` asks first."""
        text, audience, template = self.text.strip(), self._audience, self._template
        if not text:
            return
        left = comms.unfilled(text)
        if not left:
            self.post_message(self.Send(audience, template, text))
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.post_message(self.Send(audience, template, text, unfilled_ok=True))

        label = comms.AUDIENCE_LABELS[audience]
        self.app.push_screen(ConfirmSend(left, label), answered)

    def sent(self, audience: str, template: str) -> None:
        """The store recorded the update: the draft starts afresh from its template (after
        the initial response, the next one is a progress update)."""
        key = self.key_for(template, audience)
        self._drafts.pop(key, None)
        # Called from the screen's handler: without this sender the message would stop at
        # the screen (Textual does not bubble past the sender) and the app would keep the
        # sent text as the draft.
        self.post_message(self.DraftChanged(key, "").set_sender(self))
        if template == "initial" and audience == self._audience:
            self.query_one("#comms-template", Select).value = "progress"
        self._load()

    def action_reset(self) -> None:  # (an edited draft asks first)
        key = self.key_for(self._template)
        text = self._drafts.get(key)
        if text is None or text == self.render_draft(self._template, self._audience):
            self._reset(key)  # (the template already: nothing to lose)
            return
        what = f"{comms.AUDIENCE_LABELS[self._audience]} {LABELS[self._template]}".lower()
        ask(self, confirm_discard(what), lambda: self._reset(key))

    def _reset(self, key: str) -> None:
        self._drafts.pop(key, None)
        self.post_message(self.DraftChanged(key, ""))
        self._load()

    def on_key(self, event) -> None:
        """Escape leaves the draft editor (for the audience), the zoom only after that."""
        if event.key == "escape" and self.query_one(TextArea).has_focus:
            event.stop()
            self.query_one("#comms-audience", Select).focus()
