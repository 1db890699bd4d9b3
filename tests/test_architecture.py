"""The rooms and the one-way dependencies between them (invariant 5), and small files."""

from __future__ import annotations

import ast
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


def test_import_contracts_hold() -> None:
    """Every contract of pyproject.toml, as written: the rooms' forbidden imports, the layers
    (tui over session, storage and feeds, over incident) and no circle among siblings."""
    cfg = _contracts()
    kinds = {c["type"] for c in cfg["contracts"]}
    assert {"forbidden", "layers", "acyclic_siblings"} <= kinds
    assert not any(c.get("allow_indirect_imports") for c in cfg["contracts"])
    done = _lint(REPO / "pyproject.toml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Contracts: {len(cfg['contracts'])} kept, 0 broken." in done.stdout


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
        ("session", {"textual", "aiosqlite", "sqlite3", "psutil", "storage", "feeds", "tui"}),
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
        for p in _py("incident", "session", "storage", "feeds", "tui", "bench")
    }


def test_no_file_is_too_long() -> None:
    counts = _line_counts()
    assert counts
    too_long = {f: n for f, n in counts.items() if n > MAX_LINES}
    assert too_long == {}


# ------------------------------------------------------------------ no import circles
FIRST_PARTY = ("incident", "storage", "feeds", "tui", "session")
# Rooms with no import circle; tui/ joins once tui/app <-> tui/runner is gone.
CIRCLE_FREE = ("incident", "storage", "feeds", "session", "tui")


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _load_time_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """The imports of a module's body, inside ``if`` (so ``if TYPE_CHECKING:`` too), ``try``,
    ``with`` and class bodies, but not inside functions: those run later, if ever."""
    found: list[ast.Import | ast.ImportFrom] = []
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        elif isinstance(node, ast.If | ast.Try | ast.TryStar | ast.With | ast.ClassDef):
            for field in ("body", "orelse", "finalbody", "handlers"):
                pending.extend(getattr(node, field, []))
        elif isinstance(node, ast.ExceptHandler):
            pending.extend(node.body)
    return found


def _import_graph(root: Path, rooms: tuple[str, ...]) -> dict[str, set[str]]:
    """Module -> the first-party modules it imports (see :func:`_load_time_imports`)."""
    files = {
        _module_name(p, root): p
        for room in rooms
        if (root / room).is_dir()
        for p in sorted((root / room).rglob("*.py"))
    }
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in _load_time_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                wanted = [a.name for a in node.names]
            else:
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: package.count(".") + 2 - node.level]
                    base = ".".join([*up, *([node.module] if node.module else [])])
                wanted = [base, *(f"{base}.{a.name}" for a in node.names)]
            for target in wanted:
                while target and target not in files:  # a name in a module: that module
                    target = target.rpartition(".")[0]
                if target and target != name:
                    targets.add(target)
        graph[name] = targets
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle (``[a, b, ..., a]``) for each group of modules that import each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = {stack.pop()}
            while node not in group:
                group.add(stack.pop())
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    circles = []
    for group in groups:
        start = min(group)
        paths = {start: [start]}
        queue = [start]
        while queue:  # the shortest way back to start, inside the group
            node = queue.pop(0)
            for nxt in sorted(graph[node] & group):
                if nxt == start:
                    circles.append([*paths[node], start])
                    queue.clear()
                    break
                if nxt not in paths:
                    paths[nxt] = [*paths[node], nxt]
                    queue.append(nxt)
    return sorted(circles)


def test_no_import_circles_in_the_circle_free_rooms() -> None:
    """No two modules import each other, directly or around a circle, counting the imports
    a module runs when it is loaded and those under ``if TYPE_CHECKING:`` alike. Imports
    inside functions (deferred on purpose, run once the caller needs them) are not counted.
    The graph holds every first-party package; a circle fails when it touches a room of
    ``CIRCLE_FREE``."""
    graph = _import_graph(REPO, FIRST_PARTY)
    assert "incident.glance" in graph and "storage.store" in graph
    bad = [c for c in _circles(graph) if any(m.split(".")[0] in CIRCLE_FREE for m in c)]
    assert bad == [], "import circles:\n" + "\n".join(" -> ".join(c) for c in bad)


def test_the_circle_check_sees_type_checking_and_relative_imports(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.b import B\n"
    )
    (pkg / "b.py").write_text("from . import c\nB = 1\n")
    (pkg / "c.py").write_text(
        "import os\ndef f():\n    from pkg import a\n"
        "try:\n    from .a import x\nexcept ImportError:\n    pass\n"
    )
    (pkg / "d.py").write_text("def g():\n    import pkg.a\n")
    graph = _import_graph(tmp_path, ("pkg",))
    assert graph["pkg.c"] == {"pkg.a"} and graph["pkg.d"] == set()
    assert _circles(graph) == [["pkg.a", "pkg.b", "pkg.c", "pkg.a"]]


# ------------------------------------------------------------------ no class split by mixins


def _assembled_classes(files: list[Path]) -> dict[str, list[str]]:
    """Classes built from two or more first-party classes (``class Store(A, B, C)``): a
    class split across files by mixins, which a reader and a type checker cannot see
    through. A framework base (Textual's, pydantic's) with one first-party base is fine."""
    trees = {p: ast.parse(p.read_text(encoding="utf-8")) for p in files}
    ours = {n.name for t in trees.values() for n in ast.walk(t) if isinstance(n, ast.ClassDef)}
    found: dict[str, list[str]] = {}
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            bases = [
                b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
            ]
            first_party = [b for b in bases if b in ours]
            mixin = node.name.endswith("Mixin") or any(b.endswith("Mixin") for b in bases)
            if len(first_party) > 1 or mixin:
                found[f"{path.name}:{node.name}"] = first_party
    return found


def test_no_class_is_split_across_files_by_mixins() -> None:
    """A class too big for one file is split into collaborators it holds (the console's
    comms desk, the store's drafts part), never into mixins it inherits."""
    assert _assembled_classes(_py("incident", "session", "storage", "feeds", "tui")) == {}


def test_the_mixin_check_sees_mixins(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("class Plumbing: ...\nclass DraftsMixin(Plumbing): ...\n")
    (tmp_path / "b.py").write_text(
        "from a import DraftsMixin, Plumbing\nimport textual.screen\n"
        "class Store(DraftsMixin, Plumbing): ...\nclass Ok(textual.screen.Screen, Plumbing): ...\n"
    )
    found = _assembled_classes(sorted(tmp_path.glob("*.py")))
    assert found == {"a.py:DraftsMixin": ["Plumbing"], "b.py:Store": ["DraftsMixin", "Plumbing"]}
