"""One loaded index as a reader of some collections sees it: only their documents, chunks, references,
relations, indicators and indicator names, enforced where the data is read, so that search, answers, references,
links, comparisons, the library and every count built on top of a `ScopedIndex` cannot return a byte of a
document outside them.

Its rows are its own (row i of the view is chunk i of its `chunks`: a view over the base's rows, each read through
the base, never copied; its row arrays are the base's at those rows); dense search runs on the whole FAISS index
restricted to the view's rows, BM25 scores are the whole index's read at the view's rows. Two statistics still
come from the whole index: how common a term is (`doc_freq`, which only weighs scores) and the accent map that
re-accents a typed question (a word form, no text of any document).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence

import numpy as np

from pipeline.indicators.extract import Indicator
from pipeline.protocol import IndexReader, RowArrays
from pipeline.refs.references import RefMatch, group
from pipeline.refs.relations import InForce, Relation
from pipeline.store.chunktable import RowView
from pipeline.types import Chunk, DocRecord


class ScopedIndex:
    """`base` restricted to the documents of `collections` (an `IndexReader` itself)."""

    def __init__(self, base: IndexReader, collections: Iterable[str]) -> None:
        self.base = base
        self.collections = frozenset(collections)
        self.docs: dict[str, DocRecord] = {n: d for n, d in base.docs.items() if d.collection in self.collections}
        arrays = base.row_arrays
        mine = np.isin(arrays.doc, [i for i, n in enumerate(arrays.names) if n in self.docs])
        self.rows = np.flatnonzero(mine).astype(np.int64)  # view row → base row
        self.chunks: Sequence[Chunk] = RowView(base.chunks, self.rows)
        self.pending = np.asarray(base.pending, dtype=bool)[self.rows]  # the view's rows waiting for vectors
        self._local = np.full(len(base.chunks), -1, dtype=np.int64)  # base row → view row (-1: outside)
        self._local[self.rows] = np.arange(len(self.rows), dtype=np.int64)
        self.row_arrays = RowArrays(arrays.names, arrays.doc[self.rows], arrays.year[self.rows],
                                    arrays.ordinal[self.rows])
        self.accents = base.accents

    @functools.cached_property
    def references(self) -> list[RefMatch]:
        """The references mentioned in the view's documents, grouped again over those mentions only."""
        return group([m for g in self.base.references for m in g.mentions if m.doc in self.docs])

    @property
    def generation(self) -> str:
        """The base generation's name."""
        return self.base.generation

    @property
    def embedder_name(self) -> str:
        """The embedder the chunks were embedded with."""
        return self.base.embedder_name

    @functools.cached_property
    def relations(self) -> list[Relation]:
        """The relations the view's documents state."""
        return [r for r in self.base.relations if r.doc in self.docs]

    @functools.cached_property
    def in_force(self) -> list[InForce]:
        """The effective dates the view's documents state."""
        return [f for f in self.base.in_force if f.doc in self.docs]

    @functools.cached_property
    def indicators(self) -> list[Indicator]:
        """The indicator statements of the view's documents."""
        return [i for i in self.base.indicators if i.doc in self.docs]

    @functools.cached_property
    def indicator_names(self) -> tuple[list[str], np.ndarray | None]:
        """The indicator names that some statement of the view's documents bears, with their vectors."""
        names, vectors = self.base.indicator_names
        mine = {i.name for i in self.indicators}
        keep = [k for k, n in enumerate(names) if n in mine]
        return [names[k] for k in keep], (vectors[keep] if vectors is not None else None)

    def chunk(self, chunk_id: str) -> Chunk:
        """The chunk with this id; KeyError when there is none in the view."""
        found = self.base.chunk(chunk_id)
        if found.doc not in self.docs:
            raise KeyError(chunk_id)
        return found

    def row_of(self, chunk_id: str) -> int:
        """The view row of the chunk with this id; KeyError when there is none in the view."""
        row = int(self._local[self.base.row_of(chunk_id)])
        if row < 0:
            raise KeyError(chunk_id)
        return row

    def first_chunks(self) -> dict[str, Chunk]:
        """The first chunk of each of the view's documents."""
        return {d: c for d, c in self.base.first_chunks().items() if d in self.docs}

    def dense_search(self, vector: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The `k` view rows nearest `vector`, among `allowed` (a mask over the view's rows) when given."""
        if not len(self.rows):
            return []
        mask = np.zeros(len(self._local), dtype=bool)
        mask[self.rows if allowed is None else self.rows[np.asarray(allowed, dtype=bool)]] = True
        return [(int(self._local[r]), s) for r, s in self.base.dense_search(vector, k, allowed=mask)]

    def bm25_scores(self, tokens: list[str], folded: bool) -> np.ndarray:
        """The BM25 score of every view row (the whole index's scores, read at the view's rows)."""
        return np.asarray(self.base.bm25_scores(tokens, folded))[self.rows] if len(self.rows) else np.zeros(0)

    def doc_freq(self, token: str, folded: bool) -> int:
        """How many chunks of the whole index hold `token` (a statistic that weighs scores, never shown)."""
        return self.base.doc_freq(token, folded)


def scoped(base: IndexReader, collections: Iterable[str] | None) -> IndexReader:
    """`base` as seen by someone allowed `collections`; None (an admin, or the local single-user app) sees
    everything and gets `base` itself. A view is built once per collection set and kept with its base (it goes
    when the base generation does)."""
    if collections is None:
        return base
    key = frozenset(collections)
    views: dict[frozenset[str], ScopedIndex] = base.__dict__.setdefault("_scoped_views", {})
    if key not in views:
        views[key] = ScopedIndex(base, key)
    return views[key]
