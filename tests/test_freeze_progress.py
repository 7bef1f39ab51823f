"""Build progress: a redrawn bar on a terminal, a few plain lines in logs."""

from __future__ import annotations

import io

from app.build.progress import Progress


def run(progress: Progress, total: int) -> None:
    for done in range(1, total + 1):
        progress(done, total, f"/posts/{done}/")
    progress.finish()


def test_logs_get_one_line_per_ten_percent():
    stream = io.StringIO()
    run(Progress(stream, tty=False, delay=0), 200)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 10
    assert lines[0] == "building: 10% (20/200 pages)"
    assert lines[-1] == "building: 100% (200/200 pages)"


def test_short_builds_print_nothing():
    stream = io.StringIO()
    run(Progress(stream, tty=False, delay=60), 200)
    run(Progress(stream, tty=True, delay=60), 200)
    assert stream.getvalue() == ""


def test_a_terminal_gets_a_bar_that_is_cleared_at_the_end():
    stream = io.StringIO()
    progress = Progress(stream, tty=True, delay=0)
    progress(5, 10, "/tags/")
    assert "[" + "#" * 15 + "-" * 15 + "]  50% 5/10 /tags/" in stream.getvalue()
    assert "\n" not in stream.getvalue()
    progress.finish()
    assert stream.getvalue().endswith("\r\x1b[2K")
