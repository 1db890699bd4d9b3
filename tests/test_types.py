"""The rooms without Textual type-check: mypy (configured in pyproject.toml) finds nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TYPED = ("incident", "storage", "feeds", "session")  # (session/: once it exists)


def test_mypy_finds_no_error(tmp_path: Path) -> None:
    rooms = [room for room in TYPED if (REPO / room).is_dir()]
    assert rooms[:3] == ["incident", "storage", "feeds"]
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache"), *rooms],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"mypy {' '.join(rooms)}:\n{done.stdout}{done.stderr}"
