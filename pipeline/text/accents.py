"""Diacritic restoration for queries typed without accents, from the index's own vocabulary.

At ingest, every segmented word of the corpus (``tăng_trưởng``) is keyed by its folded form (``tang_truong``);
the most frequent spelling wins. A query's unaccented syllables are then re-accented greedily, longest word
first, so the dense and word retrievers see ``tăng trưởng kinh tế`` where the user typed ``tang truong kinh te``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from pipeline.text.clean import fold

MAX_WORD = 4  # syllables in the longest word looked up


def build_accent_map(chunk_words: Iterable[str]) -> dict[str, str]:
    """folded word → its most frequent accented spelling (document frequency over chunks)."""
    df: Counter[str] = Counter()
    for text in chunk_words:
        df.update(set(text.split()))
    best: dict[str, tuple[int, str]] = {}
    for word, n in df.items():
        key = fold(word)
        if not any(c.isalpha() for c in key):
            continue  # numbers and codes: nothing to restore
        if key not in best or (n, word) > best[key]:
            best[key] = (n, word)
    return {k: w for k, (_, w) in best.items()}


def restore(query: str, accent_map: dict[str, str]) -> str:
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
