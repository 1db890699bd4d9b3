"""Errors the domain and its adapters raise for bad input and bad state.

Each carries a one-line message meant for a person; the CLI prints it as is.
"""

from __future__ import annotations


class WarroomError(Exception):
    """Base of every error warroom reports to its user (never a traceback)."""

    exit_code = 1


class InvalidInput(WarroomError):
    """A value given by the user does not fit (bad severity, time, empty text...)."""

    exit_code = 2


class IncidentNotFound(WarroomError):
    """No incident with that id in this database."""

    exit_code = 3


class InvalidTransition(WarroomError):
    """The change does not apply to the incident as it is now."""

    exit_code = 4


class ReadOnly(WarroomError):
    """A write was attempted through a read-only view (post-mortem review)."""

    exit_code = 5


class Unreachable(WarroomError):
    """The store (a database server) cannot be reached now; it is retried. The message
    says whether anything was saved."""

    exit_code = 6
