"""Slow down password guessing: a few failed logins per (username, address), then a pause."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

Key = tuple[str, str]


class LoginThrottle:
    """In-memory failure counts over a sliding window (the admin is one local process)."""

    def __init__(
        self, limit: int = 5, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._failures: dict[Key, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: Key) -> deque[float]:
        now = self._clock()
        failures = self._failures.get(key, deque())
        while failures and now - failures[0] >= self.window:
            failures.popleft()
        if not failures:
            self._failures.pop(key, None)
        return failures

    def retry_after(self, key: Key) -> int:
        """Seconds until another attempt is allowed; 0 when it is allowed now."""
        with self._lock:
            failures = self._recent(key)
            if len(failures) < self.limit:
                return 0
            return max(1, math.ceil(failures[0] + self.window - self._clock()))

    def failed(self, key: Key) -> None:
        with self._lock:
            failures = self._recent(key)
            failures.append(self._clock())
            self._failures[key] = failures

    def succeeded(self, key: Key) -> None:
        with self._lock:
            self._failures.pop(key, None)
