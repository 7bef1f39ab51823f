"""Slow down password guessing: a few failed logins per key, then a pause.

The admin keys one throttle by (username, address) and one by address alone, so guessing
many passwords for one user and one password for many users (spraying) are both slowed.
Memory is bounded: each key keeps at most ``limit`` times, expired keys are pruned, and past
``max_keys`` the keys that failed longest ago are forgotten first.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

Key = tuple[str, ...]


class LoginThrottle:
    """In-memory failure times over a sliding window (the admin is one local process)."""

    def __init__(
        self,
        limit: int = 5,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        *,
        max_keys: int = 10_000,
    ) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._clock = clock
        #: Least recently failed first: pruning and eviction start at the front.
        self._failures: OrderedDict[Key, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """How many keys are tracked."""
        return len(self._failures)

    def _recent(self, key: Key, now: float) -> deque[float]:
        failures = self._failures.get(key) or deque(maxlen=self.limit)
        while failures and now - failures[0] >= self.window:
            failures.popleft()
        if not failures:
            self._failures.pop(key, None)
        return failures

    def _prune(self, now: float) -> None:
        """Drop expired keys from the front, then the oldest ones while over ``max_keys``."""
        while self._failures:
            key, failures = next(iter(self._failures.items()))
            if now - failures[-1] < self.window and len(self._failures) < self.max_keys:
                break
            del self._failures[key]

    def retry_after(self, key: Key) -> int:
        """Seconds until another attempt is allowed; 0 when it is allowed now."""
        with self._lock:
            now = self._clock()
            failures = self._recent(key, now)
            if len(failures) < self.limit:
                return 0
            return max(1, math.ceil(failures[0] + self.window - now))

    def failed(self, key: Key) -> None:
        with self._lock:
            now = self._clock()
            failures = self._recent(key, now)
            self._failures.pop(key, None)
            self._prune(now)
            failures.append(now)
            self._failures[key] = failures  # now the most recent

    def succeeded(self, key: Key) -> None:
        with self._lock:
            self._failures.pop(key, None)
