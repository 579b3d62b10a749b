"""A query as the retrievers read it: as typed (normalized like the index's text) and re-accented from the
index's vocabulary. Each retriever reads the form it was built for."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pipeline.text.accents import restore
from pipeline.text.clean import normalize_unicode


def normalize_query(q: str) -> str:
    """The query as the index saw its text: NFC, new tone placement, single spaces."""
    return " ".join(normalize_unicode(q).split())


@dataclass(frozen=True)
class Query:
    """`typed`: the query as typed, normalized; `accented`: re-accented from the index's vocabulary when it was
    typed without any diacritics (else the same). Dense and word retrievers read `accented`, the folded BM25
    reads `typed`.

    >>> Query.of("tang  truong", {"tang_truong": "tăng_trưởng"})
    Query(typed='tang truong', accented='tăng trưởng')
    """

    typed: str
    accented: str

    @classmethod
    def of(cls, text: str, accents: Mapping[str, str] | None = None) -> Query:
        """`text` normalized, and re-accented from `accents` (without them, read the same by every retriever)."""
        typed = normalize_query(text)
        return cls(typed, restore(typed, accents) if accents is not None else typed)
