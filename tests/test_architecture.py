"""The rooms and the one-way dependencies between them (invariant 5), and small files."""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
MAX_LINES = 400


def _contracts() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "importlinter"
    ]


def _lint(config: Path) -> subprocess.CompletedProcess[str]:
    if not LINT_IMPORTS.is_file():
        pytest.skip("lint-imports is not installed next to this Python")
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(config)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _missing(modules: list[str]) -> list[str]:
    return [m for m in modules if importlib.util.find_spec(m) is None]


def test_import_contracts_hold(tmp_path: Path) -> None:
    """Every contract of pyproject.toml, minus modules not written yet (they import nothing)."""
    cfg = _contracts()
    lines = [
        "[tool.importlinter]",
        f"root_packages = {json.dumps(cfg['root_packages'])}",
        f"include_external_packages = {json.dumps(cfg['include_external_packages'])}",
    ]
    for contract in cfg["contracts"]:
        sources = [
            m for m in contract["source_modules"] if m not in _missing(contract["source_modules"])
        ]
        assert sources, f"no module of contract {contract['name']!r} exists"
        lines += ["", "[[tool.importlinter.contracts]]"]
        for key, value in {**contract, "source_modules": sources}.items():
            lines.append(f"{key} = {json.dumps(value)}")
    config = tmp_path / "importlinter.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = _lint(config)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Contracts: {len(cfg['contracts'])} kept, 0 broken." in done.stdout


def test_import_linter_config_as_written() -> None:
    cfg = _contracts()
    missing = sorted({m for c in cfg["contracts"] for m in _missing(c["source_modules"])})
    if missing:
        pytest.skip(f"not written yet: {', '.join(missing)}")
    done = _lint(REPO / "pyproject.toml")
    assert done.returncode == 0, done.stdout + done.stderr


def _imports(path: Path) -> set[str]:
    """Top-level package names imported anywhere in a file (also inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(str(node.args[0].value).split(".")[0])
    return names


def _py(*rooms: str) -> list[Path]:
    return sorted(p for room in rooms for p in (REPO / room).rglob("*.py"))


@pytest.mark.parametrize(
    ("room", "forbidden"),
    [
        ("incident", {"textual", "rich", "aiosqlite", "sqlite3", "psutil"}),
        ("storage", {"textual"}),
        ("feeds", {"textual"}),
    ],
)
def test_rooms_do_not_import_what_they_must_not(room: str, forbidden: set[str]) -> None:
    files = _py(room)
    assert files, f"{room}/ has no Python files"
    bad = {str(p.relative_to(REPO)): sorted(_imports(p) & forbidden) for p in files}
    assert {k: v for k, v in bad.items() if v} == {}


def test_the_ast_check_sees_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os.path\nfrom textual.app import App\n"
        "def f():\n    import sqlite3\n    return __import__('psutil')\n"
        "from . import sibling\n"
    )
    assert _imports(sample) == {"os", "textual", "sqlite3", "psutil"}


def _line_counts() -> dict[str, int]:
    return {
        str(p.relative_to(REPO)): len(p.read_text(encoding="utf-8").splitlines())
        for p in _py("incident", "storage", "feeds", "tui", "bench")
    }


def test_no_file_is_too_long() -> None:
    counts = _line_counts()
    assert counts
    too_long = {f: n for f, n in counts.items() if n > MAX_LINES}
    assert too_long == {}
