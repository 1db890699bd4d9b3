"""Untrusted text never reaches the terminal as control: every control becomes visible."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incident.sanitize import decode, visible, visible_text

BIDI = [
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u061c",
]
INVISIBLE = [
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u2028",
    "\u2029",
    "\u180e",
    "\u2062",
    "\u206f",
    "\ufff9",
    "\U000e0001",
    "\U000e0041",
    "\U000e007f",
]


# Format characters with a visible glyph of their own (prepended concatenation marks), the
# soft hyphen, and script-internal layout controls: not a way to hide or reorder text.
VISIBLE_FORMAT = {
    0x00AD,
    *range(0x0600, 0x0606),
    0x06DD,
    0x070F,
    0x0890,
    0x0891,
    0x08E2,
    0x110BD,
    0x110CD,
    *range(0x13430, 0x13440),
    *range(0x1BCA0, 0x1BCA4),
    *range(0x1D173, 0x1D17B),
}


def _is_control(ch: str) -> bool:
    """C0/C1 controls, DEL, line/paragraph separators, bidi and invisible format chars."""
    cat = unicodedata.category(ch)
    if ch == "\t":
        return False
    return cat in ("Cc", "Zl", "Zp") or (cat == "Cf" and ord(ch) not in VISIBLE_FORMAT)


def assert_inert(text: str) -> None:
    bad = [f"U+{ord(c):04X}" for c in text if _is_control(c)]
    assert not bad, f"controls left: {bad}"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b", "␛"),
        ("\x1b[31mred\x1b[0m", "␛[31mred␛[0m"),  # CSI colour
        ("\x1b[2J\x1b[H", "␛[2J␛[H"),  # clear screen
        ("\x1bc", "␛c"),  # full reset
        ("\x1b]52;c;aGk=\x07", "␛]52;c;aGk=␇"),  # OSC 52 clipboard write
        ("\x1b]0;title\x1b\\", "␛]0;title␛\\"),  # OSC title, ST
        ("\x9b31m", "⟨U+009B⟩31m"),  # 8-bit CSI
        ("\x9d52;c;x\x9c", "⟨U+009D⟩52;c;x⟨U+009C⟩"),  # 8-bit OSC
        ("a\x00b", "a␀b"),
        ("a\x7fb", "a␡b"),
        ("\r", "␍"),
        ("\n", "␊"),
        ("\x08", "␈"),
        ("abc\u202edcba", "abc⟨U+202E⟩dcba"),
        ("\u2066x\u2069", "⟨U+2066⟩x⟨U+2069⟩"),
        ("a\tb", "a\tb"),
        ("plain ascii, ünïcödé, 日本語, emoji 🚨", "plain ascii, ünïcödé, 日本語, emoji 🚨"),
    ],
)
def test_visible(raw: str, shown: str) -> None:
    assert visible(raw) == shown


@pytest.mark.parametrize("code", [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)])
def test_every_c0_c1_control_and_del_is_replaced(code: int) -> None:
    out = visible(chr(code))
    if code == 0x09:
        assert out == "\t"
        return
    assert chr(code) not in out
    assert out.isprintable()
    assert_inert(out)


def test_c1_controls_shown_as_code_points() -> None:
    assert visible("\x85") == "⟨U+0085⟩"
    assert visible("\x9f") == "⟨U+009F⟩"
    assert visible("\xa0") == "\xa0"  # NBSP is not a control


@pytest.mark.parametrize("ch", BIDI + INVISIBLE)
def test_bidi_and_invisible_characters(ch: str) -> None:
    assert visible(f"a{ch}b") == f"a⟨U+{ord(ch):04X}⟩b"


def test_visible_text_keeps_newlines_only() -> None:
    raw = "line 1\nline\x1b[2J 2\r\n\tend\u202e"
    assert visible_text(raw) == "line 1\nline␛[2J 2␍\n\tend⟨U+202E⟩"


def test_decode_replaces_invalid_utf8() -> None:
    assert decode(b"ok \xff\xfe done") == "ok \ufffd\ufffd done"
    assert decode(b"caf\xc3\xa9") == "café"
    assert decode(b"\xe2\x80") == "\ufffd"  # truncated sequence
    assert decode(b"\x1b[31mred\n") == "␛[31mred␊"
    assert decode(b"\xc2\x9b2J") == "⟨U+009B⟩2J"  # UTF-8 encoded C1 CSI
    assert decode(b"\xe2\x80\xae") == "⟨U+202E⟩"  # UTF-8 encoded RLO


@given(st.text())
def test_visible_output_is_inert(text: str) -> None:
    out = visible(text)
    assert_inert(out)
    assert "\x1b" not in out and "\n" not in out


@given(st.text())
def test_visible_text_output_is_inert_but_for_newlines(text: str) -> None:
    out = visible_text(text)
    assert_inert(out.replace("\n", ""))
    assert out.count("\n") == text.count("\n")


@given(st.binary())
def test_decode_never_fails_and_is_inert(data: bytes) -> None:
    assert_inert(decode(data))


def test_tag_characters_cannot_smuggle_hidden_text() -> None:
    hidden = "".join(chr(0xE0000 + ord(c)) for c in "rm -rf")
    out = visible(f"ok{hidden}")
    assert out.startswith("ok⟨U+E0072⟩⟨U+E006D⟩")
    assert_inert(out)
