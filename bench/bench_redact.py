"""How fast `export` redacts captured output: ordinary log lines through redact_lines().

    .venv/bin/python -m bench.bench_redact [--lines 1000000] [--runs 5]

The lines are a realistic mix (web access logs, Java stack traces, Kubernetes events,
syslog, logfmt and JSON application logs, drawn from the harmless corpus of
tests/redact_corpus.py with varying numbers, ids and paths) with 1 line in 1,000 holding a
secret of the corpus. Each run times, in the same process and on the same lines:

- warroom's redaction (``redact_lines``: detect-secrets' detectors and warroom's rules,
  keyword gates, generated tokens);
- the baseline: the redaction it replaces (the 12 regexes of incident/redact.py before
  issue #16, every rule on every line);
- a floor: one ``str.translate`` pass per line (the cost of touching every line at all).

Runs alternate; the figures are medians.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time
from collections.abc import Callable

from incident.redact import redact_lines

TEMPLATES = [
    '10.0.{a}.{b} - - [25/Nov/2026:14:{m:02d}:{s:02d} +0000] "GET /api/v2/orders/{n}/items?page={a}'
    ' HTTP/1.1" 200 {n} "-" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like'
    ' Gecko) Chrome/120.0.0.0 Safari/537.36"',
    '203.0.113.{a} - alice [25/Nov/2026:14:{m:02d}:{s:02d} +0000] "POST /login HTTP/2.0" 302 0 '
    '"https://shop.example.com/cart" "curl/8.4.0"',
    "\tat org.springframework.beans.factory.support.AbstractAutowireCapableBeanFactory"
    ".createBean(AbstractAutowireCapableBeanFactory.java:{n})",
    "Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not "
    "available, request timed out after {n}ms.",
    "Warning  FailedScheduling  {a}m  default-scheduler  0/3 nodes are available: "
    "3 Insufficient memory. pod/checkout-api-7d9f8b6c4-x{a}x9z",
    "Warning  BackOff    {s}s   kubelet  Back-off restarting failed container worker in pod "
    "payments-worker-6b8d9c7f5d-qzx{a}m_default",
    "Nov 25 14:{m:02d}:{s:02d} ip-10-0-{a}-{b} kernel: [{n}.678] Out of memory: Killed process "
    "{n} (java) total-vm:8123456kB",
    "Nov 25 14:{m:02d}:{s:02d} web-1 systemd[1]: nginx.service: Main process exited, "
    "code=exited, status=1/FAILURE",
    "request_id=3f2a9c1e-8b7d-4e6f-a1b2-c3d4e5f6{n:04d} user=alice "
    "path=/usr/lib/jvm/java-17-openjdk-amd64/bin/java",
    'level=error ts=2026-11-25T14:{m:02d}:{s:02d}.123Z caller=main.go:{a} msg="dial tcp '
    '10.0.4.2:5432: connect: connection refused" component=db',
    '{{"level":"warn","ts":"2026-11-25T14:{m:02d}:{s:02d}Z","msg":"retrying","attempt":{a},'
    '"backoff_ms":{n}}}',
    "2026-11-25T14:{m:02d}:{s:02d}Z ERROR checkout-api POST /api/v2/checkout 500 {n}ms",
]


def make_lines(count: int) -> list[str]:
    from tests.redact_corpus import SECRETS

    rng = random.Random(16)
    secrets = [text for _, text, _ in SECRETS if "\n" not in text]
    out = []
    for i in range(count):
        if i % 1000 == 999:
            out.append(f"14:00 {rng.choice(secrets)}")
            continue
        t = rng.choice(TEMPLATES)
        out.append(
            t.format(
                a=rng.randrange(256),
                b=rng.randrange(256),
                m=rng.randrange(60),
                s=rng.randrange(60),
                n=rng.randrange(10_000),
            )
        )
    return out


# The redaction before issue #16 (incident/redact.py at 4341ca1), as the baseline.
MARK = "[REDACTED]"
OLD_RULES: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)",
            re.DOTALL,
        ),
        MARK,
    ),
    (
        re.compile(r"(?i)\b(authorization\s*[:=]\s*)(?:bearer|basic|token)?\s*[^\s,;\"']+"),
        r"\1" + MARK,
    ),
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"), r"\1" + MARK),
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@]+:)[^\s@/]+(@)"), r"\1" + MARK + r"\2"),
    (
        re.compile(
            r"(?i)\b((?:password|passwd|pwd|pass|secret|client[_-]?secret|api[_-]?key|"
            r"apikey|access[_-]?key|secret[_-]?key|private[_-]?key|token|auth[_-]?token|"
            r"access[_-]?token|refresh[_-]?token|session[_-]?id|aws_secret_access_key)"
            r"\"?\s*[:=]\s*\"?)[^\s\"',;&]+"
        ),
        r"\1" + MARK,
    ),
    (re.compile(r"\bAKIA[0-9A-Z]{16}\b"), MARK),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}\b"), MARK),
    (re.compile(r"\bgithub_pat_[A-Za-z0-9_]{30,}\b"), MARK),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"), MARK),
    (re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}\b"), MARK),
    (re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"), MARK),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b"), MARK),
]


def old_redact_lines(lines: list[str]) -> tuple[list[str], int]:
    out, total = [], 0
    for text in lines:
        for pattern, replacement in OLD_RULES:
            text, n = pattern.subn(replacement, text)
            total += n
        out.append(text)
    return out, total


_TABLE = {0x1B: "\u241b"}


def translate_lines(lines: list[str]) -> tuple[list[str], int]:
    return [line.translate(_TABLE) for line in lines], 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    lines = make_lines(args.lines)
    contenders: dict[str, Callable[[list[str]], tuple[list[str], int]]] = {
        "warroom redact_lines": redact_lines,
        "baseline: the old 12 rules": old_redact_lines,
        "floor: str.translate": translate_lines,
    }
    times: dict[str, list[float]] = {name: [] for name in contenders}
    found: dict[str, int] = {}
    for _ in range(args.runs):
        for name, fn in contenders.items():
            start = time.perf_counter()
            _, found[name] = fn(lines)
            times[name].append(time.perf_counter() - start)
    print(
        f"{args.lines:,} lines ({sum(map(len, lines)) / 2**20:.0f} MiB), {args.runs} runs, medians"
    )
    print(f"{'':28} {'seconds':>8} {'us/line':>8} {'lines/s':>11} {'redacted':>9}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(
            f"{name:28} {med:8.2f} {med / args.lines * 1e6:8.2f} "
            f"{args.lines / med:11,.0f} {found[name]:9,}"
        )


if __name__ == "__main__":
    main()
