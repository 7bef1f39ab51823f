"""Ctrl+C stops a command at once, but never inside SQLAlchemy's connection cleanup."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from app import interrupts
from app.interrupts import checkpoint, in_unsafe_code, stop_on_signals

ROOT = Path(__file__).resolve().parent.parent

# Connect and query in a tight loop (nearly all of the time inside SQLAlchemy's pool) and
# interrupt it at random moments: the raising handler freeze.py --watch once had produced
# "Exception during reset or similar" tracebacks here and could leave the pool locked.
HAMMER = textwrap.dedent(
    """
    import os, random, signal, sys, threading
    import sqlalchemy as sa
    from app.interrupts import stop_on_signals

    engine = sa.create_engine("sqlite:///" + sys.argv[1])
    stops = []
    interrupted = 0
    with stop_on_signals(lambda: stops.append(1)):
        for _ in range(int(sys.argv[2])):
            timer = threading.Timer(
                random.uniform(0.001, 0.02), os.kill, (os.getpid(), signal.SIGINT)
            )
            timer.start()
            try:
                while True:
                    with engine.connect() as connection:
                        connection.execute(sa.text("select 1"))
            except KeyboardInterrupt:
                interrupted += 1
            timer.join()
    print(interrupted, len(stops))
    """
)


def test_interrupts_around_a_busy_connection_pool_leave_no_traceback(tmp_path):
    rounds = 60
    done = subprocess.run(
        [sys.executable, "-c", HAMMER, str(tmp_path / "x.db"), str(rounds)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "Exception" not in done.stderr
    assert done.stdout.split() == [str(rounds), str(rounds)]  # every Ctrl+C stopped the loop


def spin_inside(package: str, stop: threading.Event) -> None:
    """Loop in a frame whose module claims to be ``package``, until ``stop`` is set."""
    code = "while not stop.is_set():\n    pass\n"
    exec(code, {"__name__": f"{package}.pool", "stop": stop})


def ctrl_c_after(*seconds: float) -> list[threading.Timer]:
    """Timers that send this process SIGINT after each of ``seconds``, started."""
    timers = [threading.Timer(t, os.kill, (os.getpid(), signal.SIGINT)) for t in seconds]
    for timer in timers:
        timer.start()
    return timers


def library_call_then_own_loop(stopped: threading.Event, left: threading.Event) -> None:
    spin_inside("sqlalchemy", stopped)  # returns once on_stop ran: it was not interrupted
    left.set()
    while True:
        pass  # our own code: the deferred interrupt arrives here


def test_the_interrupt_waits_for_library_code_to_return():
    stopped, left = threading.Event(), threading.Event()
    timers = ctrl_c_after(0.05)
    with stop_on_signals(stopped.set), pytest.raises(KeyboardInterrupt):
        library_call_then_own_loop(stopped, left)
    for timer in timers:
        timer.join()
    assert stopped.is_set()
    assert left.is_set()


def test_a_second_ctrl_c_does_not_wait_for_library_code():
    stopped = threading.Event()
    timers = ctrl_c_after(0.05, 0.2)
    with stop_on_signals(stopped.set), pytest.raises(KeyboardInterrupt):
        spin_inside("sqlalchemy", threading.Event())  # never returns by itself
    for timer in timers:
        timer.join()
    assert stopped.is_set()


def sigterm_and_wait() -> None:
    os.kill(os.getpid(), signal.SIGTERM)
    while True:
        pass


def test_sigterm_stops_like_ctrl_c_and_handlers_are_restored():
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM)}
    calls: list[int] = []
    with stop_on_signals(lambda: calls.append(1)), pytest.raises(KeyboardInterrupt):
        sigterm_and_wait()
    assert calls == [1]
    assert {s: signal.getsignal(s) for s in before} == before


def test_an_ignored_ctrl_c_stays_ignored():
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        calls: list[int] = []
        with stop_on_signals(lambda: calls.append(1)):
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
            os.kill(os.getpid(), signal.SIGINT)
        assert calls == []
    finally:
        signal.signal(signal.SIGINT, previous)


def test_a_library_counts_as_unsafe_up_to_our_code_that_called_it():
    seen: list[bool] = []

    def probe() -> None:
        seen.append(in_unsafe_code(sys._getframe(1)))  # where probe() was called

    def ours() -> None:
        probe()

    exec("probe()", {"__name__": "sqlalchemy.engine.base", "probe": probe})
    exec("probe()", {"__name__": "sqlalchemyish", "probe": probe})
    exec("ours()", {"__name__": "sqlalchemy.orm.events", "ours": ours})  # a callback of ours
    inner = {"__name__": "logging", "probe": probe}  # a library the pool calls
    exec("exec('probe()', inner)", {"__name__": "sqlalchemy.pool", "inner": inner})
    probe()
    assert seen == [True, False, False, True, False]


def test_a_checkpoint_raises_the_interrupt_that_waits(monkeypatch):
    monkeypatch.setattr(interrupts, "RETRY_SECONDS", 30.0)  # no retry comes first
    stopped = threading.Event()
    timers = ctrl_c_after(0.05)
    with stop_on_signals(stopped.set):
        spin_inside("sqlalchemy", stopped)  # deferred: the library was at work
        with pytest.raises(KeyboardInterrupt):
            checkpoint()  # raised here at once, before any retry could come
        checkpoint()  # and only once
    for timer in timers:
        timer.join()
