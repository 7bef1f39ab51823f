"""Helpers for the importers' tests: run the CLI, read an imported file, snapshot a folder."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml
from click.testing import Result
from flask.testing import FlaskCliRunner

from tests.conftest import ROOT

IMPORTS = ROOT / "tests" / "fixtures" / "imports"


def run_import(runner: FlaskCliRunner, kind: str, source: Path, *args: str) -> Result:
    """``flask content import KIND SOURCE ARGS``, as an author runs it."""
    return runner.invoke(args=["content", "import", kind, str(source), *args])


def read_doc(content_dir: Path, rel: str) -> tuple[dict[str, Any], str]:
    """(front matter, body) of an imported file."""
    text = (content_dir / rel).read_text("utf-8")
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def snapshot(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` by relative path, with a hash of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def refused(runner: FlaskCliRunner, content_dir: Path, kind: str, source: Path, *args: str) -> str:
    """Run an import that must fail: exit status 1 and ``content_dir`` left byte for byte as
    it was. Returns what the command printed, for the test to check the message."""
    before = snapshot(content_dir)
    result = run_import(runner, kind, source, *args)
    assert result.exit_code == 1, result.output
    assert snapshot(content_dir) == before
    return result.output
