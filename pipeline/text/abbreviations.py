"""The abbreviations of administrative writing (`vocab.ABBREVIATIONS`) read both ways: a text that uses one
also says the words it stands for, and a text that spells them out also says the abbreviation. Search reads
both forms of a question (`pipeline.search.query.Query.also`), answer selection both forms of a candidate."""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.text.clean import fold
from pipeline.text.vocab import ABBREVIATIONS


def _spaced(text: str) -> str:
    """Folded syllables between single spaces, punctuation dropped: ``kinh te xa hoi``."""
    return " ".join(re.findall(r"\w+", fold(text)))


# the folded form of each abbreviation and of its words → the other form, as printed
_OTHER = {**{_spaced(a): words for a, words in ABBREVIATIONS.items()},
          **{_spaced(words): a for a, words in ABBREVIATIONS.items()}}
_FORMS_RE = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, sorted(_OTHER, key=len, reverse=True))) + r")(?!\w)")


_SEQ = {tuple(form.split()): tuple(re.findall(r"\w+", other.lower())) for form, other in _OTHER.items()}
_LONGEST = max(map(len, _SEQ))
_FIRST = frozenset(form[0] for form in _SEQ)  # where a match can start
_fold = lru_cache(maxsize=1 << 16)(fold)


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
    i, changed = 0, False
    while i < len(syllables):
        for n in range(min(_LONGEST, len(syllables) - i) if folded[i] in _FIRST else 0, 0, -1):
            other = _SEQ.get(tuple(folded[i : i + n]))
            if other is not None:
                out.extend(other)
                i, changed = i + n, True
                break
        else:
            out.append(syllables[i])
            i += 1
    return out if changed else None


def abbreviation_forms(text: str) -> str:
    """The other form of every abbreviation `text` uses or spells out, accented or not, joined by spaces
    (each once, in the order they occur).

    >>> abbreviation_forms("Tổng chi ngân sách địa phương năm 2027"), abbreviation_forms("so tthc cap xa")
    ('NSĐP', 'thủ tục hành chính')
    >>> abbreviation_forms("TỔNG CHI NSĐP; thu NSNN"), abbreviation_forms("kinh tế xã hội")
    ('ngân sách địa phương ngân sách nhà nước', 'KT-XH')
    """
    found = _FORMS_RE.findall(_spaced(text))
    return " ".join(dict.fromkeys(_OTHER[f] for f in found))
