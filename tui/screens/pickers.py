"""Dialogs that pick one thing: severity (with the playbook's criteria), status (with the
resolution fields), and phase (with budgets and leads)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from incident.model import PhaseId, Resolution, Severity, Status
from incident.playbook import load_playbook
from tui.widgets.field import Field


class _Picker(ModalScreen):
    """Opens on the current value, marked "(current)": Enter right away changes nothing,
    and Down, Enter is the next one (never one further)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    current: Severity | Status | PhaseId

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_mount(self) -> None:
        ol = self.query_one(OptionList)
        ol.highlighted = ol.get_option_index(self.current.value)
        ol.focus()


class SeverityDialog(_Picker):
    """Pick SEV-1/2/3 against the playbook's criteria; an optional reason goes on record."""

    def __init__(self, current: Severity) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        pb = load_playbook()
        options = []
        for sev in pb.severities:
            mark = "  (current)" if sev.level is self.current else ""
            parts: list = [
                (
                    f"{sev.level.value}  {sev.name} - {sev.summary}{mark}",
                    f"bold $sev{sev.level.rank}",
                )
            ]
            parts += [f"\n   • {c}" for c in sev.criteria]
            parts.append((f"\n   Response: {sev.response}", "italic"))
            options.append(Option(Content.assemble(*parts), id=sev.level.value))
        with Vertical(classes="dialog", id="severity-dialog") as box:
            box.border_title = "Severity"
            yield Label(Content.styled(pb.severity_rule, "bold $warning"))
            yield OptionList(*options, id="severity-options")
            yield Label("Reason (optional)")
            yield Field(placeholder="e.g. checkout fully down for EU users", id="sev-reason")
            yield Label("Enter chooses · Escape cancels", classes="dialog-hint")

    def _choose(self) -> None:
        opt = self.query_one(OptionList).highlighted_option
        if opt is not None and opt.id:
            reason = self.query_one("#sev-reason", Input).value.strip() or None
            self.dismiss((Severity(opt.id), reason))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose()

    @on(Input.Submitted)
    def _reason(self, event: Input.Submitted) -> None:
        event.stop()
        self._choose()


class StatusDialog(_Picker):
    """Active, mitigated or resolved; the latter two ask for the resolution."""

    def __init__(self, current: Status, resolution: Resolution) -> None:
        super().__init__()
        self.current = current
        self.resolution = resolution

    def compose(self) -> ComposeResult:
        hints = {
            Status.ACTIVE: "response under way (reopen)",
            Status.MITIGATED: "impact stopped, cause not yet fixed",
            Status.RESOLVED: "fixed and validated; post-incident begins",
        }
        options = [
            Option(
                Content.assemble(
                    (f"{s.emoji} {s.value}", f"bold $status-{s.value.lower()}"),
                    f"  {hints[s]}",
                    ("  (current)" if s is self.current else "", "dim"),
                ),
                id=s.value,
            )
            for s in Status
        ]
        r = self.resolution
        with Vertical(classes="dialog", id="status-dialog") as box:
            box.border_title = "Status"
            yield OptionList(*options, id="status-options")
            yield Label("Resolution: immediate (mitigated / resolved)")
            yield Field(
                r.immediate or "",
                placeholder="e.g. Increased connection pool size",
                id="res-immediate",
            )
            yield Label("Resolution: permanent")
            yield Field(
                r.permanent or "", placeholder="e.g. Fixed connection leak", id="res-permanent"
            )
            yield Label("Resolution: deployed version")
            yield Field(r.deployed or "", placeholder="e.g. v2.3.2", id="res-deployed")
            yield Label(
                "Enter on a status or a field saves · Escape cancels", classes="dialog-hint"
            )

    def _choose(self) -> None:
        opt = self.query_one(OptionList).highlighted_option
        if opt is None or not opt.id:
            return
        status = Status(opt.id)
        res = Resolution(
            **{
                f: (self.query_one(f"#res-{f}", Input).value.strip() or None)
                for f in ("immediate", "permanent", "deployed")
            }
        )
        self.dismiss((status, res if status is not Status.ACTIVE else None))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if Status(event.option.id) is not Status.ACTIVE:
            self.query_one("#res-immediate", Input).focus()
        else:
            self._choose()

    @on(Input.Submitted)
    def _field(self, event: Input.Submitted) -> None:
        event.stop()
        self._choose()


class PhaseDialog(_Picker):
    """Move the incident to a phase; the list shows budgets and leads."""

    def __init__(self, current: PhaseId) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        options = []
        for p in load_playbook().phases:
            budget = f" · {p.budget_minutes} min" if p.budget_minutes else ""
            mark = "  (current)" if p.id is self.current else ""
            options.append(
                Option(
                    Content.assemble(
                        (f"{p.number}. {p.name}{budget}{mark}", "bold"),
                        ("\n   lead ", "dim"),
                        p.lead,
                    ),
                    id=p.id.value,
                )
            )
        with Vertical(classes="dialog", id="phase-dialog") as box:
            box.border_title = "Phase"
            yield OptionList(*options, id="phase-options")
            yield Label("Enter moves to the phase · Escape cancels", classes="dialog-hint")

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(PhaseId(event.option.id))
