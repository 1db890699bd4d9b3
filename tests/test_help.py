"""The help screen is built from the tables the keys are bound from: the console's actions,
each pane's own bindings, and the app's."""

from __future__ import annotations

import dataclasses

from textual.app import App

import tui.screens.help as help_screen
from tui.actions import ACTIONS, key_label
from tui.app import WarRoomApp
from tui.screens.help import PANES, help_content


class Bare(App):
    BINDINGS = WarRoomApp.BINDINGS


def test_every_key_in_the_help_comes_from_its_binding():
    text = help_content(Bare()).plain
    for a in ACTIONS:
        assert f"{key_label(a.key):>3}  {a.title} - {a.help}\n" in text, a.key
    for _, widgets in PANES:
        for widget in widgets:
            for b in widget.__dict__["BINDINGS"]:
                if b.show or b.tooltip:
                    line = f"{key_label(b.key)}  {b.description}"
                    assert line + (f" - {b.tooltip}" if b.tooltip else "") in text, line
    for key, title in (("ctrl+q", "Quit"), ("F1", "Help"), ("ctrl+p", "Command palette")):
        assert f"{key}  {title}\n" in text
    assert "shift+tab  Focus Previous" in text


def test_a_key_changed_in_the_actions_table_changes_the_help(monkeypatch):
    moved = tuple(dataclasses.replace(a, key="f9") if a.action == "note" else a for a in ACTIONS)
    monkeypatch.setattr(help_screen, "ACTIONS", moved)
    text = help_content(Bare()).plain
    assert " F9  Add timeline note" in text and "  n  Add timeline note" not in text


def test_hidden_navigation_keys_stay_out():
    """The arrows and page keys every list has are not listed, pane by pane."""
    text = help_content(Bare()).plain
    assert "pageup" not in text and "Page up" not in text
