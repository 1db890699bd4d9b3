"""A grep that follows files, in pure Python: existing content first, then growth.

Paths may be files, directories (the regular files directly inside: not recursive; names
ending in .gz/.bz2/.xz/.zst/.zip are skipped) and globs; directories and globs are expanded
again at every poll, so files that appear later are searched from their start. A file is
followed by identity (device, inode):

- rename + create (logrotate's default): the path now names a new file, read from 0 (its
  line numbers start again at 1; the pane says so, a line on stderr). The old one is not
  dropped: its descriptor is read on, to its end and then for as long as it keeps growing,
  until no byte came for 1 s (``_RETIRED_GRACE``), alongside the new file; only then is it
  closed (its unfinished last line, if any, is matched then, as a line). So lines a
  writer adds to the renamed file before it reopens its log are not lost: GNU ``tail -F``
  reads the old descriptor to its end once and then moves on, losing what comes later;
  this does what it does and waits for late writes too. Those lines are shown under the
  file's name when followed. A writer that writes to the old file after a second of
  silence is not followed. If the old file still matches a glob under its new name, it
  is followed there without being read twice.
- copytruncate: the bytes already read are no longer there. Told by identity, not only by
  size: at every poll the file's first bytes and the 64 bytes just before where it was
  read to are read again and compared (a file truncated and written again past its old
  size before the next poll is as long as before, or longer). Then the file is read again
  from 0, its line numbers start again at 1, and the pane says so (a line on stderr,
  ``path: truncated or replaced ...``).

A file whose last line has no newline (13 of 16 production logs end so) shows that line
once no byte more came for ``idle`` seconds (0.5 s), provisionally (``feeds.source.
LineBatch``): every later batch replaces it, so when the rest of the line comes the whole
line takes its place, once, and is matched whole (a start that matched may finish as a
line that does not, which is then taken away, and the other way round). The unfinished
lines of several files go together at the end of every batch until finished.

Restarted (the console that ran it went away; the next one runs it again), it is given
``resume``: per file, the number and text of the last match already captured. A file is
still read from its start (to count its lines) but those matches are left out; where that
line is not what was captured (the file was replaced or cut meanwhile), the file is read
again from 0 with nothing left out. A match captured unfinished (its grep stopped mid-line)
counts as captured while the file's line still starts with it: it comes again, whole.

Reading and matching run in a worker thread, a bounded step at a time, so a large file is
searched without freezing the event loop. Files are read in chunks of ``chunk_size`` (64 KiB)
and the matches of one chunk make one batch, ``path:lineno: line`` each.
"""

from __future__ import annotations

import asyncio
import dataclasses
import glob
import os
import stat
import threading
import time
from datetime import UTC, datetime
from typing import Any

from feeds.grep_file import FollowedFile as _File
from feeds.lines import sanitize_lines
from feeds.source import RunningSource, SourceFailed, SourceStats, Stream
from incident.errors import InvalidInput
from incident.grep_lines import ResumePoints, match_line
from incident.journal import SourceSpec
from incident.patterns import Pattern, compile_pattern
from incident.sanitize import visible

_SKIP_IN_DIRS = (".gz", ".bz2", ".xz", ".zst", ".zip")
_RETIRED_GRACE = 1.0  # seconds an old (rotated) file is still read after its last data
_ROTATED = "a new file by this name (rotated): read from its first line"
_CUT = "truncated or replaced (copytruncate?): read again from its first line"


def _magic(path: str) -> bool:
    return any(c in path for c in "*?[")


def _root(path: str) -> str:
    """The directory that a spec path's names are shown relative to."""
    if _magic(path):
        parts = path.split(os.sep)
        while parts and _magic(parts[-1]):
            parts.pop()
        return os.sep.join(parts) or os.curdir
    return path if os.path.isdir(path) else os.path.dirname(path) or os.curdir


class GrepSource(RunningSource):
    """Lines of ``spec.paths`` matching ``spec.pattern``, existing ones first, then new ones.

    ``spec.fixed`` takes the pattern literally, ``spec.ignore_case`` and ``spec.invert`` work
    like grep's ``-i`` and ``-v``. The pattern is RE2's (``incident.patterns``: linear time,
    the GIL released while it matches), run over a chunk's raw lines as UTF-8 (before control
    characters are made visible); a line longer than ``max_line`` is cut first
    (``feeds.lines``), so it is matched as it is shown, its head and the marker saying how much
    was cut, and it still counts as one line. ``pid`` stays None; ``stats().files`` counts
    open files.
    """

    def __init__(
        self,
        source_id: str,
        spec: SourceSpec,
        *,
        poll_interval: float = 0.2,
        step_bytes: int = 4 << 20,
        resume: ResumePoints | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(source_id, spec, **kw)
        self._resume_at: ResumePoints = dict(resume or {})  # used once per file, when opened
        self.poll_interval = poll_interval
        self.step_bytes = step_bytes
        self._pattern: Pattern | None = None
        self._literal: bytes | None = None  # a fast pre-check of whole batches, when exact
        self._specs = [os.path.abspath(os.path.expanduser(p)) for p in spec.paths]
        self._base = os.curdir
        self._files: dict[str, _File] = {}
        self._retired: list[_File] = []
        self._tail: list[str] = []  # the unfinished lines shown last (provisional)
        self._complained: set[str] = set()
        self._lock = threading.Lock()  # one step at a time; closing waits for it
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    # -- start / stop ------------------------------------------------------------------------

    async def start(self) -> None:
        if self.state != "new":
            raise RuntimeError(f"{self!r} was already started")
        try:
            self._prepare()
        except SourceFailed as e:
            self.reason = str(e)
            self._finish("failed")
            raise
        self.state = "running"
        self.started_at = datetime.now(UTC)
        self._task = asyncio.ensure_future(self._run())

    def _prepare(self) -> None:
        spec = self.spec
        if not spec.pattern:
            raise SourceFailed("no pattern")
        if not self._specs:
            raise SourceFailed("no paths")
        try:  # linear time (RE2): a hostile pattern cannot stall the console
            self._pattern = compile_pattern(
                spec.pattern, literal=spec.fixed, ignore_case=spec.ignore_case
            )
        except InvalidInput as e:  # (a pattern stored by an older warroom)
            raise SourceFailed(f"pattern refused: {e}") from None
        if spec.fixed and not spec.ignore_case and not spec.invert:
            self._literal = spec.pattern.encode("utf-8", "replace")
        if not any(_magic(p) or os.path.exists(p) for p in self._specs):
            raise SourceFailed(f"no such file: {self.spec.paths[0]}")
        roots = [_root(p) for p in self._specs]
        try:
            self._base = os.path.commonpath(roots)
        except ValueError:
            self._base = os.sep

    async def stop(self, timeout: float = 2.0) -> int | None:
        if self.state == "new":
            self._finish("stopped")
            return None
        if self._stopping or self.done:
            await self._done.wait()
            return None
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait([self._task], timeout=timeout)
        await asyncio.to_thread(self._close_all)  # after a step still running in its thread
        self._finish("stopped")
        return None

    async def _run(self) -> None:
        try:
            while not self._stopping:
                found, more, tail = await asyncio.to_thread(self._step)
                await self._send(found, tail)
                if not more:
                    await asyncio.sleep(self.poll_interval)
        except Exception as e:  # a bug, or the disk: say so rather than follow nothing
            self.reason = f"grep failed: {type(e).__name__}: {e}"
            await asyncio.to_thread(self._close_all)
            self._finish("failed")

    async def _send(self, found: list[tuple[Stream, list[str]]], tail: list[str]) -> None:
        """Queue the batches of a step. The unfinished lines shown go at the end of the
        last batch (each batch replaces those of the one before: ``LineBatch``); when
        nothing else came, they are sent alone if they changed (none: an empty batch takes
        them away)."""
        sent = False
        for i, (stream, lines) in enumerate(found):
            if tail and stream == "out" and i == len(found) - 1:
                sent = True
                batch = self._batch(stream, [*lines, *tail], len(tail))
            else:
                batch = self._batch(stream, lines)
            await self._queue.put(batch)  # waits while full
        if not sent and (tail if found else tail != self._tail):
            await self._queue.put(self._batch("out", tail, len(tail)))
        self._tail = tail

    def stats(self) -> SourceStats:
        return dataclasses.replace(super().stats(), files=len(self._files))

    # -- the worker thread -------------------------------------------------------------------

    def _step(self) -> tuple[list[tuple[Stream, list[str]]], bool, list[str]]:
        """One poll: find files, notice rotation, read up to ``step_bytes``; (batches, more,
        the unfinished lines to show)."""
        with self._lock:
            if self._stopping:
                return [], False, self._tail
            out: list[tuple[Stream, list[str]]] = []
            self._discover(out)
            budget = self.step_bytes
            for f in [*self._retired, *self._files.values()]:
                budget = self._read(f, budget, out)
                if budget <= 0:
                    return out, True, self._unfinished()
            now = time.monotonic()
            for f in [f for f in self._retired if now - (f.retired_at or now) > _RETIRED_GRACE]:
                self._retired.remove(f)
                self._match(f, [f.splitter.flush()] if f.splitter.pending else [], out)
                f.fh.close()
            return out, False, self._unfinished()

    def _expand(self) -> list[str]:
        paths: list[str] = []
        for spec in self._specs:
            if _magic(spec):
                paths += sorted(p for p in glob.glob(spec) if os.path.isfile(p))
            elif os.path.isdir(spec):
                try:
                    paths += sorted(
                        e.path
                        for e in os.scandir(spec)
                        if e.is_file() and not e.name.endswith(_SKIP_IN_DIRS)
                    )
                except OSError:
                    pass
            else:
                paths.append(spec)
        return list(dict.fromkeys(paths))

    def _discover(self, out: list[tuple[Stream, list[str]]]) -> None:
        current = self._expand()
        for path in [p for p in self._files if p not in current]:
            self._retire(self._files.pop(path))  # deleted, or renamed out of the patterns
        for path in current:
            try:
                st = os.stat(path)
            except OSError:  # not there (yet, or any more): the old file is read to its end,
                if path in self._files:  # then closed (a deleted file frees its disk space)
                    self._retire(self._files.pop(path))
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            key = (st.st_dev, st.st_ino)
            f = self._files.get(path)
            if f is not None and f.key == key:
                if st.st_size < f.pos or f.replaced():  # copytruncate (and written again)
                    self._match(f, [f.splitter.flush()] if f.splitter.pending else [], out)
                    out.append(("err", [f"{f.shown}: {_CUT}"]))
                    f.rewind(self.max_line)
                continue
            if f is not None:  # rename + create: finish the old file, open the new one
                self._retire(self._files.pop(path))
                out.append(("err", [f"{f.shown}: {_ROTATED}"]))
            moved = self._follow_moved(key, path)
            if moved is None:
                self._open(path, key, out)

    def _follow_moved(self, key: tuple[int, int], path: str) -> _File | None:
        """A file already followed, seen under a new name (rotated into a glob)."""
        for f in [*self._files.values(), *self._retired]:
            if f.key == key:
                if f.retired_at is not None:
                    self._retired.remove(f)
                    f.retired_at = None
                else:
                    del self._files[f.path]
                f.path, f.shown = path, self._show(path)
                self._files[path] = f
                return f
        return None

    def _open(self, path: str, key: tuple[int, int], out: list[tuple[Stream, list[str]]]) -> None:
        try:
            fh = open(path, "rb", buffering=0)  # noqa: SIM115 (closed in _close_all/_step)
        except OSError as e:
            if path not in self._complained:
                self._complained.add(path)
                out.append(("err", [f"{self._show(path)}: {visible(e.strerror or str(e))}"]))
            return
        self._complained.discard(path)
        f = self._files[path] = _File(path, self._show(path), fh, key, self.max_line)
        f.skip = self._resume_at.pop(f.shown, None)

    def _retire(self, f: _File) -> None:
        f.retired_at = time.monotonic()
        self._retired.append(f)

    def _show(self, path: str) -> str:
        rel = os.path.relpath(path, self._base)
        return visible(path if rel.startswith(os.pardir) else rel)

    def _read(self, f: _File, budget: int, out: list[tuple[Stream, list[str]]]) -> int:
        while budget > 0:
            try:
                data = f.fh.read(min(self.chunk_size, budget))
            except OSError:
                return budget
            if not data:
                if f.skip is not None and f.retired_at is None and not f.ends_captured():
                    f.rewind(self.max_line)  # it ends before the line captured last: another
                    continue  # file, read again from 0 with nothing left out
                return budget
            budget -= len(data)
            f.took(data)
            if f.retired_at is not None:
                f.retired_at = f.last_data
            lines = f.splitter.feed(data)
            if lines:
                f.unfinished = False  # (a line shown unfinished is finished: among these)
            self._match(f, lines, out)
        return budget

    def _match(self, f: _File, raw: list[bytes], out: list[tuple[Stream, list[str]]]) -> None:
        if f.skip is not None and raw:
            raw = f.after_captured(raw, self.max_line) or []
        if not raw:
            return
        if self._literal is not None and self._literal not in b"\n".join(raw):
            f.lineno += len(raw)  # nothing can match: count the lines only
            return
        hits = self._hits(raw)
        if hits:
            shown, first = f.shown, f.lineno + 1
            safe = sanitize_lines([raw[i] for i in hits])
            out.append(
                ("out", [match_line(shown, first + i, s) for i, s in zip(hits, safe, strict=True)])
            )
        f.lineno += len(raw)

    def _hits(self, raw: list[bytes]) -> list[int]:
        """Which of ``raw`` match (with ``invert``: which do not), on the raw bytes."""
        assert self._pattern is not None  # (compiled by start)
        hits = self._pattern.matching(raw)  # on the raw bytes, as UTF-8
        if self.spec.invert:
            matched = set(hits)
            hits = [i for i in range(len(raw)) if i not in matched]
        return hits

    def _unfinished(self) -> list[str]:
        """The unfinished last lines that match, of files idle for ``idle`` seconds (or
        already shown unfinished), as provisional lines (``LineBatch``)."""
        now, tail = time.monotonic(), []
        for f in [*self._retired, *self._files.values()]:
            if f.skip is not None or not f.splitter.pending:
                f.unfinished = False
                continue
            if not f.unfinished and now - f.last_data < self.idle:
                continue
            f.unfinished = True
            raw = f.splitter.peek()
            if raw and self._hits([raw]):
                tail.append(match_line(f.shown, f.lineno + 1, sanitize_lines([raw])[0]))
        return tail

    def _close_all(self) -> None:
        with self._lock:
            for f in [*self._files.values(), *self._retired]:
                f.fh.close()
            self._files.clear()
            self._retired.clear()
