"""Bounded polling and a background ``freeze.py`` process for the watch and serve tests."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent


def wait_for(check: Callable[[], T], timeout: float = 60.0, what: str = "condition") -> T:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)  # the poll interval of a bounded loop, not a fixed wait


class FreezeProcess:
    """``python freeze.py ARGS`` running in the background, its output captured in files."""

    def __init__(self, env: dict[str, str], tmp_path: Path, *args: str) -> None:
        self.out_path, self.err_path = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
        with self.out_path.open("wb") as out, self.err_path.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, str(ROOT / "freeze.py"), *args],
                cwd=ROOT,
                env={**env, "PYTHONUNBUFFERED": "1"},
                stdout=out,
                stderr=err,
            )

    @property
    def stdout(self) -> str:
        return self.out_path.read_text()

    @property
    def stderr(self) -> str:
        return self.err_path.read_text()

    def interrupt(self, timeout: float = 30.0) -> int:
        """Ctrl+C, as an author would press it; returns the exit status."""
        self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


def serve_under_blog(env: dict[str, str], tmp_path: Path) -> tuple[FreezeProcess, str]:
    """Start ``freeze.py --serve`` on a free port under /blog/; the process and the site URL."""
    process = FreezeProcess(
        env, tmp_path, "--serve", "0", "--base-url", "http://127.0.0.1:8000/blog/"
    )
    try:
        match = wait_for(
            lambda: re.search(r"Serving .* at (http://127\.0\.0\.1:\d+/blog/)", process.stdout),
            what="the server to start",
        )
    except BaseException:
        process.kill()
        raise
    return process, match.group(1)
