"""A shell command as a live source: one process group, chunked reads, the tree killed whole.

The command runs as ``$SHELL -c COMMAND`` (``/bin/sh`` when ``SHELL`` is unset) in a new
session, so it and everything it starts share one process group that ``stop`` signals at
once (``proc.kill()`` alone would leave ``grep`` of ``tail -F f | grep x`` running, and
``Process.wait()`` would then hang on the pipe it holds: CPython gh-119710). Output is read by
a protocol (no ``readline``, no ``Process.wait``): each chunk becomes one batch.

An unfinished last line (``tail -F`` of a file that ends mid-line writes those bytes) is
shown once the pipes have been idle for ``idle`` seconds, provisionally (``feeds.source.
LineBatch``): the batch that finishes it replaces it, and one of the other stream carries
it again after its own lines. One unfinished line is shown at a time (stdout's first): when
both streams stop mid-line, stderr's waits for its newline or the end of the output.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

import psutil

from feeds.lines import LineSplitter, sanitize_lines
from feeds.process_tree import _GUARD, _alive, _members, _prctl, _setpriv
from feeds.source import RunningSource, SourceFailed, Stream
from incident.journal import SourceSpec

_STREAM: dict[int, Stream] = {1: "out", 2: "err"}


class _Pipes(asyncio.SubprocessProtocol):
    def __init__(self, source: CommandSource) -> None:
        self.source = source

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # (a subprocess protocol is always given a subprocess transport)
        self.source._connected(cast(asyncio.SubprocessTransport, transport))

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        self.source._data(fd, data)

    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None:
        self.source._eof(fd)

    def process_exited(self) -> None:
        self.source._exited()


class CommandSource(RunningSource):
    """``spec.command`` through the user's shell; stdout lines are "out", stderr "err".

    The source is "exited" once the command has ended *and* its output was read to the end
    (a background job still writing to the pipe keeps it running; ``stop`` ends it). Then any
    process left in its group is ended too: every child dies with its source. ``exit_code``
    is the command's status (127: not found; a command killed by signal N reads 128+N, the
    shell's way), or minus the signal when ``stop`` ended it. Processes that make a process
    group or session of their own (``setsid``, job control) are beyond the group's reach
    once their parent is gone.

    Parent death (Linux): with ``setpriv`` the death signal is armed without ``preexec_fn``;
    otherwise ``prctl`` is called from ``preexec_fn``, which Python warns is not safe when
    other threads exist (the child runs Python code between fork and exec; a lock held by
    another thread at fork time can deadlock it). The call is a single libc function,
    prepared before the fork, which keeps that risk small. The signal fires when the *thread*
    that started the source ends: start sources from the event loop's thread.
    """

    def __init__(
        self, source_id: str, spec: SourceSpec, *, shell: str | None = None, **kw: Any
    ) -> None:
        super().__init__(source_id, spec, **kw)
        self.shell = shell
        self._transport: asyncio.SubprocessTransport | None = None
        self._splitters = {1: LineSplitter(self.max_line), 2: LineSplitter(self.max_line)}
        self._open_pipes = {1, 2}
        self._paused = False
        self._exit_seen = asyncio.Event()
        self._spawned = asyncio.Event()  # the spawn has returned (or failed)
        self._stopping = False
        self._wrap_up_task: asyncio.Task[None] | None = None
        self._ps: dict[int, psutil.Process] = {}
        self._shown: int | None = None  # the pipe whose unfinished line is shown
        self._idle_timer: asyncio.TimerHandle | None = None

    # -- start -------------------------------------------------------------------------------

    def _argv(self) -> tuple[list[str], Callable[[], None] | None]:
        command = self.spec.command
        if not command or not command.strip():
            raise SourceFailed("no command")
        shell = self.shell or os.environ.get("SHELL") or "/bin/sh"
        found = shutil.which(shell)
        if found is None:
            raise SourceFailed(f"shell not found: {shell}")
        guard = shutil.which("/bin/sh")
        if guard and (setpriv := _setpriv()):
            return [
                setpriv,
                "--pdeathsig",
                "USR1",
                guard,
                "-c",
                _GUARD,
                found,
                command,
                str(os.getpid()),
            ], None
        if guard and (arm := _prctl()):
            return [guard, "-c", _GUARD, found, command, str(os.getpid())], arm
        return [found, "-c", command], None

    async def start(self) -> None:
        if self.state != "new":
            raise RuntimeError(f"{self!r} was already started")
        try:
            argv, preexec = self._argv()
            cwd = os.path.expanduser(self.spec.cwd) if self.spec.cwd else None
            if cwd is not None and not os.path.isdir(cwd):
                raise SourceFailed(f"no such directory: {cwd}")
        except SourceFailed as e:
            self.reason = str(e)
            self._finish("failed")
            raise
        self.state = "running"  # before the spawn: callbacks may come before it returns
        self.started_at = datetime.now(UTC)
        loop = asyncio.get_running_loop()
        try:
            await loop.subprocess_exec(
                lambda: _Pipes(self),
                *argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=cwd,
                env=None,
                start_new_session=True,
                preexec_fn=preexec,
            )
        except (OSError, subprocess.SubprocessError) as e:
            why = getattr(e, "strerror", None) or str(e) or type(e).__name__
            self.reason = f"cannot start {argv[0]}: {why}"
            self._finish("failed")
            raise SourceFailed(self.reason) from e
        finally:
            self._spawned.set()

    # -- protocol callbacks ------------------------------------------------------------------

    def _connected(self, transport: asyncio.SubprocessTransport) -> None:
        self._transport = transport
        self.pid = transport.get_pid()
        if self._paused:
            self._set_reading(False)

    def _data(self, fd: int, data: bytes) -> None:
        if self._stopping or self._closed:
            return
        feed = self._splitters[fd].feed
        step = self.chunk_size
        for off in range(0, len(data), step):
            raw = feed(data[off : off + step] if len(data) > step else data)
            if raw:
                self._lines(fd, sanitize_lines(raw))
        if self._shown == fd:
            self._lines(fd, [])  # the line shown unfinished grew: shown again as it is now
        self._arm()

    def _lines(self, fd: int, lines: list[str]) -> None:
        """Queue finished lines of ``fd``. An unfinished line shown provisionally is
        replaced by them (``LineBatch``): when they are of its stream they finish it (it is
        their first); else it comes again after them."""
        shown = self._shown
        if lines and shown == fd:
            self._shown = shown = None  # finished: the first of ``lines`` is it, whole
        if shown is None:
            if lines:
                self._push(self._batch(_STREAM[fd], lines))
            return
        tail = self._tail(shown)
        if not tail:
            self._shown = None
        if shown == fd:  # (then ``lines`` is empty: it grew, unfinished)
            self._push(self._batch(_STREAM[fd], tail, len(tail)))
            return
        self._push(self._batch(_STREAM[fd], lines))
        if tail:
            self._push(self._batch(_STREAM[shown], tail, 1))

    def _tail(self, fd: int) -> list[str]:
        """The unfinished line of ``fd`` as it is so far, made safe (``[]``: none)."""
        raw = self._splitters[fd].peek()
        return sanitize_lines([raw]) if raw else []

    def _arm(self) -> None:
        """(Re)start the idle clock: after ``idle`` seconds without a byte more, an
        unfinished line is shown (one at a time: stdout's first)."""
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None
        if self._shown is None and any(s.pending for s in self._splitters.values()):
            loop = asyncio.get_running_loop()
            self._idle_timer = loop.call_later(self.idle, self._idle_up)

    def _idle_up(self) -> None:
        self._idle_timer = None
        if self._stopping or self._closed or self._shown is not None:
            return
        for fd in (1, 2):
            if fd in self._open_pipes and (tail := self._tail(fd)):
                self._shown = fd
                self._push(self._batch(_STREAM[fd], tail, 1))
                return

    def _eof(self, fd: int) -> None:
        tail = self._splitters[fd].flush()
        if not self._stopping:
            if tail:
                self._lines(fd, sanitize_lines([tail]))  # (finishes a line shown unfinished)
            elif self._shown == fd:  # (a lone "\r" was held: nothing to show after all)
                self._shown = None
                self._push(self._batch(_STREAM[fd], []))
        self._open_pipes.discard(fd)
        self._maybe_done()

    def _exited(self) -> None:
        if self._transport is not None:
            self.exit_code = self._transport.get_returncode()
        self._exit_seen.set()
        self._maybe_done()

    def _maybe_done(self) -> None:
        if (
            not self._open_pipes
            and self._exit_seen.is_set()
            and not self._stopping
            and self._wrap_up_task is None
        ):
            self._wrap_up_task = asyncio.ensure_future(self._wrap_up())

    async def _wrap_up(self) -> None:
        try:
            await self._kill_tree(0.5)  # what it left behind
        finally:
            self._close_transport()
            self._finish("exited")

    # -- back-pressure -----------------------------------------------------------------------

    def _pause(self) -> None:
        if not self._paused:
            self._paused = True
            self._set_reading(False)

    def _resume(self) -> None:
        if self._paused:
            self._paused = False
            self._set_reading(True)

    def _set_reading(self, on: bool) -> None:
        if self._transport is None:
            return  # _connected applies it
        for fd in (1, 2):
            pipe = self._transport.get_pipe_transport(fd)
            if pipe is not None and not pipe.is_closing():
                reader = cast(asyncio.ReadTransport, pipe)  # (fds 1 and 2: the read ends)
                try:
                    reader.resume_reading() if on else reader.pause_reading()
                except (RuntimeError, AttributeError):
                    pass

    # -- stop --------------------------------------------------------------------------------

    async def stop(self, timeout: float = 2.0) -> int | None:
        if self.state == "new":
            self._finish("stopped")
            return None
        if self._stopping or self._wrap_up_task is not None or self.done:
            await self._done.wait()
            return self.exit_code
        self._stopping = True
        try:
            if not self._spawned.is_set():  # stop() while start() is still spawning
                try:
                    await asyncio.wait_for(self._spawned.wait(), timeout)
                except TimeoutError:
                    pass
            await self._kill_tree(timeout)
            try:  # the exit status comes from the child watcher once the leader is reaped
                await asyncio.wait_for(self._exit_seen.wait(), 1.0)
            except TimeoutError:
                pass
        finally:
            self._close_transport()
            self._finish("stopped")
        return self.exit_code

    async def _kill_tree(self, timeout: float) -> None:
        """SIGTERM to the group, SIGKILL to what is left after ``timeout``. Bounded in time."""
        pgid = self.pid
        if pgid is None:
            return
        for sig, grace in ((signal.SIGTERM, timeout), (signal.SIGKILL, 1.0)):
            # The root's pid is only ours to look up while it is not reaped (not reused).
            root = None if self._exit_seen.is_set() else pgid
            procs = [p for p in await asyncio.to_thread(_members, pgid, root) if _alive(p)]
            if not procs:
                return
            try:
                os.killpg(pgid, sig)
            except (ProcessLookupError, PermissionError):
                pass
            for p in procs:
                try:
                    p.send_signal(sig)
                except psutil.Error:
                    pass
            deadline = time.monotonic() + grace
            while any(_alive(p) for p in procs) and time.monotonic() < deadline:
                await asyncio.sleep(0.02)

    def _close_transport(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None
        if self._transport is not None and not self._transport.is_closing():
            self._transport.close()

    # -- stats -------------------------------------------------------------------------------

    def _tree_usage(self) -> tuple[float, int, int]:
        if self.pid is None or self._exit_seen.is_set() or self.done:
            self._ps.clear()
            return 0.0, 0, 0
        try:
            root = psutil.Process(self.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return 0.0, 0, 0
        cpu, rss, seen = 0.0, 0, {}
        for p in procs:
            known = self._ps.get(p.pid)
            if known is None or known != p:  # a new process, or a reused pid
                known = p
            try:
                with known.oneshot():
                    cpu += known.cpu_percent(None)
                    rss += known.memory_info().rss
            except psutil.Error:
                continue
            seen[p.pid] = known
        self._ps = seen
        return cpu, rss, len(seen)
