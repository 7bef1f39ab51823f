"""The admin, the API, Micropub, IndieAuth and the public site import none of each other: shared
code lives below. A module stays short unless it says why it is one."""

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


#: A module of ``app/`` longer than this says in its docstring why it is one (#25).
MODULE_LINES = 400
REASON = "Why one module:"


def test_a_long_module_says_why_it_is_one() -> None:
    unexplained = []
    for path in sorted(APP.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        if lines > MODULE_LINES and REASON not in (ast.get_docstring(ast.parse(text)) or ""):
            unexplained.append(f"{path.relative_to(APP.parent)} ({lines} lines)")
    assert not unexplained, (
        f"split these modules, or say in their docstrings {REASON!r} and why: {unexplained}"
    )
