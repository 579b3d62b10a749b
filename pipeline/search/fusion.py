"""Fusing ranked runs into one: reciprocal rank fusion and a convex combination of normalized scores."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

from pipeline.types import Hit

RRF_K = 60


def reciprocal_rank_fusion(runs: Sequence[Sequence[Hit]], k: int = RRF_K,
                           weights: Sequence[float] | None = None) -> list[Hit]:
    """Reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009): score = Σ w / (k + rank).

    >>> fused = reciprocal_rank_fusion([[Hit("a", 9, "x"), Hit("b", 8, "x")], [Hit("b", 1, "y")]])
    >>> [h.chunk_id for h in fused]
    ['b', 'a']
    """
    weights = weights or [1.0] * len(runs)
    scores: dict[str, float] = {}
    for run, w in zip(runs, weights, strict=True):
        for rank, hit in enumerate(run, start=1):
            scores[hit.chunk_id] = scores.get(hit.chunk_id, 0.0) + w / (k + rank)
    return [Hit(cid, s, "rrf") for cid, s in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))]


def convex_fusion(runs: Sequence[Sequence[Hit]], weights: Sequence[float] | None = None) -> list[Hit]:
    """Convex combination of min-max normalized scores (Bruch, Gai & Ingber, "An Analysis of Fusion Functions
    for Hybrid Retrieval", TOIS 2023): unlike RRF it keeps how far ahead a run's top hit is.

    A run whose scores are all equal (one hit) gives each of its hits 1.0, so "b", found by both runs, leads:

    >>> fused = convex_fusion([[Hit("a", 9, "x"), Hit("b", 1, "x"), Hit("c", 0, "x")], [Hit("b", 0.5, "y")]])
    >>> [(h.chunk_id, round(h.score, 3)) for h in fused]
    [('b', 1.111), ('a', 1.0), ('c', 0.0)]
    """
    weights = weights or [1.0] * len(runs)
    scores: dict[str, float] = {}
    for run, w in zip(runs, weights, strict=True):
        if not run:
            continue
        hi, lo = max(h.score for h in run), min(h.score for h in run)
        span = hi - lo
        for hit in run:
            norm = (hit.score - lo) / span if span > 0 else 1.0
            scores[hit.chunk_id] = scores.get(hit.chunk_id, 0.0) + w * norm
    return [Hit(cid, s, "convex") for cid, s in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))]


class Fusion(Enum):
    """How the runs of the retrievers are fused: reciprocal rank (`reciprocal_rank_fusion`) or `convex_fusion`."""
    RRF = "rrf"
    CONVEX = "convex"
