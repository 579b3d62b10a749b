"""The abbreviations of administrative writing (`vocab.ABBREVIATIONS`) read both ways: a text that uses one
also says the words it stands for, and a text that spells them out also says the abbreviation. Search reads
both forms of a question (`pipeline.search.query.Query.also`), answer selection both forms of a candidate."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache

from pipeline.text.clean import fold
from pipeline.text.vocab import ABBREVIATIONS


def _folded(text: str) -> tuple[str, ...]:
    """Folded syllables, punctuation dropped: ``("kinh", "te", "xa", "hoi")``."""
    return tuple(re.findall(r"\w+", fold(text)))


# the folded syllables of each abbreviation and of its words → the other form, as printed, and its syllables
_OTHER = {**{_folded(a): words for a, words in ABBREVIATIONS.items()},
          **{_folded(words): a for a, words in ABBREVIATIONS.items()}}
_OTHER_SYLLABLES = {form: tuple(re.findall(r"\w+", other.lower())) for form, other in _OTHER.items()}
_LONGEST = max(map(len, _OTHER))
_FIRST = frozenset(form[0] for form in _OTHER)  # where a match can start
_fold = lru_cache(maxsize=1 << 16)(fold)


def _matches(folded: Sequence[str]) -> Iterator[tuple[int, int, tuple[str, ...]]]:
    """(start, length, form) of each abbreviation or spelled-out one in folded syllables, left to right, the
    longest at each start, none overlapping."""
    i = 0
    while i < len(folded):
        n = next((n for n in range(min(_LONGEST, len(folded) - i), 0, -1)
                  if tuple(folded[i : i + n]) in _OTHER), 0) if folded[i] in _FIRST else 0
        if n:
            yield i, n, tuple(folded[i : i + n])
        i += n or 1


def in_other_form(syllables: list[str]) -> list[str] | None:
    """Lower-case syllables with every abbreviation spelled out and every spelled-out one abbreviated in
    place, so that the words around it still pair with it; None when there is none.

    >>> in_other_form(["tổng", "chi", "nsđp", "năm", "2027"])
    ['tổng', 'chi', 'ngân', 'sách', 'địa', 'phương', 'năm', '2027']
    """
    folded = [_fold(s) for s in syllables]
    if _FIRST.isdisjoint(folded):
        return None
    out: list[str] = []
    at = 0
    for i, n, form in _matches(folded):
        out.extend([*syllables[at:i], *_OTHER_SYLLABLES[form]])
        at = i + n
    return [*out, *syllables[at:]] if at else None


def abbreviation_forms(text: str) -> str:
    """The other form of every abbreviation `text` uses or spells out, accented or not, joined by spaces
    (each once, in the order they occur).

    >>> abbreviation_forms("Tổng chi ngân sách địa phương năm 2027"), abbreviation_forms("so tthc cap xa")
    ('NSĐP', 'thủ tục hành chính')
    >>> abbreviation_forms("TỔNG CHI NSĐP; thu NSNN"), abbreviation_forms("kinh tế xã hội")
    ('ngân sách địa phương ngân sách nhà nước', 'KT-XH')
    """
    return " ".join(dict.fromkeys(_OTHER[form] for _, _, form in _matches(_folded(text))))
