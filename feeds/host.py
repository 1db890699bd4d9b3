"""A glance at the host: CPU, load, memory, disks, I/O rates and the top processes.

``sample()`` never blocks to measure: CPU percentages and I/O rates are computed against the
previous call (the first call gives CPU since boot, or since a process started, and no rates).
Call it about once a second, from a worker thread if you like: the state between calls is
kept in a :class:`Sampler` behind a lock (psutil's own ``cpu_percent`` state is not used, so
other callers cannot disturb it). Processes that vanish or deny access while being looked at
are skipped.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import psutil

from incident.sanitize import visible

TOP = 5


@dataclass(frozen=True, slots=True)
class ProcInfo:
    pid: int
    name: str  # made visible: a process can name itself with escape sequences
    cpu_percent: float  # 100 = one core
    rss: int


@dataclass(frozen=True, slots=True)
class DiskInfo:
    path: str  # the mount point
    total: int
    used: int
    percent: float


@dataclass(frozen=True, slots=True)
class HostSample:
    taken_at: datetime
    hostname: str
    uptime: float  # seconds
    interval: float | None  # seconds since the previous sample; None for the first one
    cpu_percent: float  # all CPUs together: 100 = all busy
    cpu_count: int
    load: tuple[float, float, float]
    mem_total: int
    mem_used: int
    mem_percent: float
    swap_total: int
    swap_used: int
    swap_percent: float
    disks: list[DiskInfo] = field(default_factory=list)  # "/" and the cwd's mount
    disk_read_bps: float | None = None
    disk_write_bps: float | None = None
    net_recv_bps: float | None = None
    net_sent_bps: float | None = None
    top_cpu: list[ProcInfo] = field(default_factory=list)
    top_mem: list[ProcInfo] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data (the time as ISO 8601), for an evidence snapshot."""
        d = dataclasses.asdict(self)
        d["taken_at"] = self.taken_at.isoformat()
        d["load"] = list(self.load)
        return d

    def lines(self) -> list[str]:
        """About a dozen lines of compact text, at most 80 columns wide."""
        up = _duration(self.uptime)
        out = [
            f"host {visible(self.hostname)} · up {up} · "
            f"{self.taken_at.strftime('%Y-%m-%d %H:%M:%SZ')}",
            f"cpu {self.cpu_percent:.1f}% of {self.cpu_count} · load "
            + " ".join(f"{x:.2f}" for x in self.load),
            f"mem {_size(self.mem_used)}/{_size(self.mem_total)} {self.mem_percent:.1f}% · "
            f"swap {_size(self.swap_used)}/{_size(self.swap_total)} {self.swap_percent:.1f}%",
        ]
        if self.disks:
            out.append(
                "disk "
                + " · ".join(
                    f"{visible(d.path)} {_size(d.used)}/{_size(d.total)} {d.percent:.1f}%"
                    for d in self.disks
                )
            )
        out.append(
            f"io read {_rate(self.disk_read_bps)} write {_rate(self.disk_write_bps)}"
            f" · net rx {_rate(self.net_recv_bps)} tx {_rate(self.net_sent_bps)}"
        )
        out.append(f"{'top cpu':<38}  top memory")
        for i in range(max(len(self.top_cpu), len(self.top_mem))):
            left = _proc(self.top_cpu[i], cpu_first=True) if i < len(self.top_cpu) else ""
            right = _proc(self.top_mem[i], cpu_first=False) if i < len(self.top_mem) else ""
            out.append(f"{left:<38}  {right}".rstrip())
        return out


def _size(n: float) -> str:
    for unit in ("B", "K", "M", "G", "T"):
        if abs(n) < 1024 or unit == "T":
            return f"{n:.0f}{unit}" if unit == "B" else f"{n:.1f}{unit}"
        n /= 1024
    return f"{n:.1f}T"  # pragma: no cover


def _rate(bps: float | None) -> str:
    return "—" if bps is None else f"{_size(bps)}/s"


def _duration(seconds: float) -> str:
    m, _ = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    d, h = divmod(h, 24)
    return f"{d}d {h}h" if d else f"{h}h {m}m"


def _proc(p: ProcInfo, *, cpu_first: bool) -> str:
    name = p.name[:15]
    if cpu_first:
        return f"{p.pid:>7} {name:<15} {p.cpu_percent:5.1f}% {_size(p.rss):>6}"
    return f"{p.pid:>7} {name:<15} {_size(p.rss):>6} {p.cpu_percent:5.1f}%"


def _mount_of(path: str) -> str:
    path = os.path.realpath(path)
    while not os.path.ismount(path):
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return path


class Sampler:
    """The state between samples (CPU times, I/O counters, per-process CPU times)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._at: float | None = None
        self._cpu: tuple[float, float] | None = None  # (busy, total) seconds
        self._disk: tuple[int, int] | None = None
        self._net: tuple[int, int] | None = None
        self._procs: dict[tuple[int, float], float] = {}  # (pid, create time) -> cpu seconds

    def sample(self) -> HostSample:
        with self._lock:
            return self._sample()

    def _sample(self) -> HostSample:
        now = time.monotonic()
        dt = None if self._at is None else max(now - self._at, 1e-6)
        self._at = now
        mem, swap = psutil.virtual_memory(), psutil.swap_memory()
        disk = psutil.disk_io_counters()
        net = psutil.net_io_counters()
        disk_now = (disk.read_bytes, disk.write_bytes) if disk else None
        net_now = (net.bytes_recv, net.bytes_sent) if net else None
        read_bps = write_bps = recv_bps = sent_bps = None
        if dt is not None and disk_now and self._disk:
            read_bps, write_bps = ((a - b) / dt for a, b in zip(disk_now, self._disk, strict=True))
        if dt is not None and net_now and self._net:
            recv_bps, sent_bps = ((a - b) / dt for a, b in zip(net_now, self._net, strict=True))
        self._disk, self._net = disk_now, net_now
        procs = self._processes(dt)
        return HostSample(
            taken_at=datetime.now(UTC),
            hostname=socket.gethostname(),
            uptime=max(time.time() - psutil.boot_time(), 0.0),
            interval=dt,
            cpu_percent=self._cpu_percent(),
            cpu_count=psutil.cpu_count() or 1,
            load=tuple(psutil.getloadavg()),
            mem_total=mem.total,
            mem_used=mem.total - mem.available,
            mem_percent=mem.percent,
            swap_total=swap.total,
            swap_used=swap.used,
            swap_percent=swap.percent,
            disks=self._disks(),
            disk_read_bps=read_bps,
            disk_write_bps=write_bps,
            net_recv_bps=recv_bps,
            net_sent_bps=sent_bps,
            top_cpu=sorted(procs, key=lambda p: (-p.cpu_percent, -p.rss))[:TOP],
            top_mem=sorted(procs, key=lambda p: (-p.rss, -p.cpu_percent))[:TOP],
        )

    def _cpu_percent(self) -> float:
        t = psutil.cpu_times()
        total = sum(t) - getattr(t, "guest", 0.0) - getattr(t, "guest_nice", 0.0)
        busy = total - t.idle - getattr(t, "iowait", 0.0)
        prev, self._cpu = self._cpu, (busy, total)
        if prev is not None:
            busy, total = busy - prev[0], total - prev[1]
        return round(min(max(100.0 * busy / total, 0.0), 100.0), 1) if total > 0 else 0.0

    def _disks(self) -> list[DiskInfo]:
        out: list[DiskInfo] = []
        try:
            mounts = ["/", _mount_of(os.getcwd())]
        except OSError:
            mounts = ["/"]
        for path in dict.fromkeys(mounts):
            try:
                u = psutil.disk_usage(path)
            except OSError:
                continue
            out.append(DiskInfo(path, u.total, u.used, u.percent))
        return out

    def _processes(self, dt: float | None) -> list[ProcInfo]:
        now, seen, out = time.time(), {}, []
        for pid in psutil.pids():
            try:
                p = psutil.Process(pid)
                with p.oneshot():
                    key = (pid, p.create_time())
                    t = p.cpu_times()
                    used = t.user + t.system
                    rss = p.memory_info().rss
                    name = p.name()
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess, OSError):
                continue
            before = self._procs.get(key)
            if before is not None and dt is not None:
                cpu = 100.0 * (used - before) / dt
            else:  # new since the last sample (or the first sample): its lifetime average
                cpu = 100.0 * used / max(now - key[1], 1.0)
            seen[key] = used
            out.append(ProcInfo(pid, visible(name), round(max(cpu, 0.0), 1), rss))
        self._procs = seen
        return out


_default = Sampler()


def sample() -> HostSample:
    """A sample of this host, against the previous call of this function."""
    return _default.sample()
