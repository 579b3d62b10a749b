"""How many API requests one token may make: a token bucket per key (an account, or the client address of
requests without a valid token). A bucket holds at most a minute's worth (`per_minute`) and refills at
``per_minute / 60`` a second; a request finding it empty is refused with 429 and the seconds until the next one
would pass (the Retry-After header). Given a database `path` (the index's ``access.sqlite``), the buckets live
there, so that the API processes of one server share one budget per token; otherwise in this process.

>>> limit = RateLimit(per_minute=2)
>>> [limit.take("lan", now=0.0) for _ in range(3)]
[None, None, 30.0]
>>> limit.take("lan", now=30.0) is None
True
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from pipeline.access.accounts import database

MAX_KEYS = 100_000  # buckets kept; beyond it the fullest ones (idle keys) are dropped
_SCHEMA = "CREATE TABLE IF NOT EXISTS rate (kind TEXT, key TEXT, tokens REAL, at REAL, PRIMARY KEY (kind, key))"


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimit:
    """Token buckets of `per_minute` requests a minute, one per key."""

    def __init__(self, per_minute: float, path: Path | None = None, kind: str = "requests") -> None:
        self.capacity = max(1.0, float(per_minute))
        self.rate = self.capacity / 60.0  # tokens a second
        self.path, self.kind = path, kind  # shared buckets: the database, and which of its limits this is
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: str, now: float | None = None) -> float | None:
        """Spend one request of `key`: None when it may go on, else the seconds to wait before the next."""
        now = time.monotonic() if now is None else now  # CLOCK_MONOTONIC: one clock for all processes (Linux)
        if self.path is not None:
            return self._take_shared(key, now)
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

    def _spend(self, tokens: float, at: float, now: float) -> tuple[float, float | None]:
        """The bucket's tokens after one request at `now`, and the wait (None: the request goes on)."""
        tokens = min(self.capacity, tokens + (now - at) * self.rate)
        return (tokens - 1.0, None) if tokens >= 1.0 else (tokens, (1.0 - tokens) / self.rate)

    def _take_shared(self, key: str, now: float) -> float | None:
        """`take`, with the bucket read and written in one transaction of the shared database."""
        assert self.path is not None
        with database(self.path, _SCHEMA) as db:
            db.execute("PRAGMA synchronous=OFF")  # a bucket lost in a power cut is only a fuller one
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT tokens, at FROM rate WHERE kind = ? AND key = ?", (self.kind, key)).fetchone()
            before, at = (float(row[0]), float(row[1])) if row else (self.capacity, now)
            tokens, wait = self._spend(before, at, now)
            db.execute("INSERT INTO rate VALUES (?, ?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET "
                       "tokens = excluded.tokens, at = excluded.at", (self.kind, key, tokens, now))
            if random.random() < 0.01:  # now and then, the buckets idle long enough to be full again
                db.execute("DELETE FROM rate WHERE kind = ? AND at < ?", (self.kind, now - 60.0 - 1.0 / self.rate))
            db.execute("COMMIT")
        return wait

    def _forget(self, now: float) -> None:
        """Drop the buckets that have refilled (their keys have been idle a minute or more)."""
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.at) * self.rate >= self.capacity]
        for k in full or list(self._buckets)[: MAX_KEYS // 10]:
            del self._buckets[k]
