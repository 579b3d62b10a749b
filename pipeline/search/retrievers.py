"""Retrievers over a stored index: dense (FAISS) and BM25 (over segmented words, or over folded syllables).
Each offers ``search(query, k, allowed) -> list[Hit]``."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from pipeline.embed import Embedder
from pipeline.store.reader import IndexData
from pipeline.text.segment import folded_tokens, words
from pipeline.types import Hit


class Retriever(Protocol):
    name: str

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[Hit]:
        """Best `k` chunks for `query`; `allowed` is a boolean mask over index rows (None: all)."""
        ...


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
