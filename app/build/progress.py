"""Build progress for people: a bar on a terminal, a few plain lines in CI logs."""

from __future__ import annotations

import sys
import time
from typing import TextIO

BAR_WIDTH = 30


class Progress:
    """A progress callback for ``build_site``; silent for builds shorter than ``delay`` seconds.

    On a terminal it redraws one line (a bar, after 0.5 s); elsewhere it prints a line at
    every ``step`` percent once the build has run 3 s, so CI logs of short builds stay short.
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        tty: bool | None = None,
        delay: float | None = None,
        step: int = 10,
    ) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.delay = (0.5 if self.tty else 3.0) if delay is None else delay
        self.step = step
        self.started = time.monotonic()
        self._last_percent = -1
        self._drawn = False

    def __call__(self, done: int, total: int, url: str) -> None:
        if time.monotonic() - self.started < self.delay:
            return
        percent = min(100, done * 100 // max(total, 1))
        if self.tty:
            if percent == self._last_percent and done != total:
                return  # redraw once per percent: cheap even for 100,000 pages
            self._last_percent = percent
            filled = BAR_WIDTH * percent // 100
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            self.stream.write(f"\r\x1b[2K[{bar}] {percent:3d}% {done}/{total} {url[:40]}")
            self._drawn = True
        else:
            mark = percent // self.step * self.step
            if mark <= self._last_percent or mark == 0:
                return
            self._last_percent = mark
            self.stream.write(f"building: {mark}% ({done}/{total} pages)\n")
        self.stream.flush()

    def finish(self) -> None:
        """Clear the bar so the summary line starts on a clean line."""
        if self._drawn:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self._drawn = False
