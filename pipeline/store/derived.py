"""The one record of everything an ingest derived, the writer's only input: it writes this, it computes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pipeline.indicators.extract import Indicator
from pipeline.refs.references import Mention
from pipeline.refs.relations import InForce, Relation
from pipeline.types import Chunk, DocRecord


@dataclass(frozen=True, eq=False)
class Derived:
    """A whole generation's content. ``chunks[i]`` ↔ ``embed_texts[i]`` ↔ ``vectors[i]`` ↔ FAISS row i;
    ``names[k]`` ↔ ``name_vectors[k]``."""

    docs: tuple[DocRecord, ...]  # sorted by name
    chunks: tuple[Chunk, ...]  # with their segmented words and folded tokens (what BM25 reads)
    embed_texts: tuple[str, ...]  # `Chunk.embed_text(title)`: what was embedded; its hash lets a vector be reused
    vectors: np.ndarray  # (len(chunks), dim) float32, passages as the embedder saw them
    mentions: tuple[Mention, ...] = ()  # the legal references of every chunk, with their sentences
    indicators: tuple[Indicator, ...] = ()  # indicator statements, once each
    relations: tuple[Relation, ...] = ()  # what each document says it replaces, amends, repeals … (refs/relations.py)
    in_force: tuple[InForce, ...] = ()  # each document's own effective date, as it states it
    names: tuple[str, ...] = ()  # the distinct indicator names, sorted
    name_vectors: np.ndarray | None = None  # (len(names), dim): names embedded as queries, for `compare`
    # folded word → {each spelling: in how many chunks} (`accent_counts`): summed over segments at query time
    accents: dict[str, dict[str, int]] = field(default_factory=dict)
    # folded pair of adjacent words → {each spelling: in how many chunks} (`pair_counts`), likewise
    accent_pairs: dict[str, dict[str, int]] = field(default_factory=dict)
    pending: tuple[int, ...] = ()  # rows not embedded yet, ascending: their `vectors` are zeros, BM25 finds them

    def __post_init__(self) -> None:
        if not len(self.chunks) == len(self.embed_texts) == len(self.vectors):
            raise ValueError(f"one embedded text and one vector per chunk: {len(self.chunks)} chunks, "
                             f"{len(self.embed_texts)} texts, {len(self.vectors)} vectors")
        if self.name_vectors is not None and len(self.name_vectors) != len(self.names):
            raise ValueError(f"one vector per indicator name: {len(self.names)} names, "
                             f"{len(self.name_vectors)} vectors")
        if list(self.pending) != sorted(set(self.pending)) or any(not 0 <= r < len(self.chunks) for r in self.pending):
            raise ValueError(f"pending rows must be distinct rows of the {len(self.chunks)} chunks, ascending")
