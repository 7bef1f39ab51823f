"""Find every process a test started, by a mark in its environment (Linux: reads /proc).

Forked workers keep the environment of the command that made them, whatever their parent
or process group is now (the build's workers have a group of their own, and outlive a
killed parent only if something is wrong): a test marks the command's environment and
asks which marked processes still run.
"""

from __future__ import annotations

import uuid
from pathlib import Path

MARK = "MICROBLOG_TEST_PROCESS"


def marked(env: dict[str, str]) -> tuple[dict[str, str], str]:
    """``env`` with a new mark, and the mark."""
    mark = uuid.uuid4().hex
    return {**env, MARK: mark}, mark


def running(mark: str) -> list[int]:
    """The processes with ``mark`` in their environment that still run (zombies are dead)."""
    needle = f"{MARK}={mark}".encode()
    found = []
    for folder in Path("/proc").glob("[0-9]*"):
        try:
            if needle not in (folder / "environ").read_bytes().split(b"\0"):
                continue
            state = (folder / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z":
            found.append(int(folder.name))
    return found
