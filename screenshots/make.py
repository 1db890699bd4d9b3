"""Make every screenshot in this folder from the demo incident, with a frozen clock.

    .venv/bin/python screenshots/make.py

Each SVG is saved by Textual itself (``App.save_screenshot``) from the real app, built by
the same factory as the CLI (``tui.cli.build_app``).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from incident.clock import FrozenClock  # noqa: E402
from incident.demo import seed_demo  # noqa: E402
from storage.store import Store  # noqa: E402
from tui.cli import Launch, build_app  # noqa: E402
from tui.screens.console import ConsoleScreen  # noqa: E402
from tui.screens.postmortem import PostmortemScreen  # noqa: E402
from tui.screens.review import ReviewScreen  # noqa: E402

FROZEN = datetime(2026, 11, 25, 15, 8, tzinfo=UTC)
OUT = Path(__file__).resolve().parent

# name, theme, size, keys pressed once the console is up
SHOTS: list[tuple[str, str, tuple[int, int], list[str]]] = [
    ("console-dark", "warroom-dark", (120, 36), []),
    ("console-light", "warroom-light", (120, 36), []),
    ("console-high-contrast", "warroom-high-contrast", (120, 36), []),
    ("console-80x24", "warroom-dark", (80, 24), []),
    ("console-80x24-checklist", "warroom-dark", (80, 24), ["2"]),
    ("dialog-note", "warroom-dark", (120, 36), ["n"]),
    ("dialog-severity", "warroom-dark", (120, 36), ["s"]),
    ("dialog-status", "warroom-dark", (120, 36), ["t"]),
    ("dialog-participant", "warroom-dark", (120, 36), ["a"]),
    ("dialog-phase", "warroom-dark", (120, 36), ["p"]),
    ("help", "warroom-dark", (120, 36), ["question_mark"]),
    ("zoom-timeline", "warroom-dark", (120, 36), ["z"]),
    ("dialog-add-source", "warroom-dark", (120, 36), ["plus"]),
    ("review", "warroom-dark", (140, 40), ["REVIEW", "left", "left", "left", "left", "left"]),
    ("postmortem", "warroom-dark", (120, 40), ["POSTMORTEM"]),
]


async def seed(db: Path) -> int:
    store = await Store.open(db)
    try:
        return await seed_demo(
            store,
            FrozenClock(FROZEN),
            log_command="kubectl logs -f deploy/checkout-api",
            owner="@alice",
        )
    finally:
        await store.close()


async def shoot(
    db: Path, incident: int, name: str, theme: str, size: tuple[int, int], keys: list[str]
) -> Path:
    mode = keys[0] if keys and keys[0].isupper() else ""
    keys = keys[1:] if mode else keys
    app = build_app(
        Launch(
            db,
            incident,
            FrozenClock(FROZEN),
            theme=theme,
            actor="@alice",
            remember_theme=False,
            local_tz=UTC,
            run_sources=False,
            mode={"REVIEW": "review", "POSTMORTEM": "postmortem"}.get(mode, "console"),
        )
    )
    async with app.run_test(size=size) as pilot:
        for _ in range(200):
            screen = app.screen
            if (
                (isinstance(screen, ConsoleScreen) and screen.ready)
                or (isinstance(screen, ReviewScreen) and screen.at is not None)
                or isinstance(screen, PostmortemScreen)
            ):
                break
            await pilot.pause(0.02)
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.2)
        await pilot.pause(0.3)
        path = OUT / f"{name}.svg"
        app.save_screenshot(filename=path.name, path=str(OUT))
    return path


async def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.db"
        incident = await seed(db)
        for name, theme, size, keys in SHOTS:
            path = await shoot(db, incident, name, theme, size, keys)
            print(f"{path.relative_to(ROOT)}  {size[0]}x{size[1]}  {theme}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
