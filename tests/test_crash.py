"""A freeze killed with SIGKILL at any point leaves a complete build/ (old or new)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.processes import marked, running
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


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
@pytest.mark.parametrize("moment", ["syncing", "rendering"])
def test_a_stopped_build_says_so_keeps_the_last_build_and_leaves_no_worker(freeze, signum, moment):
    """Ctrl+C in a terminal (or a CI job's SIGTERM) goes to the command's whole process
    group, while its workers sync (large bodies: the pool still has tasks to send) or render."""
    posts = freeze.content_dir / "posts"
    many = [posts / f"many-{n:03}.md" for n in range(300)]
    paragraph = "A paragraph of some length, to be rendered on a worker. " * 40 + "\n\n"
    for n, path in enumerate(many):
        path.write_text(f"---\ntitle: Many {n}\ndate: 2026-01-01\n---\n{paragraph * 8}")
    workers = {"BUILD_WORKERS": "2", "BUILD_PARALLEL_MIN_PAGES": "1"}
    assert freeze(env=workers).returncode == 0
    old = tree_digest(freeze.build_dir)
    post = posts / "hello-world.md"
    post.write_text(post.read_text().replace("Welcome to", "Interrupted while welcoming to"))
    if moment == "syncing":  # every file changed: the sync renders them on workers
        for path in many:
            path.write_text(path.read_text() + "One more line.\n")
    env, mark = marked({**freeze.env, **workers})
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "freeze.py")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a group of its own, as a terminal gives a command
    )
    workers_up = False
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            workers_up = len(running(mark)) > 1  # the build and its workers
            if workers_up and (moment == "syncing" or staged_files(freeze.build_dir) >= 20):
                break
            time.sleep(0.002)
        assert workers_up, "the build ended before it had workers"
        os.killpg(proc.pid, signum)
        _, err = proc.communicate(timeout=60)
    finally:
        for pid in running(mark):
            os.kill(pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert f"Interrupted; {freeze.build_dir} holds the last complete build." in err
    assert tree_digest(freeze.build_dir) == old  # stopped before the swap: the old build
    deadline = time.monotonic() + 10
    while running(mark) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running(mark) == []  # no worker outlived the build
    assert freeze().returncode == 0  # the next build recovers
    page = (freeze.build_dir / "posts/hello-world/index.html").read_text()
    assert "Interrupted while welcoming" in page
