"""Messages that travel up to the app from more than one screen or pane."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class Drafted(Message):
    """Text being typed changed: autosave ``text`` under ``key`` ("" clears it).

    Dialogs post it as they are typed into, and the comms pane's ``DraftChanged`` is one;
    the app writes them within a second, so a dropped connection loses nothing.
    """

    key: str
    text: str
