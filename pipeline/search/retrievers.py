"""Retrievers over a stored index: dense (FAISS) and BM25 (over segmented words, or over folded syllables).
Each offers one method, ``search(query, k, allowed) -> list[Hit]``, and reads the form of the `Query` it was
built for; the scoring itself is the index reader's (`pipeline.protocol.IndexReader`)."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from pipeline.embed import Embedder
from pipeline.protocol import IndexReader
from pipeline.search.query import Query
from pipeline.store.layout import IndexUnavailable
from pipeline.text.segment import folded_tokens, words
from pipeline.types import Hit


class Retriever(Protocol):
    """What hybrid search assumes of a retriever: a name and `search`."""
    name: str  # the `Hit.source` of its hits

    def search(self, query: Query, k: int, allowed: np.ndarray | None = None) -> list[Hit]:
        """Best `k` chunks for `query`, best first; `allowed` is a boolean mask over index rows (None: all)."""
        ...


def check_embedder(index: IndexReader, embedder: Embedder) -> Embedder:
    """`embedder` when the index was built with it; IndexUnavailable, saying what to do, otherwise."""
    if embedder.name != index.embedder_name:
        raise IndexUnavailable(
            f"this index was built with embedder '{index.embedder_name}' and cannot be queried with "
            f"'{embedder.name}': use --model {index.embedder_name}, or rebuild with `tracuu ingest --model`"
        )
    return embedder


class DenseRetriever:
    """Inner product of the embedded query (re-accented) with the chunk vectors. The index refuses an embedder
    other than the one it was built with."""

    name = "dense"

    def __init__(self, index: IndexReader, embedder: Embedder) -> None:
        self.index, self.embedder = index, check_embedder(index, embedder)

    def search(self, query: Query, k: int, allowed: np.ndarray | None = None) -> list[Hit]:
        """The `k` chunks nearest the embedded (re-accented) query, best first."""
        if not self.index.chunks:
            return []
        rows = self.index.dense_search(self.embedder.embed_query(query.accented), k, allowed)
        return [Hit(self.index.chunks[r].chunk_id, s, self.name) for r, s in rows]


class BM25Retriever:
    """BM25 over the segmented words (reading the re-accented query) or, when `folded`, over the folded
    syllables and syllable pairs (reading the query as typed); both with the other form of its abbreviations."""

    def __init__(self, index: IndexReader, folded: bool) -> None:
        self.index, self.folded = index, folded
        self.tokenize = folded_tokens if folded else words
        self.name = "bm25_folded" if folded else "bm25_words"

    def search(self, query: Query, k: int, allowed: np.ndarray | None = None) -> list[Hit]:
        """The `k` chunks with the highest BM25 score for the query's tokens, best first; no zero scores."""
        n = len(self.index.chunks)
        tokens = self.tokenize(query.keywords(self.folded))
        if not tokens or n == 0:
            return []
        scores = self.index.bm25_scores(tokens, self.folded)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        k = min(k, n)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [Hit(self.index.chunks[r].chunk_id, float(scores[r]), self.name) for r in top if scores[r] > 0]


def default_retrievers(index: IndexReader, embedder: Embedder) -> list[Retriever]:
    """Today's three runs, in the order the default weights follow: dense, BM25 words, BM25 folded."""
    return [DenseRetriever(index, embedder), BM25Retriever(index, folded=False), BM25Retriever(index, folded=True)]
