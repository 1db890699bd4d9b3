"""incident.sgr: the SGR subset becomes styles over plain text; nothing else is interpreted."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incident.sanitize import decode
from incident.sgr import MAX_PARAMS, PLAIN, SgrStyle, apply, parse

E = "\u241b"  # ESC as sanitised text shows it


def styled(line: str) -> tuple[str, list[tuple[str, SgrStyle]]]:
    """The plain text, and each span as (its text, its style)."""
    plain, spans = parse(line)
    return plain, [(plain[a:b], s) for a, b, s in spans]


@pytest.mark.parametrize(
    ("params", "style"),
    [
        ("31", SgrStyle(fg=1)),
        ("37", SgrStyle(fg=7)),
        ("91", SgrStyle(fg=9)),
        ("97", SgrStyle(fg=15)),
        ("42", SgrStyle(bg=2)),
        ("104", SgrStyle(bg=12)),
        ("38;5;208", SgrStyle(fg=208)),
        ("48;5;0", SgrStyle(bg=0)),
        ("38;2;255;128;0", SgrStyle(fg=(255, 128, 0))),
        ("48;2;1;2;3", SgrStyle(bg=(1, 2, 3))),
        ("1", SgrStyle(bold=True)),
        ("2", SgrStyle(dim=True)),
        ("3", SgrStyle(italic=True)),
        ("4", SgrStyle(underline=True)),
        ("7", SgrStyle(reverse=True)),
        ("9", SgrStyle(strike=True)),
        ("1;31", SgrStyle(fg=1, bold=True)),
        ("1;38;5;208;4", SgrStyle(fg=208, bold=True, underline=True)),
        ("38;2;1;2;3;48;5;17", SgrStyle(fg=(1, 2, 3), bg=17)),
        ("0001;031", SgrStyle(fg=1, bold=True)),  # leading zeros are still the number
    ],
)
def test_each_element_of_the_subset_is_a_style(params, style):
    assert styled(f"a{E}[{params}mbc{E}[0md") == ("abcd", [("bc", style)])


EVERYTHING = SgrStyle(
    fg=1, bg=2, bold=True, dim=True, italic=True, underline=True, reverse=True, strike=True
)


@pytest.mark.parametrize(
    ("params", "after"),
    [
        ("0", PLAIN),
        ("", PLAIN),  # ESC[m
        (";", PLAIN),  # two empty parameters: two resets
        ("1;0", PLAIN),
        ("0;4", SgrStyle(underline=True)),
        ("22", EVERYTHING._replace(bold=False, dim=False)),
        ("23", EVERYTHING._replace(italic=False)),
        ("24", EVERYTHING._replace(underline=False)),
        ("27", EVERYTHING._replace(reverse=False)),
        ("29", EVERYTHING._replace(strike=False)),
        ("39", EVERYTHING._replace(fg=None)),
        ("49", EVERYTHING._replace(bg=None)),
        ("39;49", EVERYTHING._replace(fg=None, bg=None)),
    ],
)
def test_resets_undo_what_they_name(params, after):
    assert apply(EVERYTHING, params) == after


def test_styles_accumulate_and_spans_split_where_the_style_changes():
    plain, spans = styled(f"{E}[1mA{E}[31mB{E}[31mC{E}[22mD{E}[mE")
    assert plain == "ABCDE"
    assert spans == [
        ("A", SgrStyle(bold=True)),
        ("BC", SgrStyle(fg=1, bold=True)),  # the repeated 31 changes nothing: one span
        ("D", SgrStyle(fg=1)),
    ]


def test_a_style_left_open_runs_to_the_end_of_the_line_and_no_further():
    assert styled(f"ok {E}[32mgreen to the end") == (
        "ok green to the end",
        [("green to the end", SgrStyle(fg=2))],
    )
    assert styled("the next line") == ("the next line", [])


def test_lines_without_sgr_come_back_as_they_are():
    line = "2026-11-25 ERROR no colour ␛]0;title␇"
    plain, spans = parse(line)
    assert plain is line and spans == ()


@pytest.mark.parametrize(
    "sequence",
    [
        f"{E}[2J",  # clear screen
        f"{E}[H",  # cursor home
        f"{E}[10;20H",
        f"{E}]0;title␇",  # OSC title
        f"{E}]52;c;UFdORUQ=␇",  # OSC 52 clipboard
        f"{E}c",  # full reset
        f"{E}[?25h",  # private parameters
        f"{E}[>4;2m",  # private parameters with an m (xterm modifyOtherKeys)
        f"{E}[38:2::255:0:0m",  # colon sub-parameters
        f"{E}[4:3m",  # curly underline
        f"{E}[1 m",  # an intermediate byte
        f"{E}[31",  # truncated: no final m
        f"{E}[38;5m",  # truncated colour
        f"{E}[38;2;1;2m",
        f"{E}[38m",
        f"{E}[38;7;1m",  # no such colour kind
        f"{E}[38;5;256m",  # out of range
        f"{E}[48;2;0;0;999m",
        f"{E}[999m",
        f"{E}[5m",  # blink: not in the subset
        f"{E}[8m",  # conceal: would hide text
        f"{E}[1;5m",  # one unknown code and the whole sequence stays
        f"{E}[31;8m",
        f"{E}[{'1;' * MAX_PARAMS}m",  # too long to be taken
        "⟨U+009B⟩31m",  # a C1 CSI, as sanitised
        "[31m",  # no ESC at all
    ],
)
def test_anything_else_stays_visible_and_styles_nothing(sequence):
    line = f"a {sequence} b {E}[1mbold"
    plain, spans = styled(line)
    assert plain == f"a {sequence} b bold"
    assert spans == [("bold", SgrStyle(bold=True))]  # the style before it was not disturbed


def test_an_unsupported_sequence_changes_no_style_mid_line():
    assert styled(f"{E}[31mred {E}[5mstill red{E}[0m") == (
        f"red {E}[5mstill red",
        [(f"red {E}[5mstill red", SgrStyle(fg=1))],
    )


def test_the_real_bytes_of_a_program_come_out_coloured():
    line = decode(b"\x1b[1;31mERROR\x1b[0m disk \x1b[38;5;208m91%\x1b[m \x1b[2J \x1b]0;t\x07")
    assert styled(line) == (
        f"ERROR disk 91% {E}[2J {E}]0;t␇",
        [("ERROR", SgrStyle(fg=1, bold=True)), ("91%", SgrStyle(fg=208))],
    )


# ---------------------------------------------------------------------- the property
def _oracle(line: str) -> list[tuple[str, SgrStyle]]:
    """Each character the screen shows with its style, read a character at a time (not
    with the module's regex): a sequence is ESC-picture, '[', at most MAX_PARAMS digits and
    semicolons, 'm', whose parameters ``apply`` takes."""
    out, style, i = [], PLAIN, 0
    while i < len(line):
        if line.startswith(E + "[", i):
            j = i + 2
            while j < len(line) and line[j] in "0123456789;" and j - i - 2 < MAX_PARAMS + 1:
                j += 1
            if j < len(line) and line[j] == "m" and j - i - 2 <= MAX_PARAMS:
                new = apply(style, line[i + 2 : j])
                if new is not None:
                    style, i = new, j + 1
                    continue
        out.append((line[i], style))
        i += 1
    return out


ALPHABET = st.sampled_from(
    [
        *(b"\x1b", b"[", b"m", b";", b"x", b" ", b"\x07", b"]", b"?", b":"),
        *(b"0", b"1", b"2", b"3", b"4", b"5", b"8", b"9", b"38;5;", b"48;2;", b"255"),
        *(b"\x9b", b"\xc2\x9b", b"\xff", "é".encode(), b"1;" * 40),  # (past MAX_PARAMS)
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(ALPHABET, max_size=60).map(b"".join))
def test_every_character_but_valid_sgr_survives_in_order_with_its_style(data):
    line = decode(data)
    plain, spans = parse(line)
    assert "\x1b" not in plain
    shown = _oracle(line)
    assert plain == "".join(c for c, _ in shown)  # nothing else was removed, order kept
    styles = [PLAIN] * len(plain)
    last = 0
    for a, b, s in spans:
        assert last <= a < b <= len(plain) and s != PLAIN  # sorted, apart, never empty
        styles[a:b] = [s] * (b - a)
        last = b
    assert styles == [s for _, s in shown]
