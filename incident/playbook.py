"""The playbook as data: ``playbook.toml`` beside this file, validated on load.

Nothing about phases, budgets, severities or delegation is written in code; the console,
the report and the comms drafts all read it from here.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field

from incident.model import PhaseId, Severity


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Phase(_Data):
    id: PhaseId
    number: int
    name: str
    lead: str
    supporting: tuple[str, ...]
    actions: tuple[str, ...]
    budget_minutes: int | None = None
    budget_label: str | None = None


class SeverityLevel(_Data):
    level: Severity
    name: str
    summary: str
    criteria: tuple[str, ...]
    response: str
    notify: tuple[str, ...]
    update_minutes: int = Field(gt=0)


class ImmediateAction(_Data):
    name: str
    description: str


class Procedures(_Data):
    during_incident: tuple[str, ...]
    post_incident: tuple[str, ...]
    status_page_minutes: tuple[int, int]


class SymptomDelegation(_Data):
    symptom: str
    delegates: tuple[str, ...]


class PhaseDelegation(_Data):
    phase: PhaseId
    label: str
    delegate: str


class Delegation(_Data):
    by_symptom: tuple[SymptomDelegation, ...]
    by_phase: tuple[PhaseDelegation, ...]


class RoleDef(_Data):
    id: str
    label: str


class Contact(_Data):
    role: str
    contact: str


class Templates(_Data):
    initial: str
    progress: str
    resolution: str


class Playbook(_Data):
    name: str
    mission: str
    severity_rule: str
    phases: tuple[Phase, ...]
    severities: tuple[SeverityLevel, ...]
    immediate_actions: tuple[ImmediateAction, ...]
    procedures: Procedures
    delegation: Delegation
    roles: tuple[RoleDef, ...]
    emergency_contacts: tuple[Contact, ...]
    templates: Templates
    best_practices: tuple[str, ...]

    def phase(self, phase_id: PhaseId | str) -> Phase:
        pid = PhaseId(phase_id)
        return next(p for p in self.phases if p.id == pid)

    def severity(self, level: Severity | str) -> SeverityLevel:
        sev = Severity(level)
        return next(s for s in self.severities if s.level == sev)

    def next_phase(self, phase_id: PhaseId | str) -> Phase | None:
        ids = [p.id for p in self.phases]
        i = ids.index(PhaseId(phase_id))
        return self.phases[i + 1] if i + 1 < len(ids) else None

    def checklist_keys(self) -> list[str]:
        """Every checklist item as ``"<phase>:<n>"`` or ``"immediate:<n>"``, in order."""
        keys = [f"immediate:{i}" for i in range(len(self.immediate_actions))]
        for p in self.phases:
            keys += [f"{p.id.value}:{i}" for i in range(len(p.actions))]
        return keys

    def checklist_label(self, key: str) -> str:
        """The text of a checklist item from its key; raises KeyError for an unknown key."""
        group, _, index = key.partition(":")
        if not (index.isascii() and index.isdigit()):  # not '²' or '٣'
            raise KeyError(key)
        i = int(index)
        if group == "immediate":
            if i >= len(self.immediate_actions):
                raise KeyError(key)
            a = self.immediate_actions[i]
            return f"{a.name} - {a.description}"
        try:
            actions = self.phase(group).actions
        except ValueError:
            raise KeyError(key) from None
        if i >= len(actions):
            raise KeyError(key)
        return actions[i]

    def suggest_delegates(self, symptom_text: str) -> list[SymptomDelegation]:
        """Delegation-by-symptom rows whose symptom words appear in ``symptom_text``."""
        words = symptom_text.lower()
        hits = []
        for row in self.delegation.by_symptom:
            key = row.symptom.lower().split()[0]
            # whole words: "rapid" is not "api"
            if (
                re.search(rf"\b{re.escape(key.rstrip('s'))}s?\b", words)
                or row.symptom.lower() in words
            ):
                hits.append(row)
        return hits


@cache
def load_playbook() -> Playbook:
    """The built-in playbook (validated once, then shared)."""
    text = resources.files("incident").joinpath("playbook.toml").read_text(encoding="utf-8")
    return Playbook.model_validate(tomllib.loads(text))
