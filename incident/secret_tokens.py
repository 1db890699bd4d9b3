"""Generated secrets that no vendor rule names: long random tokens in log text.

A piece of text (a run of base64 and identifier characters, cut at '=') is a generated
secret when a part of it reads as random: long enough, switching often between lower case,
upper case and digits, and above a Shannon entropy (detect-secrets' own function) that
random text reaches and words, paths, host and pod names do not. The thresholds below were
set against the harmless corpus of tests/redact_corpus.py (web access logs, stack traces,
Kubernetes events, syslog), which must come through unchanged.
"""

from __future__ import annotations

import re
import string

from detect_secrets.plugins.high_entropy_strings import (
    Base64HighEntropyString,
    HexHighEntropyString,
)

Span = tuple[int, int]

# ------------------------------------------------------------------ generated tokens
# A piece is a run of base64 and identifier characters, cut at '=' (name=value); its
# segments are cut at the separators that join words in paths, host and pod names and
# identifiers.
_SEGMENTS = re.compile(r"[^/+\-_.=]+")
_HEX = frozenset(string.hexdigits)
_B64 = Base64HighEntropyString()
_HEXDET = HexHighEntropyString()
# Thresholds (tests/test_redact.py holds the corpus they were set against):
HEX_MIN = 32  # a hex segment this long and above detect-secrets' hex limit (3.0): a hex key,
#               trace id or digest alike (a hex key cannot be told from the others)
SEGMENT_MIN = 16  # a segment of letters and digits this long that reads as random
JOINED_MIN = 24  # or a run this long (separators left out) whose longest segment, >= 12
#                  characters, reads as random: base64 cut by a few '/' '+' '-' '_'
AWS_SECRET_LEN = 40  # a bare AWS secret access key: 40 base64 characters, mixed case
SWITCH_RATIO = 0.3  # class switches (lower/upper/digit) per character: random alnum ~0.6,
#                     lower case and digits ~0.4, CamelCase words ~0.15, words 0
ENTROPY_MIN = 3.0  # bits per character (detect-secrets' formula) of the segment


_CLASSES = str.maketrans(
    string.ascii_lowercase + string.ascii_uppercase + string.digits, "a" * 26 + "A" * 26 + "0" * 10
)
_RUNS = re.compile(r"a++|A++|0++|[^aA0]++")
_LOWER_RUNS = re.compile(r"[a-z]++")


def _switches(s: str) -> int:
    """How often the class (lower case, upper case, digit) changes along ``s``."""
    return len(_RUNS.findall(s.translate(_CLASSES))) - 1


def _random(seg: str) -> bool:
    """Whether a segment of letters and digits reads as generated, not written."""
    n = len(seg)
    if seg.isdigit() or not seg.isalnum():
        return False  # a number: a time, a count, an id
    if seg.isalpha():  # letters only: random case (short runs of lower case), not CamelCase
        lower = _LOWER_RUNS.findall(seg)
        return (
            n >= 20
            and len(lower) >= 4
            and sum(map(len, lower)) < 3 * len(lower)
            and _B64.calculate_shannon_entropy(seg) >= 3.5
        )
    return (
        _switches(seg) >= SWITCH_RATIO * (n - 1)
        and _B64.calculate_shannon_entropy(seg) >= ENTROPY_MIN
    )


def generated(piece: str) -> bool:
    """Whether a run of token characters (no '=' inside) is a generated secret: a long
    random segment, a long hex string, a bare AWS secret key, or base64 cut by a few
    separators whose longest part is random."""
    body = piece.rstrip("=")
    segments = _SEGMENTS.findall(body)
    if not segments:
        return False
    for seg in segments:
        if len(seg) >= HEX_MIN and set(seg) <= _HEX:
            if _HEXDET.calculate_shannon_entropy(seg) > 3.0:
                return True
        elif len(seg) >= SEGMENT_MIN and not set(seg) <= _HEX and _random(seg):
            return True
    if (
        len(body) == AWS_SECRET_LEN
        and re.fullmatch(r"[A-Za-z0-9+/]{40}", body)
        and any(ch.isdigit() for ch in body)
        and any(ch.isupper() for ch in body)
        and any(ch.islower() for ch in body)
    ):
        return True
    longest = max(segments, key=len)
    joined = "".join(segments)
    return (
        len(joined) >= JOINED_MIN
        and len(longest) >= 12
        and not set(longest) <= _HEX
        and _random(longest)
        and _random(joined)
    )


_SEG12 = re.compile(r"[A-Za-z0-9]{12,}+")
_PIECE_CHARS = frozenset(string.ascii_letters + string.digits + "+/_-")


def _plausible(seg: str) -> bool:
    """Cheap: whether a segment of 12+ letters and digits could be part of a generated
    secret (has a digit, or upper case after its first letter); a word cannot."""
    return not seg.isalpha() or not (seg.islower() or seg[1:].islower() or seg.isupper())


def generated_spans(text: str) -> list[Span]:
    """The generated secrets in ``text`` (see :func:`generated`), each a whole piece: a run
    of base64 and identifier characters, cut at '=' (``name=value``), padding kept."""
    out: list[Span] = []
    n = len(text)
    for m in _SEG12.finditer(text):
        if out and m.start() < out[-1][1]:
            continue  # in a piece already found
        if not _plausible(m.group()):
            continue
        start, end = m.start(), m.end()
        while start > 0 and text[start - 1] in _PIECE_CHARS:
            start -= 1
        while end < n and text[end] in _PIECE_CHARS:
            end += 1
        while end < n and text[end] == "=":
            end += 1
        if end - start >= SEGMENT_MIN and generated(text[start:end]):
            out.append((start, end))
    return out
