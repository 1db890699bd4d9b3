"""The baseline of bench/startup.py: a bare Textual app (header, one line, footer)."""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Label


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("BARE-READY")
        yield Footer()


if __name__ == "__main__":
    Bare().run()
