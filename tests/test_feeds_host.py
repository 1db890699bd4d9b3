"""Host samples: sane figures, JSON-able, a compact text, robust to vanishing processes."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import psutil
import pytest

from feeds import host
from feeds.host import HostSample, Sampler, sample


def test_a_sample_is_sane() -> None:
    first = sample()
    time.sleep(0.05)  # (not a wait: the interval the second sample's rates are over)
    s = sample()
    assert isinstance(s, HostSample) and s.interval is not None and s.interval > 0
    assert s.taken_at.tzinfo is not None and s.hostname
    assert 0 <= first.cpu_percent <= 100 and 0 <= s.cpu_percent <= 100
    assert s.cpu_count >= 1 and len(s.load) == 3 and all(x >= 0 for x in s.load)
    assert 0 < s.mem_used <= s.mem_total and 0 <= s.mem_percent <= 100
    assert 0 <= s.swap_used <= max(s.swap_total, 0) or s.swap_total == 0
    assert s.disks and s.disks[0].path == "/" and 0 < s.disks[0].used <= s.disks[0].total
    for rate in (s.disk_read_bps, s.disk_write_bps, s.net_recv_bps, s.net_sent_bps):
        assert rate is None or rate >= 0
    assert 1 <= len(s.top_cpu) <= 5 and 1 <= len(s.top_mem) <= 5
    rss = [p.rss for p in s.top_mem]
    assert rss == sorted(rss, reverse=True)
    assert all(p.pid > 0 and p.name and p.cpu_percent >= 0 for p in s.top_cpu)


def test_to_dict_is_json_and_lines_are_compact() -> None:
    s = sample()
    data = json.loads(json.dumps(s.to_dict()))
    assert data["hostname"] == s.hostname and data["taken_at"] == s.taken_at.isoformat()
    assert len(data["top_cpu"]) == len(s.top_cpu) and "rss" in data["top_mem"][0]
    lines = s.lines()
    assert 6 <= len(lines) <= 14
    assert lines[0].startswith("host ") and lines[1].startswith("cpu ")
    assert all(line and len(line) <= 100 for line in lines)
    assert any(line.startswith("mem ") for line in lines)


def test_first_sample_of_a_new_sampler_has_no_rates() -> None:
    s = Sampler().sample()
    assert s.interval is None and s.disk_read_bps is None and s.net_recv_bps is None
    assert "—" in "\n".join(s.lines())


def test_a_busy_process_tops_the_cpu_list() -> None:
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        sampler = Sampler()
        sampler.sample()
        time.sleep(0.6)  # (not a wait: the interval the CPU figures are measured over)
        s = sampler.sample()
        top = {p.pid: p.cpu_percent for p in s.top_cpu}
        assert busy.pid in top and top[busy.pid] > 20
    finally:
        busy.kill()
        busy.wait()


def test_vanishing_and_forbidden_processes_are_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"n": 0}

    class Forbidden(psutil.Process):
        @contextlib.contextmanager
        def oneshot(self) -> Iterator[None]:
            raise psutil.AccessDenied(self.pid)
            yield

    def flaky(pid: int) -> psutil.Process:
        calls["n"] += 1
        if calls["n"] % 3 == 0:
            raise psutil.NoSuchProcess(pid)  # gone between pids() and Process()
        if calls["n"] % 3 == 1:
            return Forbidden(pid)
        return psutil.Process(pid)

    pids = [*psutil.pids(), 2**22 + 7]  # the last one cannot exist (pid_max <= 2**22)
    monkeypatch.setattr(host, "psutil", _Module(psutil, Process=flaky, pids=lambda: pids))
    s = Sampler().sample()
    assert calls["n"] >= 3 and 1 <= len(s.top_cpu) <= 5
    assert s.lines()


class _Module:
    """``psutil`` with some attributes replaced (the real module stays untouched)."""

    def __init__(self, module: Any, **attrs: Any) -> None:
        self._module, self._attrs = module, attrs

    def __getattr__(self, name: str) -> Any:
        return self._attrs.get(name, getattr(self._module, name))


def test_safe_from_worker_threads() -> None:
    sampler = Sampler()
    errors: list[BaseException] = []
    results: list[HostSample] = []

    def work() -> None:
        try:
            for _ in range(3):
                results.append(sampler.sample())
        except BaseException as e:  # pragma: no cover - the failure is the assertion
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and len(results) == 12
    assert sum(r.interval is None for r in results) == 1


def test_process_names_are_made_visible(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(psutil.Process, "name", lambda self: "evil\x1b]0;t\x07")
    s = Sampler().sample()
    assert all("\x1b" not in p.name and "␛" in p.name for p in s.top_cpu)
    assert all("\x1b" not in line for line in s.lines())
