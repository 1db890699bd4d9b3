"""The schema of a theme file, and the loader that validates every theme file with it."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from textual.color import Color, ColorParseError
from textual.theme import Theme

from tui.themes import COLOUR_FIELDS, REQUIRED_VARIABLES, remember, theme_files


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

    @field_validator(*COLOUR_FIELDS)
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


def load_themes(
    extra_dirs: Iterable[Path] = (),
    *,
    cache: Path | None = None,
) -> tuple[list[Theme], list[str]]:
    """Every valid theme (built-in first, then the user's), and a line per broken file;
    with ``cache``, the valid ones are remembered there for the next start."""
    themes, problems, validated = [], [], []
    for f in theme_files(extra_dirs):
        try:
            theme = parse_theme(f)
        except ValueError as e:
            problems.append(f"theme skipped: {e}")
            continue
        themes.append(theme)
        validated.append((theme, f))
    if cache is not None:
        remember(cache, validated)
    return themes, problems
