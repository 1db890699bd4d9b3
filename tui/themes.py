"""Themes as data: ``themes/*.toml`` (and the user's own), validated on load
(``tui/theme_schema.py``).

A theme file is a Textual theme plus warroom's own variables (severity and status colours,
due and overdue). A file that does not validate is reported and skipped; the built-in dark
theme is always there to fall back on.

The console's first frame needs one theme, and must not wait for pydantic to validate them
all: :func:`remember` keeps every theme as it was validated (with a digest of its file), and
:func:`recall` gives one back at the next start if its file has not changed since, and
:func:`builtin` reads a built-in one directly when nothing is remembered yet (the built-in
files are validated by the test suite).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict
from importlib import resources
from pathlib import Path

from textual.color import Color, ColorParseError
from textual.theme import Theme

DEFAULT_THEME = "warroom-dark"
# Fallbacks for warroom's variables, so any theme (Textual's own included) can be used.
DEFAULT_VARIABLES = {
    "sev1": "#FF5630",
    "sev2": "#FF8B00",
    "sev3": "#FFC400",
    "sev-text": "#0D1117",
    "status-active": "#FF5630",
    "status-mitigated": "#FFAB00",
    "status-resolved": "#36B37E",
    "overdue": "#FF5630",
    "due-soon": "#FFAB00",
}
COLOUR_FIELDS = (
    "primary",
    "secondary",
    "accent",
    "warning",
    "error",
    "success",
    "foreground",
    "background",
    "surface",
    "panel",
)
REQUIRED_VARIABLES = (
    "sev1",
    "sev2",
    "sev3",
    "sev-text",
    "status-active",
    "status-mitigated",
    "status-resolved",
    "overdue",
    "due-soon",
)


def builtin_theme_files() -> list[Path]:
    root = resources.files("themes")
    return sorted(Path(str(f)) for f in root.iterdir() if f.name.endswith(".toml"))


def theme_files(extra_dirs: Iterable[Path] = ()) -> list[Path]:
    """The built-in theme files, then the user's."""
    files = builtin_theme_files()
    for d in extra_dirs:
        if d.is_dir():
            files += sorted(d.glob("*.toml"))
    return files


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def remember(cache: Path, validated: Iterable[tuple[Theme, Path]]) -> None:
    """Keep the validated themes, each with its file's digest (best effort: a cache)."""
    try:
        entries = {
            theme.name: {"file": str(path), "sha256": _digest(path), "theme": asdict(theme)}
            for theme, path in validated
        }
        text = json.dumps(entries, sort_keys=True)
        if cache.is_file() and cache.read_text(encoding="utf-8") == text:
            return
        cache.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = cache.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, cache)
    except (OSError, TypeError, ValueError):
        pass


def recall(cache: Path, name: str) -> Theme | None:
    """The theme ``name`` as :func:`remember` kept it, if its file is unchanged since."""
    try:
        entry = json.loads(cache.read_text(encoding="utf-8"))[name]
        if _digest(Path(entry["file"])) != entry["sha256"]:
            return None
        return _checked(Theme(**entry["theme"]), name)
    except (OSError, ValueError, TypeError, KeyError, AttributeError, ColorParseError):
        return None


def builtin(name: str, extra_dirs: Iterable[Path] = ()) -> Theme | None:
    """The built-in theme ``name`` read straight from its file, for a first start with
    nothing remembered yet; None if the user has theme files (one may be named ``name``)."""
    try:
        if any(any(d.glob("*.toml")) for d in extra_dirs if d.is_dir()):
            return None
        path = Path(str(resources.files("themes") / f"{name}.toml"))
        import tomllib

        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return _checked(Theme(**data), name)
    except (OSError, ValueError, TypeError, KeyError, AttributeError, ColorParseError):
        return None  # (TOMLDecodeError is a ValueError)


def _checked(theme: Theme, name: str) -> Theme | None:
    """``theme`` if it is ``name`` and its colours parse, as the schema checks them."""
    colours = [getattr(theme, f) for f in COLOUR_FIELDS] + [
        theme.variables[k] for k in REQUIRED_VARIABLES
    ]
    for colour in colours:
        if colour is not None:
            Color.parse(colour)
    return theme if theme.name == name else None
