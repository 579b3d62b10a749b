"""What the query side reads from a stored index, named once: search, answers, references, links and comparisons
depend on these protocols, not on the backend. `pipeline.store.reader.IndexData` (SQLite + FAISS + bm25s files)
implements them; another backend implements the same two."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Mapping

    import numpy as np

    from pipeline.indicators.extract import Indicator
    from pipeline.refs.references import RefMatch
    from pipeline.refs.relations import InForce, Relation
    from pipeline.types import Chunk, DocRecord


@dataclass(frozen=True)
class RowArrays:
    """What is known of every row of an index without reading its chunk: the arrays filters, scoped views and
    counts are evaluated on (a chunk's text is read only for the rows a question returns)."""

    names: tuple[str, ...]  # the documents of the index's chunks, sorted
    doc: np.ndarray  # int32, one per row: its document's position in `names`
    year: np.ndarray  # int32, one per row: the year the chunk is about; -1 when none
    ordinal: np.ndarray  # int32, one per row: the chunk's position in its document


class TermStats(Protocol):
    """How common a term is over the chunks: what weighs the question's terms when answer sentences are chosen."""

    @property
    def n_chunks(self) -> int:
        """How many chunks the index holds."""
        ...

    def doc_freq(self, term: str) -> int:
        """How many chunks hold `term` (a folded syllable, or two joined by ``_``: ``ngan_sach``)."""
        ...


class IndexReader(Protocol):
    """One loaded index generation, as the query side reads it."""

    docs: dict[str, DocRecord]  # document name → its record (metadata, chunk count), sorted by name
    accents: Mapping[str, str]  # folded word → its accented form, for re-accenting queries
    pending: np.ndarray  # one bool per row: True while the chunk waits for its vector (BM25 finds it, dense not)

    @property
    def chunks(self) -> Sequence[Chunk]:
        """The chunks in row order (row i is dense vector i and BM25 document i), each whole (heading path,
        footnotes, table rows; not its BM25 tokens). A sequence read on demand, not a list held in memory: `len`
        is cheap, `chunks[i]` one read (the recent ones kept), a scan reads every row — what is needed of every
        row is in `row_arrays`."""
        ...

    @property
    def references(self) -> list[RefMatch]:
        """Every reference mentioned, grouped by the number cited (read on first use)."""
        ...

    @property
    def generation(self) -> str:
        """The generation's name (``gen-…``): changes whenever an ingest writes a new one."""
        ...

    @property
    def embedder_name(self) -> str:
        """The embedder the chunks were embedded with; queries must use the same one."""
        ...

    @property
    def relations(self) -> list[Relation]:
        """What each document states it replaces, amends, repeals, details, guides, implements or corrects."""
        ...

    @property
    def in_force(self) -> list[InForce]:
        """Each document's own effective date, as it states it."""
        ...

    @property
    def indicators(self) -> list[Indicator]:
        """Every indicator statement."""
        ...

    @property
    def indicator_names(self) -> tuple[list[str], np.ndarray | None]:
        """The distinct indicator names and one vector per name (None when the index holds none)."""
        ...

    @property
    def row_arrays(self) -> RowArrays:
        """Each row's document, year and ordinal, as arrays (built on first use, then kept)."""
        ...

    def chunk(self, chunk_id: str) -> Chunk:
        """The chunk with this id (KeyError when there is none)."""
        ...

    def row_of(self, chunk_id: str) -> int:
        """The row of the chunk with this id (KeyError when there is none)."""
        ...

    def first_chunks(self) -> dict[str, Chunk]:
        """Each document's first chunk (its least ordinal): where its title block and number are."""
        ...

    def dense_search(self, vector: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The `k` rows nearest `vector` by inner product, best first, as (row, score); `allowed` is a boolean
        mask over rows (None: all)."""
        ...

    def bm25_scores(self, tokens: list[str], folded: bool) -> np.ndarray:
        """The BM25 score of every row for `tokens` (segmented words, or folded syllables when `folded`); tokens
        the index has never seen are ignored, so all zeros when none is known."""
        ...

    def doc_freq(self, token: str, folded: bool) -> int:
        """How many chunks hold `token` in the words (or, when `folded`, the folded syllables) BM25 reads."""
        ...


class FoldedTermStats:
    """`TermStats` over any index reader: the folded BM25 vocabulary (what an unaccented question matches)."""

    def __init__(self, index: IndexReader) -> None:
        self.index = index

    @property
    def n_chunks(self) -> int:
        """How many chunks the index holds."""
        return len(self.index.chunks)

    def doc_freq(self, term: str) -> int:
        """How many chunks hold `term` among their folded syllables and pairs (``tang_truong``)."""
        return self.index.doc_freq(term, folded=True)


def waiting_for_vectors(index: IndexReader) -> dict[str, int]:
    """The documents with chunks still waiting for their vectors, and how many each: found by keyword only until
    an ingest has embedded them (``tài liệu chưa nhúng xong``)."""
    import numpy as np

    if not index.pending.any():
        return {}
    arrays = index.row_arrays
    counts = np.bincount(arrays.doc[np.asarray(index.pending, dtype=bool)], minlength=len(arrays.names))
    return {arrays.names[d]: int(counts[d]) for d in np.flatnonzero(counts)}
