"""Ctrl+C and SIGTERM that stop a long-running command without breaking a library's cleanup.

A signal handler that raises ``KeyboardInterrupt`` stops a build wherever it is, which the
build is made for (it writes to a staging folder and swaps at the end). But the exception can
also land inside SQLAlchemy's connection pool while it returns or closes a connection; the
pool then logs "Exception during reset or similar" with a traceback, and may leave a lock held.
So the handler calls ``on_stop`` at once and raises only where no frame of such a library is
on the stack: while one is, it looks again every few milliseconds (with ``SIGALRM``). A second
Ctrl+C or SIGTERM while it waits raises at once, so a stuck library never keeps the command
alive.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

# Packages whose cleanup must not be cut by an exception (connection pools, DB drivers).
UNSAFE_PACKAGES = frozenset({"sqlalchemy", "psycopg", "psycopg2", "sqlite3"})
RETRY_SECONDS = 0.002


def in_unsafe_code(frame: FrameType | None) -> bool:
    """Whether ``frame`` or a frame that called it runs code of an :data:`UNSAFE_PACKAGES` one."""
    while frame is not None:
        name = frame.f_globals.get("__name__")
        if isinstance(name, str) and name.partition(".")[0] in UNSAFE_PACKAGES:
            return True
        frame = frame.f_back
    return False


@contextmanager
def stop_on_signals(on_stop: Callable[[], None]) -> Iterator[None]:
    """Within the block, Ctrl+C and SIGTERM call ``on_stop`` and raise ``KeyboardInterrupt``.

    The exception is raised at the first point outside :data:`UNSAFE_PACKAGES` code. A Ctrl+C
    the parent set to be ignored (``nohup``, a background job) stays ignored. SIGALRM is
    taken over while the block runs (nothing else here uses it); the previous handlers are
    restored on exit.
    """
    pending = False

    def interrupt() -> None:
        nonlocal pending
        pending = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        raise KeyboardInterrupt

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal pending
        if pending and signum != signal.SIGALRM:
            interrupt()  # asked twice: the user means it
        if signum != signal.SIGALRM:
            on_stop()
        elif not pending:
            return  # an alarm of someone else's, or one left over
        if in_unsafe_code(frame):
            pending = True
            signal.setitimer(signal.ITIMER_REAL, RETRY_SECONDS)
            return
        interrupt()

    signums = [signal.SIGTERM, signal.SIGALRM]
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not ignored
        signums.append(signal.SIGINT)
    previous = {signum: signal.signal(signum, stop) for signum in signums}
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
