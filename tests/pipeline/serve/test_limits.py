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


def test_the_processes_of_one_server_share_one_budget_per_token(tmp_path):
    import subprocess
    import sys

    from pipeline.serve.limits import RateLimit
    from tests.conftest import ROOT

    db = tmp_path / "access.sqlite"
    first, second = RateLimit(3, db, "account"), RateLimit(3, db, "account")  # as two API processes hold them
    assert first.take("lan") is None and second.take("lan") is None
    other = subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                            "from pipeline.serve.limits import RateLimit; "
                            "print(RateLimit(3, Path(sys.argv[1]), 'account').take('lan'))", str(db)],
                           capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert other.stdout.strip() == "None", other.stderr  # the third request of the minute, from another process
    wait = first.take("lan")
    assert wait is not None and 0 < wait <= 20  # the fourth waits for the bucket to refill (3 a minute)
    assert second.take("hoa") is None and RateLimit(3, db, "address").take("lan") is None  # other keys, kinds
