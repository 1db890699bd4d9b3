"""Who is at the keyboard, and what the console remembers between runs (the theme, in the
user's config directory)."""

from __future__ import annotations

import getpass
import json
import os
from pathlib import Path

from platformdirs import user_config_path

ENV_VAR = "WARROOM_CONFIG_DIR"
USER_ENV = "WARROOM_USER"


def actor() -> str:
    """Who is at the keyboard: ``$WARROOM_USER``, else ``@<login name>``."""
    name = os.environ.get(USER_ENV)
    if name:
        return name
    try:
        return "@" + getpass.getuser()
    except (KeyError, OSError):
        return "@unknown"


def config_dir() -> Path:
    raw = os.environ.get(ENV_VAR)
    return Path(raw) if raw else user_config_path("warroom", appauthor=False)


def load_settings() -> dict[str, str]:
    try:
        data = json.loads((config_dir() / "settings.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return (
        {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}
        if isinstance(data, dict)
        else {}
    )


def save_setting(key: str, value: str) -> None:
    """Best effort: a read-only config directory must never break the console."""
    settings = load_settings()
    settings[key] = value
    d = config_dir()
    try:
        d.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = d / "settings.json.tmp"
        tmp.write_text(json.dumps(settings, indent=2, sort_keys=True), encoding="utf-8")
        tmp.replace(d / "settings.json")
    except OSError:
        pass
