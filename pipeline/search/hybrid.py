"""Hybrid retrieval: a sequence of retrievers — by default dense (FAISS) + BM25 over segmented words + BM25
over folded syllables — fused by a convex combination of normalized scores (or reciprocal rank), then reranked by
what the question says of its document (`DocPrior`: place, issuer, type, number, year). Every retriever only has
to offer ``search(query, k, allowed) -> list[Hit]``."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.embed import Embedder
from pipeline.protocol import IndexReader
from pipeline.search.docprior import DocPrior
from pipeline.search.filters import Filters
from pipeline.search.fusion import Fusion, convex_fusion, reciprocal_rank_fusion
from pipeline.search.query import Query, normalize_query
from pipeline.search.retrievers import Retriever, default_retrievers
from pipeline.types import Hit

# the weight of each run over a question's content (what is left once the place and number that name its
# document are cut): enough to lift, within the named document, the passage that holds the answer over the one
# that restates the document's scope; measured on bench/qa_corpus.jsonl (0.3 against 0.5 and 1.0)
CONTENT_WEIGHT = 0.3


class HybridSearcher:
    """Runs every retriever `depth` deep and fuses the runs with `weights` (one per retriever, default 1 each).
    The query is re-accented from the index's vocabulary once; each retriever reads the form it wants.

    With a document `prior` (None: none), a question that names its document (a place, the number of an indexed
    document) also runs each of `content_retrievers` on what is left of it (`DocPrior.content`), fused at
    `content_weight` each, and the fused hits are reranked by the document they come from (`DocPrior.rerank`)."""

    def __init__(self, index: IndexReader, retrievers: Sequence[Retriever], depth: int = 50,
                 fusion: Fusion = Fusion.CONVEX, weights: Sequence[float] | None = None,
                 prior: DocPrior | None = None, content_retrievers: Sequence[Retriever] = (),
                 content_weight: float = CONTENT_WEIGHT) -> None:
        self.index = index
        self.prior = prior
        self.content_retrievers = tuple(content_retrievers)
        self.content_weight = content_weight
        self.retrievers = tuple(retrievers)
        self.depth = depth
        self.fusion = fusion
        self.weights = tuple(weights) if weights is not None else (1.0,) * len(self.retrievers)
        if len(self.weights) != len(self.retrievers):
            raise ValueError(f"{len(self.weights)} weights for {len(self.retrievers)} retrievers")

    @classmethod
    def over(cls, index: IndexReader, embedder: Embedder, depth: int = 50, fusion: Fusion = Fusion.CONVEX,
             weights: Sequence[float] = (1.0, 1.0, 1.0)) -> HybridSearcher:
        """Today's searcher: dense + BM25 words + BM25 folded over `index` (which refuses another embedder), with
        the document prior read from `index` and both BM25 runs repeated on a question's content."""
        retrievers = default_retrievers(index, embedder)
        return cls(index, retrievers, depth, fusion, weights, DocPrior.of(index), retrievers[1:])

    def search(self, query: str, k: int = 5, filters: Filters | None = None) -> list[Hit]:
        """The best `k` chunks for `query` among those `filters` allow: every retriever's run, fused, then (with a
        prior) reranked by the document the query names."""
        if not normalize_query(query):
            return []
        allowed = filters.mask(self.index) if filters else None
        q = Query.of(query, self.index.accents)  # `accented`: what the index spells, accents restored
        runs = [r.search(q, self.depth, allowed) for r in self.retrievers]
        weights = list(self.weights)
        if self.prior is None:
            return self._fuse(runs, weights)[:k]
        named = self.prior.named(q)
        if self.content_retrievers and (content := self.prior.content(q, named, self.index.accents)) is not None:
            runs += [r.search(content, self.depth, allowed) for r in self.content_retrievers]
            weights += [self.content_weight] * len(self.content_retrievers)
        return self.prior.rerank(named, self._fuse(runs, weights))[:k]

    def _fuse(self, runs: list[list[Hit]], weights: Sequence[float]) -> list[Hit]:
        if self.fusion is Fusion.CONVEX:
            return convex_fusion(runs, weights)
        return reciprocal_rank_fusion(runs, weights=weights)
