"""A second baseline of bench/startup.py: the bare app plus what any warroom start must pay.

The bare Textual app (header, one line, footer), plus the stack the product is built on,
loaded before the first frame: the pydantic domain models, the aiosqlite store, the
incident's state folded from it, and its newest timeline page, as plain lines in the one
line's place. The difference between this and the bare app is what loading that stack
first costs; warroom paints its first frame before it (storage/peek.py).

    python bench/stack_app.py DB INCIDENT
"""

from __future__ import annotations

import sys
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

from storage.store import Store


class StackApp(App[None]):
    def __init__(self, db: Path, incident: int) -> None:
        super().__init__()
        self.db, self.incident = db, incident

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(markup=False)
        yield Footer()

    async def on_mount(self) -> None:
        store = await Store.open(self.db)
        try:
            state = await store.load_state(self.incident)
            events = await store.page(self.incident, limit=80)
        finally:
            await store.close()
        self.title = state.title
        rows = [f"{e.occurred_at:%H:%M:%S}  {e.text}  {e.action}  {e.owner}" for e in events]
        self.query_one(Static).update("\n".join(rows[-(self.size.height - 2) :]))


if __name__ == "__main__":
    StackApp(Path(sys.argv[1]), int(sys.argv[2])).run()
