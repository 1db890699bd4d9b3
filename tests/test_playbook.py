"""The playbook as data (incident/playbook.toml) says exactly what the seed playbook says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from incident.model import PhaseId, Severity
from incident.playbook import Playbook, load_playbook

SEED = Path(__file__).resolve().parents[2] / "shared/seed/000_7d9d52d2f4344849.txt"

PHASES = [
    (
        "triage",
        1,
        "Triage & Assessment",
        "@devops-troubleshooter",
        ("@network-engineer", "@debugger"),
        (
            "Assess severity and user impact",
            "Gather initial diagnostics",
            "Establish communication channels",
            "Implement immediate mitigations",
        ),
    ),
    (
        "root_cause",
        2,
        "Root Cause Analysis",
        "@debugger",
        ("Relevant specialists based on symptoms",),
        (
            "Analyze logs and metrics",
            "Reproduce issue if possible",
            "Identify root cause",
            "Develop fix strategy",
        ),
    ),
    (
        "fix",
        3,
        "Solution Implementation",
        "Appropriate specialist (determined by root cause)",
        ("@code-reviewer (expedited review)",),
        ("Implement fix", "Fast-track testing", "Prepare deployment"),
    ),
    (
        "deploy",
        4,
        "Deployment & Validation",
        "@deployment-orchestrator (emergency mode)",
        ("@devops-troubleshooter",),
        (
            "Emergency deployment procedures",
            "Monitor fix effectiveness",
            "Validate resolution",
            "Monitor for regressions",
        ),
    ),
    (
        "post_incident",
        5,
        "Post-Incident Procedures",
        "@documentation-specialist",
        ("All involved parties",),
        ("Create incident report", "Document timeline", "Identify improvements", "Update runbooks"),
    ),
]

SEVERITIES = [
    (
        "SEV-1",
        "Critical",
        "Full Outage",
        ("Service completely unavailable", "Data loss occurring", "Security breach active"),
        "All hands, executive notification",
    ),
    (
        "SEV-2",
        "Major",
        "Partial Outage",
        (
            "Key features unavailable",
            "Significant performance degradation",
            "Affecting >25% of users",
        ),
        "Core team, stakeholder notification",
    ),
    (
        "SEV-3",
        "Minor",
        "Degraded Service",
        (
            "Non-critical features affected",
            "Performance slower but usable",
            "Affecting <25% of users",
        ),
        "Standard team, normal hours",
    ),
]

TEMPLATES = {
    "initial": "We are aware of issues affecting [service]. Our team is investigating. "
    "Updates every 15 minutes.",
    "progress": "We have identified the root cause as [issue]. A fix is being implemented. "
    "ETA: [time]",
    "resolution": "The issue has been resolved. All services are operating normally. "
    "We apologize for any inconvenience.",
}

IMMEDIATE = [
    ("Acknowledge", "Confirm receipt of incident"),
    ("Assess", "Determine severity and impact"),
    ("Assemble", "Gather appropriate team"),
    ("Communicate", "Notify stakeholders"),
    ("Act", "Begin mitigation/resolution"),
]

DURING = (
    "Update status page every 15-30 minutes",
    "Keep communication channel active",
    "Document all actions taken",
    "Coordinate with support team",
    "Consider rollback options",
)
POST = (
    "Conduct blameless post-mortem",
    "Update documentation",
    "Implement preventive measures",
    "Share learnings with team",
    "Update monitoring/alerts",
)

BY_SYMPTOM = [
    ("API errors", ("@debugger", "@backend specialist")),
    ("Database issues", ("@database-optimizer", "@sql-pro")),
    ("Network problems", ("@network-engineer",)),
    ("Performance", ("@performance-optimizer",)),
    ("Security", ("@security-auditor",)),
    ("Frontend issues", ("@frontend specialist",)),
]
BY_PHASE = [
    ("triage", "Initial response", "@devops-troubleshooter"),
    ("root_cause", "Investigation", "@debugger"),
    ("fix", "Fix implementation", "Relevant specialist"),
    ("deploy", "Deployment", "@deployment-engineer"),
    ("post_incident", "Documentation", "@documentation-specialist"),
]


@pytest.fixture(scope="module")
def pb() -> Playbook:
    return load_playbook()


@pytest.fixture(scope="module")
def seed() -> str:
    if not SEED.is_file():
        pytest.skip(f"seed playbook not found at {SEED}")
    return SEED.read_text(encoding="utf-8")


def _section(seed: str, heading: str) -> str:
    """The text of a ``### heading`` section of the seed, up to the next heading."""
    m = re.search(rf"^#+ {re.escape(heading)}\s*$(.*?)(?=^#+ |\Z)", seed, re.M | re.S)
    assert m, f"no section {heading!r} in the seed"
    return m.group(1)


def _bullets(section: str) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(r"^\s*- (.+)$", section, re.M)]


# ------------------------------------------------------------------ phases
def test_five_phases_in_order(pb: Playbook) -> None:
    got = [(p.id.value, p.number, p.name, p.lead, p.supporting, p.actions) for p in pb.phases]
    assert got == PHASES


def test_phase_budgets(pb: Playbook) -> None:
    assert pb.phase(PhaseId.TRIAGE).budget_minutes == 15
    assert pb.phase("triage").budget_label == "First 15 minutes"
    assert pb.phase(PhaseId.ROOT_CAUSE).budget_minutes == 30
    assert pb.phase("root_cause").budget_label == "Next 30 minutes"
    assert [p.budget_minutes for p in pb.phases[2:]] == [None, None, None]


def test_next_phase(pb: Playbook) -> None:
    assert pb.next_phase("triage").id is PhaseId.ROOT_CAUSE
    assert pb.next_phase(PhaseId.DEPLOY).id is PhaseId.POST_INCIDENT
    assert pb.next_phase(PhaseId.POST_INCIDENT) is None


def test_phase_lookup_rejects_unknown(pb: Playbook) -> None:
    with pytest.raises(ValueError):
        pb.phase("lunch")


# ------------------------------------------------------------------ severities
def test_three_severities(pb: Playbook) -> None:
    got = [(s.level.value, s.name, s.summary, s.criteria, s.response) for s in pb.severities]
    assert got == SEVERITIES


def test_severity_lookup_and_update_cadence(pb: Playbook) -> None:
    assert pb.severity("SEV-1").level is Severity.SEV1
    assert pb.severity(Severity.SEV3).name == "Minor"
    assert [s.update_minutes for s in pb.severities] == [15, 15, 30]
    assert pb.severity_rule.startswith("When unsure, pick the higher severity")


# ------------------------------------------------------------------ procedures
def test_immediate_actions(pb: Playbook) -> None:
    assert [(a.name, a.description) for a in pb.immediate_actions] == IMMEDIATE


def test_during_and_post_incident_procedures(pb: Playbook) -> None:
    assert pb.procedures.during_incident == DURING
    assert pb.procedures.post_incident == POST
    assert pb.procedures.status_page_minutes == (15, 30)


def test_delegation(pb: Playbook) -> None:
    assert [(d.symptom, d.delegates) for d in pb.delegation.by_symptom] == BY_SYMPTOM
    got = [(d.phase.value, d.label, d.delegate) for d in pb.delegation.by_phase]
    assert got == BY_PHASE


def test_templates(pb: Playbook) -> None:
    assert pb.templates.model_dump() == TEMPLATES


def test_roles_and_contacts(pb: Playbook) -> None:
    assert [r.label for r in pb.roles] == [
        "Incident Commander",
        "Technical Lead",
        "Operations",
        "Database",
        "Communications",
    ]
    assert [(c.role, c.contact) for c in pb.emergency_contacts][:4] == [
        ("On-Call Engineer", "@devops-troubleshooter"),
        ("Database Admin", "@database-optimizer"),
        ("Security Team", "@security-auditor"),
        ("Customer Comms", "@customer-support"),
    ]
    assert len(pb.best_practices) == 5


# ------------------------------------------------------------------ checklist
def test_checklist_keys(pb: Playbook) -> None:
    keys = pb.checklist_keys()
    assert keys[:5] == [f"immediate:{i}" for i in range(5)]
    assert keys[5:9] == [f"triage:{i}" for i in range(4)]
    assert keys[-1] == "post_incident:3"
    assert len(keys) == 5 + 4 + 4 + 3 + 4 + 4
    assert len(set(keys)) == len(keys)


def test_checklist_label(pb: Playbook) -> None:
    assert pb.checklist_label("immediate:0") == "Acknowledge - Confirm receipt of incident"
    assert pb.checklist_label("immediate:4") == "Act - Begin mitigation/resolution"
    assert pb.checklist_label("triage:0") == "Assess severity and user impact"
    assert pb.checklist_label("fix:2") == "Prepare deployment"
    for key in pb.checklist_keys():
        assert pb.checklist_label(key)


@pytest.mark.parametrize(
    "key",
    [
        "immediate:5",
        "triage:4",
        "fix:3",
        "lunch:0",
        "triage",
        "triage:",
        ":0",
        "triage:-1",
        "triage:x",
        "triage:²",
        "triage:٣",
        "",
        "TRIAGE:0",
    ],
)
def test_checklist_label_unknown_key(pb: Playbook, key: str) -> None:
    with pytest.raises(KeyError):
        pb.checklist_label(key)


# ------------------------------------------------------------------ delegation
@pytest.mark.parametrize(
    ("text", "symptoms"),
    [
        ("Our API is down! Users get 500 errors", ["API errors"]),
        ("database connection pool exhausted", ["Database issues"]),
        (
            "Network problems between zones and slow performance",
            ["Network problems", "Performance"],
        ),
        ("security breach in the frontend", ["Security", "Frontend issues"]),
        ("APIs and databases both failing", ["API errors", "Database issues"]),
        ("rapid capital growth", []),  # "api" inside a word is not the API
        ("everything is fine", []),
        ("", []),
    ],
)
def test_suggest_delegates(pb: Playbook, text: str, symptoms: list[str]) -> None:
    assert [d.symptom for d in pb.suggest_delegates(text)] == symptoms


def test_suggest_delegates_gives_delegates(pb: Playbook) -> None:
    (row,) = pb.suggest_delegates("Database is slow to answer")
    assert row.delegates == ("@database-optimizer", "@sql-pro")


def test_playbook_is_loaded_once(pb: Playbook) -> None:
    assert load_playbook() is pb


# ------------------------------------------------------------------ against the seed text
def test_phases_match_seed(pb: Playbook, seed: str) -> None:
    for p in pb.phases:
        sec = _section(
            seed, f"Phase {p.number}: {p.name}" + (f" ({p.budget_label})" if p.budget_label else "")
        )
        assert f"- **Lead**: {p.lead}\n" in sec
        assert f"- **Supporting**: {', '.join(p.supporting)}\n" in sec
        assert _bullets(sec.split("**Actions**:", 1)[1]) == list(p.actions)


def test_severities_match_seed(pb: Playbook, seed: str) -> None:
    for s in pb.severities:
        sec = _section(seed, f"{s.level.value}: {s.name} ({s.summary})")
        assert _bullets(sec) == [*s.criteria, f"**Response**: {s.response}"]


def test_templates_match_seed(pb: Playbook, seed: str) -> None:
    for heading, text in [
        ("Initial Response", pb.templates.initial),
        ("Progress Update", pb.templates.progress),
        ("Resolution Notice", pb.templates.resolution),
    ]:
        assert _section(seed, heading).strip() == f'"{text}"'


def test_procedures_match_seed(pb: Playbook, seed: str) -> None:
    immediate = re.findall(
        r"^\d\. \*\*(\w+)\*\* - (.+)$", _section(seed, "Immediate Actions"), re.M
    )
    assert [(a.name, a.description) for a in pb.immediate_actions] == immediate
    assert _bullets(_section(seed, "During Incident")) == list(pb.procedures.during_incident)
    assert _bullets(_section(seed, "Post-Incident")) == list(pb.procedures.post_incident)


def test_delegation_matches_seed(pb: Playbook, seed: str) -> None:
    by_symptom = [f"{d.symptom} → {' + '.join(d.delegates)}" for d in pb.delegation.by_symptom]
    assert _bullets(_section(seed, "By Symptom")) == by_symptom
    by_phase = [f"{d.label} → {d.delegate}" for d in pb.delegation.by_phase]
    assert _bullets(_section(seed, "By Phase")) == by_phase


def test_mission_matches_seed(pb: Playbook, seed: str) -> None:
    assert _section(seed, "Mission").strip() == pb.mission
