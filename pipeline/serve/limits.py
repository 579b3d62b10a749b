"""How many API requests one token may make: a token bucket per key (an account, or the client address of
requests without a valid token). A bucket holds at most a minute's worth (`per_minute`) and refills at
``per_minute / 60`` a second; a request finding it empty is refused with 429 and the seconds until the next one
would pass (the Retry-After header).

>>> limit = RateLimit(per_minute=2)
>>> [limit.take("lan", now=0.0) for _ in range(3)]
[None, None, 30.0]
>>> limit.take("lan", now=30.0) is None
True
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

MAX_KEYS = 100_000  # buckets kept; beyond it the fullest ones (idle keys) are dropped


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimit:
    """Token buckets of `per_minute` requests a minute, one per key."""

    def __init__(self, per_minute: float) -> None:
        self.capacity = max(1.0, float(per_minute))
        self.rate = self.capacity / 60.0  # tokens a second
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: str, now: float | None = None) -> float | None:
        """Spend one request of `key`: None when it may go on, else the seconds to wait before the next."""
        now = time.monotonic() if now is None else now
        with self._lock:
            b = self._buckets.get(key)
            if b is None:
                if len(self._buckets) >= MAX_KEYS:
                    self._forget(now)
                b = self._buckets[key] = _Bucket(self.capacity, now)
            b.tokens = min(self.capacity, b.tokens + (now - b.at) * self.rate)
            b.at = now
            if b.tokens >= 1.0:
                b.tokens -= 1.0
                return None
            return (1.0 - b.tokens) / self.rate

    def _forget(self, now: float) -> None:
        """Drop the buckets that have refilled (their keys have been idle a minute or more)."""
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.at) * self.rate >= self.capacity]
        for k in full or list(self._buckets)[: MAX_KEYS // 10]:
            del self._buckets[k]
