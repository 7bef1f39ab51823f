"""Ctrl+C and SIGTERM that stop a long-running command without breaking a library's cleanup.

A signal handler that raises ``KeyboardInterrupt`` stops a build wherever it is, which the
build is made for (it writes to a staging folder and swaps at the end). But the exception can
also land inside SQLAlchemy's connection pool while it returns or closes a connection (the
pool then logs "Exception during reset or similar" with a traceback, and may leave a lock
held), or inside a worker pool's ``submit`` or ``shutdown`` (a pool whose manager thread
never started cannot shut down). So the handler calls ``on_stop`` at once and raises only
where the code running is our own, or a library's that our code called back into: while a
listed library is at work, the interrupt waits, and is raised at the next
:func:`checkpoint` (the loops that wait for workers call it) or, looked for every few
milliseconds with ``SIGALRM``, at the first moment our code runs again. A second Ctrl+C or
SIGTERM while it waits raises at once, so a stuck library never keeps the command alive.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

#: Packages whose bookkeeping must not be cut by an exception: connection pools and DB
#: drivers, and the machinery of worker pools and threads.
UNSAFE_PACKAGES = frozenset(
    {"sqlalchemy", "psycopg", "psycopg2", "sqlite3", "concurrent", "multiprocessing", "threading"}
)
#: Our own code: an interrupt may be raised in it, and in any library it calls.
OWN_PACKAGES = frozenset({"app", "__main__", "freeze", "microblog", "tests"})
RETRY_SECONDS = 0.002

_pending = False


def in_unsafe_code(frame: FrameType | None) -> bool:
    """Whether the code running at ``frame`` is an :data:`UNSAFE_PACKAGES` library's own
    (looking outward from it up to the nearest frame of our code)."""
    while frame is not None:
        name = frame.f_globals.get("__name__")
        package = name.partition(".")[0] if isinstance(name, str) else ""
        if package in UNSAFE_PACKAGES:
            return True
        if package in OWN_PACKAGES:
            return False
        frame = frame.f_back
    return False


def checkpoint() -> None:
    """Raise the ``KeyboardInterrupt`` that waits, if one does (call where the code is ours:
    between two results of a worker pool, for one)."""
    if _pending:
        _interrupt()


def _interrupt() -> None:
    global _pending
    _pending = False
    signal.setitimer(signal.ITIMER_REAL, 0)
    raise KeyboardInterrupt


@contextmanager
def stop_on_signals(on_stop: Callable[[], None]) -> Iterator[None]:
    """Within the block, Ctrl+C and SIGTERM call ``on_stop`` and raise ``KeyboardInterrupt``
    (in our code: see the module's docstring).

    A Ctrl+C the parent set to be ignored (``nohup``, a background job) stays ignored.
    SIGALRM is taken over while the block runs (nothing else here uses it). A process forked
    in the block ignores these handlers (a worker sets its own). The previous handlers are
    restored on exit.
    """
    global _pending
    owner = os.getpid()

    def stop(signum: int, frame: FrameType | None) -> None:
        global _pending
        if os.getpid() != owner:
            return  # a worker forked in the block, before it set its own handlers
        if _pending and signum != signal.SIGALRM:
            _interrupt()  # asked twice: the user means it
        if signum != signal.SIGALRM:
            on_stop()
        elif not _pending:
            return  # an alarm left over
        if in_unsafe_code(frame):
            _pending = True
            signal.setitimer(signal.ITIMER_REAL, RETRY_SECONDS)
            return
        _interrupt()

    signums = [signal.SIGTERM, signal.SIGALRM]
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not ignored
        signums.append(signal.SIGINT)
    previous = {signum: signal.signal(signum, stop) for signum in signums}
    try:
        yield
    finally:
        _pending = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
