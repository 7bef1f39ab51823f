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


def leave_the_process_group() -> None:
    """In a forked worker: take no signal meant for the command the author runs.

    Ctrl+C in a terminal, or a CI job's SIGTERM, goes to the whole process group. A worker
    that died of it would leave its pool broken, and the pool can then hang for good while
    it still has a task to send (CPython gh-94777, in Debian 12's Python 3.11.2). So a
    worker has a group of its own: the command stops the build and shuts its pool down, the
    pool's ``terminate`` still ends a worker, and ``die_with_parent`` ends them all with it.
    """
    # Until it has left, the handlers inherited from the command ignore signals in a worker
    # (``app.interrupts``); left first, so that no group signal finds the defaults below.
    os.setpgid(0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the pool's ``terminate``
    signal.signal(signal.SIGALRM, signal.SIG_DFL)


def _start(parent: int, initializer: Callable[[], Any] | None) -> None:
    leave_the_process_group()
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
