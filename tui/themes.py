"""Themes as data: ``themes/*.toml`` (and the user's own), validated on load.

A theme file is a Textual theme plus warroom's own variables (severity and status colours,
due and overdue). A file that does not validate is reported and skipped; the built-in dark
theme is always there to fall back on.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from textual.color import Color, ColorParseError
from textual.theme import Theme

DEFAULT_THEME = "warroom-dark"
# Fallbacks for warroom's variables, so any theme (Textual's own included) can be used.
DEFAULT_VARIABLES = {
    "sev1": "#FF5630", "sev2": "#FF8B00", "sev3": "#FFC400", "sev-text": "#0D1117",
    "status-active": "#FF5630", "status-mitigated": "#FFAB00", "status-resolved": "#36B37E",
    "overdue": "#FF5630", "due-soon": "#FFAB00",
}
REQUIRED_VARIABLES = (
    "sev1", "sev2", "sev3", "sev-text", "status-active", "status-mitigated",
    "status-resolved", "overdue", "due-soon",
)


def _color(value: str) -> str:
    try:
        Color.parse(value)
    except ColorParseError:
        raise ValueError(f"not a colour: {value!r}") from None
    return value


class ThemeFile(BaseModel):
    """The schema of a theme file."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,40}$")
    dark: bool = True
    primary: str
    secondary: str | None = None
    accent: str | None = None
    warning: str | None = None
    error: str | None = None
    success: str | None = None
    foreground: str | None = None
    background: str | None = None
    surface: str | None = None
    panel: str | None = None
    luminosity_spread: float = Field(default=0.15, ge=0, le=1)
    variables: dict[str, str] = Field(default_factory=dict)

    @field_validator("primary", "secondary", "accent", "warning", "error", "success",
                     "foreground", "background", "surface", "panel")
    @classmethod
    def _colours(cls, v: str | None) -> str | None:
        return None if v is None else _color(v)

    @field_validator("variables")
    @classmethod
    def _vars(cls, v: dict[str, str]) -> dict[str, str]:
        missing = [k for k in REQUIRED_VARIABLES if k not in v]
        if missing:
            raise ValueError(f"missing variables: {', '.join(missing)}")
        for key, value in v.items():
            if key in REQUIRED_VARIABLES:
                _color(value)
        return v

    def to_theme(self) -> Theme:
        return Theme(**self.model_dump())


def parse_theme(path: Path) -> Theme:
    """One theme file as a Textual theme; raises ``ValueError`` with a one-line reason."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return ThemeFile.model_validate(data).to_theme()
    except (OSError, UnicodeDecodeError) as e:
        raise ValueError(f"{path.name}: unreadable ({e})") from None
    except tomllib.TOMLDecodeError as e:
        raise ValueError(f"{path.name}: not valid TOML ({e})") from None
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "file"
        raise ValueError(f"{path.name}: {where}: {first['msg']}") from None


def builtin_theme_files() -> list[Path]:
    root = resources.files("themes")
    return sorted(Path(str(f)) for f in root.iterdir() if f.name.endswith(".toml"))


def load_themes(extra_dirs: Iterable[Path] = ()) -> tuple[list[Theme], list[str]]:
    """Every valid theme (built-in first, then the user's), and a line per broken file."""
    files = builtin_theme_files()
    for d in extra_dirs:
        if d.is_dir():
            files += sorted(d.glob("*.toml"))
    themes, problems = [], []
    for f in files:
        try:
            themes.append(parse_theme(f))
        except ValueError as e:
            problems.append(f"theme skipped: {e}")
    return themes, problems
