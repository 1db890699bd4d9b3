"""What a person can do to an incident's log sources, as functions that return journal events.

Add a source (a shell command or a grep, checked: :func:`command_spec`, :func:`grep_spec`),
stop one, and write the command ledger: when a source started, exited, stopped or failed, and
the environment it runs with (:func:`recorded_environment`: the harmless variables and those
its command names, secrets masked). Like ``incident/commands.py``, nothing here saves
anything: the caller hands the event to a :class:`incident.ports.Journal`.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Mapping, Sequence

from incident.checks import checked_text as _text
from incident.checks import optional_text as _opt
from incident.clock import Clock
from incident.commands import new_event
from incident.errors import InvalidInput, InvalidTransition
from incident.journal import CommandEvent, Event, SourceSpec
from incident.patterns import compile_pattern
from incident.state import IncidentState
from incident.words import plural


def command_spec(
    command: str, *, name: str | None, cwd: str, zone: str | None = None
) -> SourceSpec:
    """A shell-command log source, checked; ``zone`` (a name ``session.zones.parse_zone``
    took) is the zone its lines' times are in when they name none."""
    command = _text(command, "the command", limit=4_000)
    return SourceSpec(
        kind="cmd",
        name=_opt(name, "the name") or command.split()[0][:40],
        command=command,
        cwd=cwd,
        zone=zone,
    )


def grep_spec(
    pattern: str,
    paths: Sequence[str],
    *,
    name: str | None,
    cwd: str,
    fixed: bool = False,
    ignore_case: bool = False,
    invert: bool = False,
    zone: str | None = None,
) -> SourceSpec:
    """A grep log source, checked: a pattern RE2 matches in linear time (``incident.patterns``),
    at least one path (made absolute against ``cwd``); ``zone`` as for :func:`command_spec`."""
    if not pattern:
        raise InvalidInput("grep needs a non-empty PATTERN")
    if not paths:
        raise InvalidInput("grep needs a PATTERN and at least one PATH (file, dir or glob)")
    compile_pattern(pattern, literal=fixed, ignore_case=ignore_case)  # linear time, or refused
    absolute = tuple(os.path.normpath(os.path.join(cwd, os.path.expanduser(p))) for p in paths)
    return SourceSpec(
        kind="grep",
        name=_opt(name, "the name") or f"grep {pattern}"[:40],
        pattern=pattern,
        paths=absolute,
        fixed=fixed,
        ignore_case=ignore_case,
        invert=invert,
        cwd=cwd,
        zone=zone,
    )


def grep_line(spec: SourceSpec) -> str:
    """A grep source as a shell line, its pattern and paths as typed and quoted for a shell
    (``shlex.quote``: ``\\[error\\]`` stays one backslash each, a quote or a space is
    quoted), with the options set (``-F``, ``-i``, ``-v``; ``-e`` before a pattern that
    starts with ``-``). The ledger's and ``warroom tail --list``'s way to say what runs."""
    flags = [
        f for f, on in (("-F", spec.fixed), ("-i", spec.ignore_case), ("-v", spec.invert)) if on
    ]
    pattern = spec.pattern or ""
    return shlex.join(
        ["grep", *flags, *(["-e"] if pattern.startswith("-") else []), pattern, *spec.paths]
    )


def add_source(
    clock: Clock,
    state: IncidentState,
    spec: SourceSpec,
    *,
    owner: str = "",
    source_id: str | None = None,
) -> Event:
    sid = source_id or f"s{len(state.sources) + 1}"
    if sid in state.sources:
        raise InvalidInput(f"source {sid} already exists in {state.number}")
    what = spec.command if spec.kind == "cmd" else grep_line(spec)
    return new_event(
        clock,
        state.id,
        f"Log source {spec.name} added: {what}",
        CommandEvent(source_id=sid, op="added", spec=spec),
        action="Source recorded; consoles start it",
        owner=owner,
    )


def stop_source(clock: Clock, state: IncidentState, which: str, *, owner: str = "") -> Event:
    """A "stopped" ledger entry for the source named ``which`` (its id or its name): the
    console that runs it obeys, and no console starts it again. The CLI's way to stop a
    source that breaks every console."""
    which = which.strip()
    found = [s for s in state.sources.values() if which in (s.id, s.spec.name)]
    if not found:
        raise InvalidInput(
            f"no log source {which!r} in {state.number}: see `warroom tail {state.number} --list`"
        )
    if len(found) > 1:
        raise InvalidInput(
            f"{len(found)} log sources are named {which!r}: give the id ("
            + ", ".join(s.id for s in found)
            + ")"
        )
    src = found[0]
    if src.state not in ("added", "started"):
        raise InvalidTransition(
            f"log source {src.id} ({src.spec.name}) is not running: it {src.state}"
        )
    return source_ledger(clock, state, src.id, "stopped", owner=owner)


# What the ledger records of a source's environment: these harmless variables, and those
# its command line names ($NAME, ${NAME}, ${NAME:-default}); never the whole environment.
ENV_ALLOWED = frozenset(
    {
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "SHELL",
        "PWD",
        "LANG",
        "LANGUAGE",
        "TZ",
        "TERM",
        "HOSTNAME",
        "TMPDIR",
        "KUBECONFIG",
        "KUBE_CONTEXT",
        "AWS_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "CLOUDSDK_CORE_PROJECT",
        "CLOUDSDK_COMPUTE_REGION",
    }
)


_MENTIONED = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]{0,127})")


MASKED = "[masked]"


def recorded_environment(environ: Mapping[str, str], command: str | None = None) -> dict[str, str]:
    """The environment a source runs with, as the ledger records it: the allowed harmless
    variables (and every ``LC_*``) and the variables ``command`` names, each value masked
    when its name looks secret (PASSWORD, TOKEN, KEY, PW, ...) or redaction finds a secret
    in it."""
    from incident.redact import redact  # (its rules load detect-secrets: only when needed)
    from incident.secret_names import secret_name

    named = set(_MENTIONED.findall(command or ""))
    out = {}
    for k in sorted(environ):
        if k in named or k in ENV_ALLOWED or k.startswith("LC_"):
            v = environ[k]
            secret = k in named and secret_name(k)
            out[k] = MASKED if secret or redact(v)[1] else v
    return out


def source_ledger(
    clock: Clock,
    state: IncidentState,
    source_id: str,
    op: str,
    *,
    pid: int | None = None,
    exit_code: int | None = None,
    reason: str | None = None,
    owner: str = "",
    env: Mapping[str, str] | None = None,
) -> Event:
    """A ledger entry; ``env`` is the environment the source runs with, recorded as
    :func:`recorded_environment` says (give ``environment_of(state, source_id, environ)``:
    it loads the redaction rules, so the console computes it off its event loop)."""
    src = state.sources.get(source_id)
    name = src.spec.name if src else source_id
    if pid is not None:
        ran = f"pid {pid}"
    elif src is not None and src.spec.kind == "grep":  # (it runs inside the console)
        ran = f"a grep in the console's own process, over {plural(len(src.spec.paths), 'path')}"
    else:
        ran = "no process"
    ran += f"; {reason}" if reason else ""
    detail = {
        "started": ran,
        "restarted": ran,
        "exited": f"exit code {exit_code}" if exit_code is not None else "ended",
        "stopped": "stopped by the IC",
        "failed": reason or "failed to start",
    }.get(op, "")
    return new_event(
        clock,
        state.id,
        f"Log source {name} {op}: {detail}",
        CommandEvent(
            source_id=source_id,
            op=op,
            pid=pid,
            exit_code=exit_code,
            reason=reason,
            env=dict(env) if env is not None else None,
        ),
        action="Command ledger",
        owner=owner,
    )


def environment_of(
    state: IncidentState, source_id: str, environ: Mapping[str, str]
) -> dict[str, str]:
    """What the ledger records of ``environ`` for the source (its command's variables)."""
    src = state.sources.get(source_id)
    return recorded_environment(environ, src.spec.command if src else None)
