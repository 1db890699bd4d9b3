"""Parsing what people type into the domain's vocabulary."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from incident.errors import InvalidInput, WarroomError
from incident.model import (
    ActionItem,
    PhaseId,
    RootCause,
    Severity,
    Status,
    role_label,
)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("SEV-1", Severity.SEV1),
        ("sev-2", Severity.SEV2),
        ("SEV3", Severity.SEV3),
        ("sev 1", Severity.SEV1),
        ("Sev_2", Severity.SEV2),
        ("1", Severity.SEV1),
        ("  3  ", Severity.SEV3),
    ],
)
def test_severity_parse(text: str, want: Severity) -> None:
    assert Severity.parse(text) is want


@pytest.mark.parametrize(
    "text", ["", "SEV-0", "SEV-4", "sev", "critical", "SEV-12", "S1", "sev--1", "１"]
)
def test_severity_parse_rejects(text: str) -> None:
    with pytest.raises(InvalidInput, match="unknown severity"):
        Severity.parse(text)


def test_severity_rank_orders_by_gravity() -> None:
    assert [s.rank for s in Severity] == [1, 2, 3]
    assert Severity.SEV1.rank < Severity.SEV3.rank


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("active", Status.ACTIVE),
        ("MITIGATED", Status.MITIGATED),
        (" Resolved ", Status.RESOLVED),
    ],
)
def test_status_parse(text: str, want: Status) -> None:
    assert Status.parse(text) is want


@pytest.mark.parametrize("text", ["", "closed", "resolve", "stable", "✅"])
def test_status_parse_rejects(text: str) -> None:
    with pytest.raises(InvalidInput, match="unknown status"):
        Status.parse(text)


def test_status_emoji_matches_playbook() -> None:
    assert [s.emoji for s in Status] == ["🚨", "🔧", "✅"]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("triage", PhaseId.TRIAGE),
        ("Root Cause", PhaseId.ROOT_CAUSE),
        ("root-cause", PhaseId.ROOT_CAUSE),
        ("rca", PhaseId.ROOT_CAUSE),
        ("FIX", PhaseId.FIX),
        ("deployment", PhaseId.DEPLOY),
        ("postmortem", PhaseId.POST_INCIDENT),
        ("post-incident", PhaseId.POST_INCIDENT),
        ("1", PhaseId.TRIAGE),
        ("5", PhaseId.POST_INCIDENT),
    ],
)
def test_phase_parse(text: str, want: PhaseId) -> None:
    assert PhaseId.parse(text) is want


@pytest.mark.parametrize("text", ["", "0", "6", "lunch", "root"])
def test_phase_parse_rejects(text: str) -> None:
    with pytest.raises(InvalidInput, match="unknown phase"):
        PhaseId.parse(text)


def test_role_label() -> None:
    assert role_label("commander") == "Incident Commander"
    assert role_label("technical_lead") == "Technical Lead"
    assert role_label("Scribe") == "Scribe"


def test_invalid_input_is_a_warroom_error_with_its_exit_code() -> None:
    with pytest.raises(WarroomError) as info:
        Severity.parse("x")
    assert info.value.exit_code == 2
    assert "\n" not in str(info.value)


def test_value_objects_are_frozen_and_strict() -> None:
    rc = RootCause(what="pool")
    with pytest.raises(ValidationError):
        rc.what = "other"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        ActionItem(id=1, text="x", surprise=True)  # type: ignore[call-arg]
