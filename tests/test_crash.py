"""A freeze killed with SIGKILL at any point leaves a complete build/ (old or new)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.test_freeze import tree_digest

pytestmark = pytest.mark.slow


def staged_files(build_dir: Path) -> int:
    """Files in staging folders now (one may be swapped into place while it is counted)."""
    count = 0
    for folder in build_dir.parent.glob(f".{build_dir.name}-staging-*"):
        try:
            count += sum(1 for p in folder.rglob("*") if p.is_file())
        except FileNotFoundError:
            continue
    return count


def kill_when(freeze, ready, timeout: float = 60) -> int | None:
    """Start freeze.py, SIGKILL it as soon as ``ready()`` holds; its exit code if it ended first."""
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "freeze.py"), "--quiet"],
        cwd=ROOT,
        env=freeze.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + timeout
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if ready():
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.002)
        return proc.wait(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()


KILL_POINTS = {
    "at-start": lambda build: True,
    "staging-created": lambda build: any(build.parent.glob(f".{build.name}-staging-*")),
    "after-5-files": lambda build: staged_files(build) >= 5,
    "after-15-files": lambda build: staged_files(build) >= 15,
}


def test_sigkill_at_any_point_leaves_a_complete_build(freeze):
    post = freeze.content_dir / "posts" / "hello-world.md"
    original = post.read_text()
    edited = original.replace("Welcome to", "Killed while welcoming to")
    post.write_text(edited)
    assert freeze().returncode == 0
    new = tree_digest(freeze.build_dir)

    for point, ready in KILL_POINTS.items():
        post.write_text(original)
        assert freeze().returncode == 0
        old = tree_digest(freeze.build_dir)
        assert old != new
        post.write_text(edited)
        kill_when(freeze, lambda ready=ready: ready(freeze.build_dir))
        assert tree_digest(freeze.build_dir) in (old, new), point
        # the next run recovers: it succeeds and leaves no staging folder behind
        assert freeze().returncode == 0, point
        assert tree_digest(freeze.build_dir) == new, point
        assert not list(freeze.build_dir.parent.glob(".build-staging-*")), point
