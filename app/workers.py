"""Worker processes that never outlive the process that started them.

Builds and syncs fork workers to use every core. A worker asks the kernel to kill it when its
parent dies (``PR_SET_PDEATHSIG``), so a build stopped by SIGKILL, the OOM killer or a CI
timeout leaves no process behind to hold its lock or its files. One pool, one policy:
``fork_pool`` for both the sync's renderers and the build's page renderers.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import Any

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """In a forked child of ``parent``: be killed when it dies (on Linux; a no-op elsewhere).

    The signal is set up after the fork, so a parent that died in between is checked for.
    """
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return
    prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def _start(parent: int, initializer: Callable[[], Any] | None) -> None:
    # Ctrl+C reaches the whole process group: the parent stops the build and the pool, a
    # worker must not die mid-task (a broken pool) or print a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent(parent)
    if initializer is not None:
        initializer()


def fork_pool(workers: int, initializer: Callable[[], Any] | None = None) -> ProcessPoolExecutor:
    """A pool of ``workers`` forked processes that die with this one (call from the thread
    that keeps running the pool: the kernel ties the signal to the forking thread)."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=partial(_start, os.getpid(), initializer),
    )
