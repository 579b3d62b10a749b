"""When segments are merged: a tiered policy, the way Lucene's and tantivy's merge policies keep the number of
segments small while each chunk is rewritten only a few times over the life of an index.

A segment's *tier* is the order of magnitude of its live rows (below `FLOOR` rows: tier 0; then one tier per
factor of `FACTOR`). When `FACTOR` segments share a tier they are merged into one, which lands in the tier
above; so an index of N chunks holds at most about ``FACTOR × log_FACTOR(N / FLOOR)`` segments, and a chunk is
rewritten once per tier it climbs (three times between 1k and 1M). A segment that lost more than `DEAD_SHARE`
of its rows to tombstones is rewritten with the others of its tier, or alone; one with no live row is dropped.
A segment whose live rows still wait for vectors is left until they are in (the ingest filling them would
otherwise write vectors for a segment that is gone).
"""

from __future__ import annotations

import math

FLOOR = 1_000  # live rows: every segment below this is in tier 0
FACTOR = 10  # segments of one tier merged at once, and the size ratio between tiers
DEAD_SHARE = 0.5  # a segment with more than this share of its rows deleted is rewritten


def tier(live_rows: int) -> int:
    """The tier of a segment of `live_rows` live rows.

    >>> tier(50), tier(999), tier(1_000), tier(9_999), tier(10_000), tier(1_000_000)
    (0, 0, 1, 1, 2, 4)
    """
    return 0 if live_rows < FLOOR else 1 + int(math.log10(live_rows / FLOOR) / math.log10(FACTOR) + 1e-9)


def due(segments: list[dict]) -> list[list[str]]:
    """The groups of segments (manifest entries, see pipeline/store/layout.py) to merge now, each group into
    one new segment, by name; a group of segments without live rows is dropped (merged into nothing)."""
    ready = [s for s in segments if s["live"]["pending"] == 0]
    groups = []
    empty = [s["name"] for s in ready if s["live"]["chunks"] == 0]
    if empty:
        groups.append(empty)
    tiers: dict[int, list[dict]] = {}
    for s in ready:
        if s["live"]["chunks"]:
            tiers.setdefault(tier(s["live"]["chunks"]), []).append(s)
    for _, members in sorted(tiers.items()):
        dead = [s for s in members if s["live"]["chunks"] < (1 - DEAD_SHARE) * s["rows"]]
        if len(members) >= FACTOR:
            groups.append([s["name"] for s in members])
        elif dead:
            groups.append([s["name"] for s in dead])
    return groups
