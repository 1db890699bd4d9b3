"""The user's own message templates: ``<config dir>/templates/{initial,progress,resolution}.txt``.

Each file replaces the playbook's template of that name for every audience. A file is
checked on load (UTF-8, not empty, not too long, no control characters, only known
``[placeholders]``, see ``incident.comms.PLACEHOLDERS``); a broken one is reported and the
built-in template is used instead. A missing file is not a problem: the built-in is used.
"""

from __future__ import annotations

from pathlib import Path

from incident.comms import MAX_TEMPLATE, TEMPLATE_LABELS, TEMPLATES, check_template
from session.settings import config_dir


def templates_dir() -> Path:
    return config_dir() / "templates"


def load_user_templates(directory: Path | None = None) -> tuple[dict[str, str], list[str]]:
    """``(templates, problems)``: the valid user templates by name, and one line per broken
    file (each names the file and what is wrong, and says the built-in is used)."""
    directory = directory or templates_dir()
    found: dict[str, str] = {}
    problems: list[str] = []
    for name in TEMPLATES:
        path = directory / f"{name}.txt"
        if not path.exists():
            continue
        builtin = f"using the built-in {TEMPLATE_LABELS[name].lower()}"
        try:
            raw = path.read_bytes()[: MAX_TEMPLATE * 4 + 1]
            text = raw.decode("utf-8")
        except OSError as e:
            problems.append(f"template {path}: cannot read it ({e.strerror}); {builtin}")
            continue
        except UnicodeDecodeError:
            problems.append(f"template {path}: not UTF-8 text; {builtin}")
            continue
        text = text.removeprefix("\ufeff").replace("\r\n", "\n").rstrip("\n")
        wrong = check_template(text)
        if wrong:
            problems.append(f"template {path}: {'; '.join(wrong)}; {builtin}")
        else:
            found[name] = text
    return found, problems
