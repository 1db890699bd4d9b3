"""Lines out of raw chunks (no readline, no loss) and safe text out of hostile bytes."""

from __future__ import annotations

import random
import time

import pytest

from feeds.lines import MAX_LINE, LineSplitter, sanitize_lines
from incident.sanitize import decode


def split_all(chunks: list[bytes], max_line: int = MAX_LINE) -> list[bytes]:
    s = LineSplitter(max_line)
    out: list[bytes] = []
    for c in chunks:
        out += s.feed(c)
    tail = s.flush()
    return [*out, tail] if tail else out


def test_partial_lines_are_held_until_complete() -> None:
    s = LineSplitter()
    assert s.feed(b"abc") == []
    assert s.feed(b"def\ngh") == [b"abcdef"]
    assert s.pending == 2
    assert s.feed(b"i\n\nj") == [b"ghi", b""]
    assert s.flush() == b"j"
    assert s.flush() == b""


def test_crlf_and_lone_cr() -> None:
    assert split_all([b"a\r\nb\r\n", b"c\r", b"\nd\re\n"]) == [b"a", b"b", b"c", b"d\re"]
    assert split_all([b"x\r"]) == [b"x"]


def test_empty_lines_and_empty_chunks() -> None:
    assert split_all([b"", b"\n\n", b"", b"\n"]) == [b"", b"", b""]
    assert split_all([]) == []


def test_any_chunking_gives_the_same_lines() -> None:
    rng = random.Random(7)
    data = b"".join(rng.choice([b"alpha\n", b"\r\n", b"\n", b"b" * rng.randint(0, 300),
                                b"\xe2\x98\x83", b"c\r"]) for _ in range(2000))
    expected = split_all([data])
    for _ in range(20):
        cuts = sorted(rng.sample(range(1, len(data)), 50))
        chunks = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]
        assert split_all(chunks) == expected


@pytest.mark.parametrize("chunk", [65536, 4093, 10**7])
def test_a_1mb_line_between_short_lines(chunk: int) -> None:
    big = random.Random(1).randbytes(1_000_000).replace(b"\n", b"N").replace(b"\r", b"R")
    data = b"before\n" + big + b"\nafter\n"
    lines = split_all([data[i:i + chunk] for i in range(0, len(data), chunk)])
    assert lines == [b"before", big, b"after"]


@pytest.mark.parametrize("chunk", [65536, 10**7])
def test_a_3mb_line_is_cut_into_pieces_and_nothing_is_lost(chunk: int) -> None:
    big = b"".join(b"%07d" % i for i in range(3 * MAX_LINE // 7 + 5))  # > 3 MiB
    data = b"one\n" + big + b"\r\ntwo\n"
    lines = split_all([data[i:i + chunk] for i in range(0, len(data), chunk)])
    assert lines[0] == b"one" and lines[-1] == b"two"
    pieces = lines[1:-1]
    assert len(pieces) == 4
    assert all(len(p) == MAX_LINE for p in pieces[:-1]) and 0 < len(pieces[-1]) <= MAX_LINE
    assert b"".join(pieces) == big


def test_memory_is_bounded_while_a_line_never_ends() -> None:
    s = LineSplitter(max_line=1000)
    emitted = 0
    for _ in range(1000):
        emitted += sum(len(p) for p in s.feed(b"z" * 333))
        assert s.pending <= 1000
    assert emitted + len(s.flush()) == 333_000


HOSTILE = [
    b"[bold]x[/] [link=http://evil]click[/link] [/usr/bin/x]",  # Rich markup stays text
    b"\x1b]0;pwned\x07",                                         # OSC 0: window title
    b"\x1b]52;c;ZXZpbA==\x07",                                   # OSC 52: clipboard write
    b"\x1b[2J\x1b[H",                                            # clear screen
    b"\x1bc",                                                    # full reset
    "\x9b31m \x9d0;t\x9c".encode(),                              # C1 CSI, OSC, ST
    "abc\u202edcba \u2066x\u2069 \u200b \ufeff".encode(),        # bidi and invisible
    b"\xff\xfe bad utf-8 \xc3",                                  # invalid UTF-8
    b"nul\x00 del\x7f bs\x08 bel\x07 cr\r ff\x0c",               # C0 and DEL
    b"tab\tkept",
    b"\x1bPtmux;\x1b\x1b]52;c;eA==\x07\x1b\\",                   # tmux passthrough
]


def _forbidden(ch: str) -> bool:
    c = ord(ch)
    return (c < 0x20 and ch != "\t") or 0x7F <= c <= 0x9F or ch in (
        "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
        "\u200b\u200c\u200d\u2060\ufeff\u2028\u2029")


def test_hostile_corpus_is_inert() -> None:
    out = sanitize_lines(HOSTILE)
    assert len(out) == len(HOSTILE)
    for line in out:
        assert not [c for c in line if _forbidden(c)], line
    assert out[0] == "[bold]x[/] [link=http://evil]click[/link] [/usr/bin/x]"
    assert out[1] == "␛]0;pwned␇"
    assert out[2] == "␛]52;c;ZXZpbA==␇"
    assert out[3] == "␛[2J␛[H" and out[4] == "␛c"
    assert out[5].startswith("⟨U+009B⟩31m")
    assert "⟨U+202E⟩" in out[6] and "⟨U+2066⟩" in out[6]
    assert out[7].startswith("\ufffd\ufffd bad utf-8") and out[7].endswith("\ufffd")
    assert out[8] == "nul␀ del␡ bs␈ bel␇ cr␍ ff␌"
    assert out[9] == "tab\tkept"


def test_same_as_decode_line_by_line() -> None:
    rng = random.Random(3)
    alphabet = [bytes([b]) for b in range(256) if b != 0x0A] + [
        c.encode() for c in "é☃\u202e\u200b\x85\x9b\U000e0041\ufeff\u2066"]
    raw = [b"".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
           for _ in range(3000)]
    assert sanitize_lines(raw) == [decode(r) for r in raw]
    assert sanitize_lines([]) == []
    assert sanitize_lines([b""]) == [""]


def test_a_line_with_a_newline_in_it_is_still_one_line() -> None:
    assert sanitize_lines([b"a\nb", b"c"]) == ["a␊b", "c"]


def test_fast_enough() -> None:
    """The issue's target is > 1M lines/s for 100-byte lines; assert a safe fraction of it."""
    line = b"2026-11-25T14:30:00.000Z INFO checkout-api GET /api/v2/checkout 200 12ms req=ab"
    line += b"c" * (100 - len(line))
    chunk = b"\n".join([line] * 650) + b"\n"  # about 64 KiB, as read from a pipe
    s = LineSplitter()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < 0.3:
        n += len(sanitize_lines(s.feed(chunk)))
    rate = n / (time.perf_counter() - t0)
    assert rate > 500_000, f"{rate:,.0f} lines/s"
