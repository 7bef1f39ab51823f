"""The admin, the API, Micropub, IndieAuth and the public site import none of each other: shared
code lives below."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"
FACES = ("admin", "api", "public", "micropub", "indieauth")


def imported_modules(package: str) -> set[str]:
    """Every ``app.…`` module that a file of ``app/<package>/`` imports."""
    found: set[str] = set()
    for path in (APP / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("app.")}


@pytest.mark.parametrize("face", FACES)
def test_a_face_imports_no_other_face(face: str) -> None:
    others = [f"app.{other}" for other in FACES if other != face]
    crossing = sorted(
        name
        for name in imported_modules(face)
        if any(name == other or name.startswith(other + ".") for other in others)
    )
    assert not crossing, f"app/{face}/ imports {crossing}"
