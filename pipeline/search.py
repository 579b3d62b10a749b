"""Hybrid retrieval: dense (FAISS) + BM25 over segmented words + BM25 over folded syllables, fused by
reciprocal rank. Every retriever only has to offer ``search(query, k, allowed) -> list[Hit]``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

import numpy as np

from pipeline.accents import restore
from pipeline.clean import fold, normalize_unicode
from pipeline.embed import Embedder
from pipeline.segment import folded_tokens, words
from pipeline.store import IndexData, IndexUnavailable
from pipeline.types import Hit

RRF_K = 60


class Retriever(Protocol):
    name: str

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[Hit]:
        """Best `k` chunks for `query`; `allowed` is a boolean mask over index rows (None: all)."""
        ...


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

    >>> fused = convex_fusion([[Hit("a", 9, "x"), Hit("b", 1, "x"), Hit("c", 0, "x")], [Hit("b", 0.5, "y")]])
    >>> [h.chunk_id for h in fused]
    ['a', 'b', 'c']
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
    RRF = "rrf"
    CONVEX = "convex"


class DenseRetriever:
    name = "dense"

    def __init__(self, data: IndexData, embedder: Embedder):
        self.data, self.embedder = data, embedder

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[Hit]:
        import faiss

        n = self.data.dense.ntotal
        if n == 0:
            return []
        q = self.embedder.embed_query(query).reshape(1, -1).astype(np.float32)
        params = None
        if allowed is not None:
            ids = np.flatnonzero(allowed).astype(np.int64)
            if not len(ids):
                return []
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(ids))
        scores, rows = self.data.dense.search(q, min(k, n), params=params)
        return [Hit(self.data.chunks[r].chunk_id, float(s), self.name)
                for s, r in zip(scores[0], rows[0], strict=True) if r >= 0]


class BM25Retriever:
    def __init__(self, data: IndexData, folded: bool):
        self.data = data
        self.model = data.bm25_folded if folded else data.bm25_words
        self.tokenize = folded_tokens if folded else words
        self.name = "bm25_folded" if folded else "bm25_words"

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[Hit]:
        tokens = [t for t in self.tokenize(query) if t in self.model.vocab_dict]
        n = len(self.data.chunks)
        if not tokens or n == 0:
            return []
        scores = self.model.get_scores(tokens)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        k = min(k, n)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [Hit(self.data.chunks[r].chunk_id, float(scores[r]), self.name) for r in top if scores[r] > 0]

    def doc_freq(self, token: str) -> int:
        """How many chunks hold `token` (for weighting question terms when choosing answer sentences)."""
        i = self.model.vocab_dict.get(token)
        indptr = self.model.scores["indptr"]
        return int(indptr[i + 1] - indptr[i]) if i is not None and i + 1 < len(indptr) else 0


@dataclass(frozen=True)
class Filters:
    """Restrict a search to some documents and/or a year (the year a chunk is about, else its document's)."""

    docs: tuple[str, ...] = ()
    year: int | None = None

    def mask(self, data: IndexData) -> np.ndarray | None:
        if not self.docs and self.year is None:
            return None
        wanted = set()
        for d in self.docs:
            match = [n for n in data.docs if n == d or n.startswith(d) or fold(d) in fold(n)]
            if not match:
                raise IndexUnavailable(f"no indexed document matches '{d}' — see `tracuu stats` for the names")
            wanted.update(match)
        out = np.ones(len(data.chunks), dtype=bool)
        for i, c in enumerate(data.chunks):
            if wanted and c.doc not in wanted:
                out[i] = False
            elif self.year is not None:
                # the year a chunk is about (from its headings); a chunk without one, its document's years
                out[i] = c.year == self.year if c.year is not None else self.year in data.docs[c.doc].meta.years
        return out


    def mask_ids(self, data: IndexData) -> list[str]:
        """The chunk ids the filters let through."""
        mask = self.mask(data)
        return [c.chunk_id for i, c in enumerate(data.chunks) if mask is None or mask[i]]


def normalize_query(q: str) -> str:
    """The query as the index saw its text: NFC, new tone placement, single spaces."""
    return " ".join(normalize_unicode(q).split())


class HybridSearcher:
    """Dense + BM25(words) + BM25(folded), fused by RRF. A query typed without diacritics is re-accented from
    the index's vocabulary for the dense and word runs; the folded run reads it as typed."""

    def __init__(self, data: IndexData, embedder: Embedder, depth: int = 50, fusion: Fusion = Fusion.CONVEX,
                 weights: Sequence[float] = (1.0, 1.0, 1.0)):
        if embedder.name != data.embedder_name:
            raise IndexUnavailable(
                f"this index was built with embedder '{data.embedder_name}' and cannot be queried with "
                f"'{embedder.name}': use --model {data.embedder_name}, or rebuild with `tracuu ingest --model`"
            )
        self.data = data
        self.depth = depth
        self.fusion = fusion
        self.weights = tuple(weights)
        self.dense = DenseRetriever(data, embedder)
        self.words = BM25Retriever(data, folded=False)
        self.folded = BM25Retriever(data, folded=True)

    def search(self, query: str, k: int = 5, filters: Filters | None = None) -> list[Hit]:
        query = normalize_query(query)
        if not query:
            return []
        allowed = filters.mask(self.data) if filters else None
        accented = restore(query, self.data.accents)  # unchanged when typed with accents
        runs = [self.dense.search(accented, self.depth, allowed),
                self.words.search(accented, self.depth, allowed),
                self.folded.search(query, self.depth, allowed)]
        if self.fusion is Fusion.CONVEX:
            return convex_fusion(runs, self.weights)[:k]
        return reciprocal_rank_fusion(runs, weights=self.weights)[:k]
