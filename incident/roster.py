"""The emergency contacts roster, checked: kept in the database for every incident."""

from __future__ import annotations

from collections.abc import Sequence

from incident.checks import checked_text as _text
from incident.errors import InvalidInput
from incident.playbook import Contact

MAX_CONTACTS = 50


def check_roster(contacts: Sequence[Contact]) -> list[Contact]:
    """The emergency contacts roster, checked: every row has a role (a contact may be left
    undefined, as the playbook's "Executive Escalation" is), roles are unique, blank rows go."""
    out: list[Contact] = []
    seen: set[str] = set()
    for c in contacts:
        role = _text(c.role, "the role", limit=100, required=False)
        contact = _text(c.contact, "the contact", limit=200, required=False)
        if not role and not contact:
            continue
        if not role:
            raise InvalidInput(f"the contact {contact!r} needs a role")
        if role.lower() in seen:
            raise InvalidInput(f"the role {role!r} is in the roster twice")
        seen.add(role.lower())
        out.append(Contact(role=role, contact=contact))
    if len(out) > MAX_CONTACTS:
        raise InvalidInput(f"at most {MAX_CONTACTS} emergency contacts")
    return out
