"""The source a spec describes: a command or a grep (``feeds/source.py`` says what a source is)."""

from __future__ import annotations

from typing import Any

from feeds.command import CommandSource
from feeds.grep import GrepSource
from feeds.source import RunningSource
from incident.grep_lines import ResumePoints
from incident.journal import SourceSpec


def make_source(
    source_id: str, spec: SourceSpec, *, resume: ResumePoints | None = None, **kw: Any
) -> RunningSource:
    """The source a spec describes (not started): ``kw`` goes to the class (queue_size, ...).
    A grep resumes after ``resume`` (the matches it captured before); a command has none."""
    if spec.kind == "cmd":
        return CommandSource(source_id, spec, **kw)
    if spec.kind == "grep":
        return GrepSource(source_id, spec, resume=resume, **kw)
    raise ValueError(f"unknown source kind {spec.kind!r}")
