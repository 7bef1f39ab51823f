"""A build killed with SIGKILL leaves no process behind, and the next build just works."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from app.build.errors import BuildError
from app.build.output import build_lock, lock_holders
from bench.corpus import END, make_post
from tests.conftest import ROOT
from tests.processes import marked, running
from tests.test_crash import staged_files

pytestmark = pytest.mark.slow

POSTS = 1500


def _wait_until(check: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


@pytest.fixture
def big(freeze):
    """The sample site with 1 500 more posts (the corpus of the benchmarks)."""
    rng = random.Random(7)
    posts = freeze.content_dir / "posts"
    start = END.replace(year=2020)
    for n in range(POSTS):
        (posts / f"bulk-{n:05d}.md").write_text(make_post(rng, n, start))
    return freeze


MOMENTS = {
    "syncing": lambda build: time.sleep(0.8) or True,
    "rendering": lambda build: staged_files(build) >= 300,
    "late": lambda build: staged_files(build) >= 1800,
}


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_a_killed_build_leaves_no_process_and_the_next_one_shows_the_last_edit(big):
    env = {**big.env, "BUILD_WORKERS": "2", "BUILD_PARALLEL_MIN_PAGES": "1"}
    post = big.content_dir / "posts" / "hello-world.md"
    for number, (moment, ready) in enumerate(MOMENTS.items()):
        post.write_text(post.read_text() + f"\nEdit number {number}.\n")
        _kill_build_when(big, env, moment, ready)
        started = time.monotonic()
        done = big(env={"BUILD_WORKERS": "2"})
        assert done.returncode == 0, (moment, done.stderr)
        assert "waiting for another build" not in done.stderr
        page = big.build_dir / "posts" / "hello-world" / "index.html"
        assert f"Edit number {number}." in page.read_text(), moment
        assert time.monotonic() - started < 100  # no wait for a lock nobody holds


def _kill_build_when(
    freeze, env: dict[str, str], moment: str, ready: Callable[[Path], bool]
) -> None:
    """Start a clean build, SIGKILL it once ``ready``; nothing of it may stay alive."""
    env, mark = marked(env)  # the build and every worker it forks, whatever their group
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "freeze.py"), "--quiet", "--clean"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _wait_until(lambda: proc.poll() is not None or ready(freeze.build_dir), 120)
        assert proc.poll() is None, f"{moment}: the build ended before it was killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        gone = _wait_until(lambda: not running(mark), 5)
        assert gone, (moment, "left running:", running(mark))
    finally:
        for pid in running(mark):
            os.kill(pid, signal.SIGKILL)


def test_a_busy_lock_names_its_holder_and_gives_up_with_what_to_do(tmp_path):
    build_dir = tmp_path / "build"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDONLY); "
            "fcntl.flock(fd, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "locked\n"
        assert holder.pid in [pid for pid, _name in lock_holders(tmp_path)]
        busy = pytest.raises(BuildError, match=rf"process {holder.pid} .*kill {holder.pid}")
        with busy, build_lock(build_dir, timeout=0.3):
            pass
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    with build_lock(build_dir, timeout=0.3):  # free again once its holder is gone
        pass
    shutil.rmtree(tmp_path, ignore_errors=True)
