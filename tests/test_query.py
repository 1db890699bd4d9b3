"""How a log pane's search or filter text is read (``incident.query``): prefixes, the
bracket rule, smartcase, the fallback to literal, and what the status line says."""

from __future__ import annotations

import pytest

from incident.query import (
    filter_summary,
    pattern_for,
    read_query,
    reads_as_words,
    search_summary,
    toggled,
)

LINES = [
    "[notice] start",
    "[error] disk full",
    "ERROR upper",
    "plain ok",
    "[client 1.2.3.4] GET /a.html",
    "got SIGTERM",
    "[TERM, HUP, INT] trapped",
    "=x marks",
]


def hits(typed: str) -> list[str]:
    query = read_query(typed)
    assert query is not None
    return [LINES[i] for i in query.pattern.matching(LINES)]


@pytest.mark.parametrize(
    "typed",
    [
        "[error]",
        "[TERM, HUP, INT]",
        "[client 1.2.3.4] GET /a.html",
        "[notice] [error]",
        "[eu-west]",
    ],
)
def test_bracketed_words_are_read_literally_and_say_how_to_get_the_regex(typed):
    query = read_query(typed)
    assert query is not None
    assert (query.mode, query.reason) == ("literal", "words")
    assert query.note == "literal; ~ for regex"


def test_the_bracket_rule_keeps_what_only_a_regex_would_be():
    for typed in ("[0-9]+", "[Ee]rror", "[^ ]", r"\[error\]", "[error].*timeout", "[ab]"):
        assert not reads_as_words(typed), typed
        query = read_query(typed)
        assert query is not None and (query.mode, query.reason) == ("regex", "default"), typed
    assert not reads_as_words("error")  # no bracket at all: a plain regex


def test_bracketed_words_find_the_lines_that_hold_them():
    assert hits("[error]") == ["[error] disk full"]
    assert hits("[TERM, HUP, INT]") == ["[TERM, HUP, INT] trapped"]
    assert hits("[client 1.2.3.4] GET /a.html") == ["[client 1.2.3.4] GET /a.html"]
    # forced to a regex, "[error]" is a class of five letters: every line here passes
    assert hits("~[error]") == LINES


def test_prefixes_force_a_reading_and_double_to_find_the_prefix_itself():
    lit = read_query("=a.c")
    assert lit is not None and (lit.mode, lit.reason, lit.text) == ("literal", "prefix", "a.c")
    assert not lit.pattern.search("abc") and lit.pattern.search("a.c")
    rx = read_query("~[error]")
    assert rx is not None and (rx.mode, rx.reason, rx.text) == ("regex", "prefix", "[error]")
    assert hits("==x") == ["=x marks"]
    tilde = read_query("~~x")
    assert tilde is not None and (tilde.mode, tilde.text) == ("regex", "~x")
    assert read_query("=") is None and read_query("~") is None and read_query("") is None


def test_smartcase_is_kept_with_every_reading():
    assert hits("error") == ["[error] disk full", "ERROR upper"]
    assert hits("ERROR") == ["ERROR upper"]
    assert hits("=error") == ["[error] disk full", "ERROR upper"]
    assert hits("[ERROR]") == []  # upper case: case-sensitive, and literal
    assert hits("[error]") == ["[error] disk full"]


def test_an_invalid_regex_is_read_literally_and_says_so():
    for typed in ("a(b", "~a(b"):
        query = read_query(typed)
        assert query is not None
        assert (query.mode, query.reason, query.note) == (
            "literal",
            "invalid",
            "literal: not a regex",
        )
        assert "missing )" in query.why
        assert query.pattern.search("xa(b")


def test_toggle_flips_the_reading():
    assert toggled("[error]") == "~[error]"
    assert toggled("~[error]") == "=[error]"
    assert toggled("=[error]") == "~[error]"
    assert toggled("err.r") == "=err.r"
    assert toggled("==x") == "~=x" and toggled("~=x") == "==x"
    assert toggled("") == ""
    for typed in ("[error]", "err.r", "=a", "~a"):
        assert read_query(toggled(typed)).mode != read_query(typed).mode  # type: ignore[union-attr]


def test_pattern_for_smartcase_and_fallback():
    assert pattern_for("err").search("ERR")  # type: ignore[union-attr]
    assert not pattern_for("Err").search("ERR")  # type: ignore[union-attr]
    assert pattern_for("a(b").search("xa(b")  # type: ignore[union-attr]
    assert pattern_for("") is None


def test_summaries_say_the_reading_and_the_counts():
    words = read_query("[error]")
    regex = read_query(".")
    lit = read_query("=x")
    assert words is not None and regex is not None and lit is not None
    assert (
        filter_summary(words, 37, 4212)
        == 'filter "[error]" (literal; ~ for regex) 37 of 4,212 lines'
    )
    assert filter_summary(regex, 4212, 4212) == 'filter "." (regex) passes all 4,212 lines'
    assert filter_summary(regex, 0, 0) == 'filter "." (regex) 0 of 0 lines'
    assert search_summary(lit, 12) == 'search "=x" (literal) 12 matching lines'
    assert search_summary(lit, 1) == 'search "=x" (literal) 1 matching line'
    assert search_summary(lit, 0) == 'search "=x" (literal) no match'
    assert search_summary(lit, 5, done=False) == 'search "=x" (literal) counting, 5 so far'


def test_summaries_show_controls_visibly_and_cut_long_texts():
    query = read_query("=\x1b[31m" + "y" * 80)
    assert query is not None
    said = filter_summary(query, 1, 2)
    assert "\x1b" not in said and "␛" in said and "…" in said
