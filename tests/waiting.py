"""The one way tests wait: poll a condition until it holds, or fail saying what was awaited
and what was seen instead. No test pauses for a fixed time.

``until`` is for async tests: with a Textual ``pilot`` it lets the app's message loop run
between checks (``pilot.pause()``, which returns once the app is idle); without one it polls
with a short ``asyncio.sleep``. ``until_sync`` is the same for tests that drive a real
process (tmux, subprocesses) from plain sync code.

The condition may return any value: the first true one is returned, so a condition can
hand back what it found (``got = await until(lambda: find(...))``). In ``until`` it may
also be a coroutine function (``async def`` or a lambda returning an awaitable): each check
is awaited.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TIMEOUT = 5.0
"""Seconds before a wait fails. Generous: a wait ends as soon as its condition holds, so
only a failing test ever spends it."""

POLL = 0.01
"""Seconds between checks when there is no pilot (async) or in ``until_sync`` by default."""


def _named(condition: Callable[[], Any]) -> str:
    """A condition without a ``what``: where it is written (the line of its lambda)."""
    code = getattr(condition, "__code__", None)
    if code is None:
        return repr(condition)
    return f"{condition.__name__} at {Path(code.co_filename).name}:{code.co_firstlineno}"


def _failure(what: str, condition: Callable[[], Any], timeout: float, last: Any, seen: Any) -> str:
    message = f"not in {timeout:g}s: {what or _named(condition)}"
    if seen is not None:
        try:
            message += f"; saw {seen()!r}"
        except Exception as e:  # (what was seen cannot be described: say why)
            message += f"; saw nothing describable ({e!r})"
    elif last is not None and not isinstance(last, bool):
        message += f"; the condition gave {last!r}"
    return message


async def until(
    condition: Callable[[], Any],
    *,
    pilot: Any = None,
    timeout: float = TIMEOUT,
    what: str = "",
    seen: Callable[[], Any] | None = None,
) -> Any:
    """Wait until ``condition()`` is true and return its value.

    ``pilot``: a Textual Pilot; between checks ``await pilot.pause()`` lets the app process
    its pending messages. Without it, ``asyncio.sleep(POLL)`` between checks.
    ``what``: what is awaited, for the failure message (without it, the condition's file
    and line). ``seen``: called on failure to show
    what there was instead (e.g. the rows on screen); without it, a non-bool last value of
    the condition is shown. On failure with a pilot, the screen stack is named too.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        last = condition()
        if inspect.isawaitable(last):
            last = await last
        if last:
            return last
        if loop.time() > deadline:
            message = _failure(what, condition, timeout, last, seen)
            if pilot is not None:
                message += f"; screens {[type(s).__name__ for s in pilot.app.screen_stack]}"
            raise AssertionError(message)
        if pilot is not None:
            await pilot.pause()
        else:
            await asyncio.sleep(POLL)


def until_sync(
    condition: Callable[[], Any],
    *,
    timeout: float = TIMEOUT,
    what: str = "",
    seen: Callable[[], Any] | None = None,
    poll: float = POLL,
) -> Any:
    """``until`` for sync code: check ``condition()`` every ``poll`` seconds (a check that
    is costly, e.g. reading a tmux screen, may ask for a longer poll)."""
    deadline = time.monotonic() + timeout
    while True:
        last = condition()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(_failure(what, condition, timeout, last, seen))
        time.sleep(poll)
