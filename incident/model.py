"""The vocabulary of an incident: severities, statuses, phases, people and findings.

These are value objects. The incident as a whole (:class:`incident.state.IncidentState`) is
never stored: it is folded from the journal of :mod:`incident.journal` events.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from incident.errors import InvalidInput


class Frozen(BaseModel):
    """Base of the domain's immutable value objects."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Severity(StrEnum):
    SEV1 = "SEV-1"
    SEV2 = "SEV-2"
    SEV3 = "SEV-3"

    @property
    def rank(self) -> int:
        """1 is the most severe."""
        return int(self.value[-1])

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Accept ``SEV-1``, ``sev1``, ``1``...; raise :class:`InvalidInput` otherwise."""
        m = re.fullmatch(r"\s*(?:sev)?[-_ ]?([123])\s*", text, flags=re.IGNORECASE)
        if not m:
            raise InvalidInput(f"unknown severity {text!r}: use SEV-1, SEV-2 or SEV-3")
        return cls(f"SEV-{m.group(1)}")


class Status(StrEnum):
    ACTIVE = "ACTIVE"
    MITIGATED = "MITIGATED"
    RESOLVED = "RESOLVED"

    @property
    def emoji(self) -> str:
        return {"ACTIVE": "🚨", "MITIGATED": "🔧", "RESOLVED": "✅"}[self.value]

    @classmethod
    def parse(cls, text: str) -> Status:
        try:
            return cls(text.strip().upper())
        except ValueError:
            raise InvalidInput(
                f"unknown status {text!r}: use active, mitigated or resolved"
            ) from None


class PhaseId(StrEnum):
    TRIAGE = "triage"
    ROOT_CAUSE = "root_cause"
    FIX = "fix"
    DEPLOY = "deploy"
    POST_INCIDENT = "post_incident"

    @classmethod
    def parse(cls, text: str) -> PhaseId:
        key = text.strip().lower().replace("-", "_").replace(" ", "_")
        aliases = {
            "rca": "root_cause",
            "rootcause": "root_cause",
            "deployment": "deploy",
            "postmortem": "post_incident",
            "post": "post_incident",
            "1": "triage",
            "2": "root_cause",
            "3": "fix",
            "4": "deploy",
            "5": "post_incident",
        }
        try:
            return cls(aliases.get(key, key))
        except ValueError:
            names = ", ".join(p.value for p in cls)
            raise InvalidInput(f"unknown phase {text!r}: use one of {names}") from None


class StatusPage(StrEnum):
    """The public status page, as the report's "Status Page" line states it."""

    UNKNOWN = "unknown"
    NOT_REQUIRED = "Not Required"
    UPDATED = "Updated"
    PENDING = "Pending"


class Role(StrEnum):
    """The playbook's named roles; participants may also hold free-text roles."""

    COMMANDER = "commander"
    TECHNICAL_LEAD = "technical_lead"
    OPERATIONS = "operations"
    DATABASE = "database"
    COMMUNICATIONS = "communications"


ROLE_LABELS: dict[str, str] = {
    Role.COMMANDER: "Incident Commander",
    Role.TECHNICAL_LEAD: "Technical Lead",
    Role.OPERATIONS: "Operations",
    Role.DATABASE: "Database",
    Role.COMMUNICATIONS: "Communications",
}


def role_label(role: str) -> str:
    """The report label of a role id; a free role is shown as it was typed."""
    return ROLE_LABELS.get(role, role)


class Participant(Frozen):
    name: str
    role: str


class RootCause(Frozen):
    what: str | None = None
    why: str | None = None
    where: str | None = None


class Resolution(Frozen):
    immediate: str | None = None
    permanent: str | None = None
    deployed: str | None = None


class ImpactSummary(Frozen):
    users_affected: str | None = None
    failed_requests: str | None = None
    revenue_impact: str | None = None


class ActionItem(Frozen):
    id: int
    text: str
    owner: str | None = None
    done: bool = False
    due: str | None = None  # a date, YYYY-MM-DD
