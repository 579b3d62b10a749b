"""A query as the retrievers read it: as typed (normalized like the index's text) and re-accented from the
index's vocabulary. Each retriever reads the form it was built for."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pipeline.text.abbreviations import abbreviation_forms
from pipeline.text.accents import restore
from pipeline.text.clean import normalize_unicode


def normalize_query(q: str) -> str:
    """The query as the index saw its text: NFC, new tone placement, single spaces."""
    return " ".join(normalize_unicode(q).split())


@dataclass(frozen=True)
class Query:
    """`typed`: the query as typed, normalized; `accented`: re-accented from the index's vocabulary (`restore`:
    whole when typed without any diacritics, else only its syllables no word of the index spells so); `also`:
    the other form of the abbreviations it uses or spells out (`abbreviation_forms`). Dense and word retrievers
    read `accented`, the folded BM25 reads `typed`; both BM25 runs add `also` (`keywords`).

    >>> Query.of("tang  truong", {"tang_truong": "tăng_trưởng"})
    Query(typed='tang truong', accented='tăng trưởng', also='')
    """

    typed: str
    accented: str
    also: str = ""

    def keywords(self, folded: bool) -> str:
        """What a BM25 run reads: the query as typed (`folded`) or re-accented, then `also`."""
        return " ".join(x for x in (self.typed if folded else self.accented, self.also) if x)

    @classmethod
    def of(cls, text: str, accents: Mapping[str, str] | None = None) -> Query:
        """`text` normalized, and re-accented from `accents` (without them, read the same by every retriever)."""
        typed = normalize_query(text)
        return cls(typed, restore(typed, accents) if accents is not None else typed, abbreviation_forms(typed))
