"""Hybrid retrieval: dense (FAISS) + BM25 over segmented words + BM25 over folded syllables, fused by
reciprocal rank. Every retriever only has to offer ``search(query, k, allowed) -> list[Hit]``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.embed import Embedder
from pipeline.search.fusion import Fusion, convex_fusion, reciprocal_rank_fusion
from pipeline.search.retrievers import BM25Retriever, DenseRetriever
from pipeline.store.layout import IndexUnavailable
from pipeline.store.reader import IndexData
from pipeline.text.accents import restore
from pipeline.text.clean import fold, normalize_unicode
from pipeline.types import Hit


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
