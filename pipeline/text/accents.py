"""Diacritic restoration for queries typed without accents, from the index's own vocabulary.

At ingest, every segmented word of the corpus (``tăng_trưởng``) is keyed by its folded form (``tang_truong``);
the most frequent spelling wins. A query's unaccented syllables are then re-accented greedily, longest word
first, so the dense and word retrievers see ``tăng trưởng kinh tế`` where the user typed ``tang truong kinh te``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from pipeline.text.clean import fold

MAX_WORD = 4  # syllables in the longest word looked up


def build_accent_map(chunk_words: Iterable[str]) -> dict[str, str]:
    """folded word → its most frequent accented spelling (document frequency over chunks)."""
    return best_spellings([accent_counts(chunk_words)])


def accent_counts(chunk_words: Iterable[str]) -> dict[str, dict[str, int]]:
    """folded word → {each spelling of it: in how many chunks} (words of letters only: numbers and codes have
    nothing to restore). What one segment of an index keeps; `best_spellings` sums segments."""
    df: Counter[str] = Counter()
    for text in chunk_words:
        df.update(set(text.split()))
    out: dict[str, dict[str, int]] = {}
    for word, n in df.items():
        key = fold(word)
        if any(c.isalpha() for c in key):
            out.setdefault(key, {})[word] = n
    return out


def best_spelling(spellings: Iterable[dict[str, int]]) -> str | None:
    """The spelling with the most chunks over all `spellings` counts (ties: the greater string), None for none."""
    total: Counter[str] = Counter()
    for counts in spellings:
        total.update(counts)
    return max(total.items(), key=lambda wn: (wn[1], wn[0]))[0] if total else None


def best_spellings(counts: Iterable[dict[str, dict[str, int]]]) -> dict[str, str]:
    """folded word → its most frequent spelling, the counts of several segments summed."""
    by_key: dict[str, list[dict[str, int]]] = {}
    for part in counts:
        for key, spellings in part.items():
            by_key.setdefault(key, []).append(spellings)
    return {k: w for k, parts in by_key.items() if (w := best_spelling(parts)) is not None}


def restore(query: str, accent_map: Mapping[str, str]) -> str:
    """Re-accent a query typed entirely without accents. A query with any accent is left as typed: its
    unaccented syllables (``so``, ``thu``) are meant that way.

    >>> restore("tang truong kinh te", {"tang_truong": "tăng_trưởng", "kinh_te": "kinh_tế"})
    'tăng trưởng kinh tế'
    """
    if fold(query) != " ".join(query.lower().split()):
        return query
    syl = query.split()
    bare = [True] * len(syl)
    out: list[str] = []
    i = 0
    while i < len(syl):
        for n in range(min(MAX_WORD, len(syl) - i), 0, -1):
            if not all(bare[i : i + n]):
                continue
            key = "_".join(fold(s) for s in syl[i : i + n])
            if key in accent_map:
                out.append(accent_map[key].replace("_", " "))
                i += n
                break
        else:
            out.append(syl[i])
            i += 1
    return " ".join(out)
