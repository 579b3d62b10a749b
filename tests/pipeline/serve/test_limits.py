"""The per-token rate limit (pipeline/serve/limits.py)."""

from __future__ import annotations

from pipeline.serve.limits import RateLimit


def test_a_bucket_holds_a_minute_and_refills_steadily():
    limit = RateLimit(per_minute=60)
    assert all(limit.take("lan", now=0.0) is None for _ in range(60))
    assert limit.take("lan", now=0.0) == 1.0  # one a second
    assert limit.take("lan", now=0.5) == 0.5
    assert limit.take("lan", now=1.0) is None and limit.take("lan", now=1.0) is not None


def test_each_key_has_its_own_bucket():
    limit = RateLimit(per_minute=1)
    assert limit.take("lan", now=0.0) is None and limit.take("lan", now=0.0) == 60.0
    assert limit.take("minh", now=0.0) is None


def test_the_buckets_kept_are_bounded(monkeypatch):
    import pipeline.serve.limits as limits

    monkeypatch.setattr(limits, "MAX_KEYS", 100)
    limit = RateLimit(per_minute=5)
    for i in range(1000):
        limit.take(f"addr-{i}", now=float(i))
    assert len(limit._buckets) <= 100
