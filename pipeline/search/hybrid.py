"""Hybrid retrieval: a sequence of retrievers — by default dense (FAISS) + BM25 over segmented words + BM25
over folded syllables — fused by a convex combination of normalized scores (or reciprocal rank). Every retriever
only has to offer ``search(query, k, allowed) -> list[Hit]``."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.embed import Embedder
from pipeline.protocol import IndexReader
from pipeline.search.filters import Filters
from pipeline.search.fusion import Fusion, convex_fusion, reciprocal_rank_fusion
from pipeline.search.query import Query, normalize_query
from pipeline.search.retrievers import Retriever, default_retrievers
from pipeline.types import Hit


class HybridSearcher:
    """Runs every retriever `depth` deep and fuses the runs with `weights` (one per retriever, default 1 each).
    The query is re-accented from the index's vocabulary once; each retriever reads the form it wants."""

    def __init__(self, index: IndexReader, retrievers: Sequence[Retriever], depth: int = 50,
                 fusion: Fusion = Fusion.CONVEX, weights: Sequence[float] | None = None) -> None:
        self.index = index
        self.retrievers = tuple(retrievers)
        self.depth = depth
        self.fusion = fusion
        self.weights = tuple(weights) if weights is not None else (1.0,) * len(self.retrievers)
        if len(self.weights) != len(self.retrievers):
            raise ValueError(f"{len(self.weights)} weights for {len(self.retrievers)} retrievers")

    @classmethod
    def over(cls, index: IndexReader, embedder: Embedder, depth: int = 50, fusion: Fusion = Fusion.CONVEX,
             weights: Sequence[float] = (1.0, 1.0, 1.0)) -> HybridSearcher:
        """Today's searcher: dense + BM25 words + BM25 folded over `index` (which refuses another embedder)."""
        return cls(index, default_retrievers(index, embedder), depth, fusion, weights)

    def search(self, query: str, k: int = 5, filters: Filters | None = None) -> list[Hit]:
        """The best `k` chunks for `query` among those `filters` allow: every retriever's run, fused."""
        if not normalize_query(query):
            return []
        allowed = filters.mask(self.index) if filters else None
        q = Query.of(query, self.index.accents)  # `accented` is the query itself when typed with accents
        runs = [r.search(q, self.depth, allowed) for r in self.retrievers]
        if self.fusion is Fusion.CONVEX:
            return convex_fusion(runs, self.weights)[:k]
        return reciprocal_rank_fusion(runs, weights=self.weights)[:k]
