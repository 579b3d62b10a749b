"""Diacritic restoration for queries typed without accents, from the index's own vocabulary.

At ingest, every segmented word of the corpus (``tăng_trưởng``) is counted by its folded form (``tang_truong``),
and so is every pair of adjacent words (``tăng_trưởng kinh_tế`` under ``tang_truong kinh_te``) where one of
them has more than one spelling. A query typed without accents is then read as the most likely sequence of
words (a bigram model over those counts, Viterbi over every way of cutting its syllables into words): the pair
decides where the single word would not — ``ca ro phi den`` is "cá rô phi đen", though "đến" is far more common
than "đen", and ``tien su dung dat`` is "tiền sử dụng đất", not "tiền sử đúng đất".
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Protocol, runtime_checkable

from pipeline.text.clean import fold
from pipeline.text.vocab import ASKING_WORDS, QUESTION_PHRASES

MAX_WORD = 4  # syllables in the longest word looked up
SPELLINGS = 6  # the most frequent spellings of a folded word that are tried
SMOOTHING = 10.0  # how much a word's own frequency weighs against what follows the word before it
# a syllable mistyped in an accented question is re-spelled without a word or pair around it to say so only as the
# spelling of at least this share of its folded form's chunks, in at least this many chunks
DOMINANT_SHARE, DOMINANT_CHUNKS = 0.9, 10
_ASKING = {fold(p).replace(" ", "_"): p.replace(" ", "_") for p in QUESTION_PHRASES}
ASKING_SYLLABLES = frozenset(s for p in (*QUESTION_PHRASES, *ASKING_WORDS) for s in p.split())
_EDGES = re.compile(r"^(\W*)(.*?)(\W*)$")  # punctuation around a syllable: "nhieu?" → "", "nhieu", "?"


@runtime_checkable
class Lexicon(Protocol):
    """What re-accenting reads of an index: `counts` of a folded word (``tang_truong``) or of a folded pair of
    adjacent words (``tang_truong kinh_te``) → {each spelling: in how many chunks}; `total`: every word's count;
    `syllables`: every syllable some spelling holds (lower case)."""

    total: int
    syllables: frozenset[str]

    def counts(self, key: str) -> Mapping[str, int]:
        """Each spelling of `key` with its count; empty for a key never seen."""
        ...


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


def pair_counts(chunk_words: Iterable[str], words: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, int]]:
    """folded pair of adjacent words → {each spelling of the pair: in how many chunks}, for the pairs where either
    word has more than one spelling in `words` (`accent_counts` of the same chunks): the pairs that decide."""
    ambiguous = {k for k, spellings in words.items() if len(spellings) > 1}
    df: Counter[str] = Counter()
    for text in chunk_words:
        ws = text.split()
        df.update({f"{a} {b}" for a, b in zip(ws, ws[1:], strict=False)})
    out: dict[str, dict[str, int]] = {}
    for pair, n in df.items():
        key = fold(pair)
        if any(w in ambiguous for w in key.split()):
            out.setdefault(key, {})[pair] = n
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


class BestOnly:
    """A `Lexicon` over a map of folded word → its best spelling alone (an index written before pairs were
    counted, or a test's map): each word is seen once, no pair ever."""

    def __init__(self, accent_map: Mapping[str, str]) -> None:
        self.accent_map = accent_map
        self.total = max(1, len(accent_map))
        self.syllables = frozenset(s for w in accent_map.values() for s in w.lower().split("_"))

    def counts(self, key: str) -> Mapping[str, int]:
        """{its spelling: 1} for a known word, else nothing."""
        found = self.accent_map.get(key) if " " not in key else None
        return {found: 1} if found is not None else {}


def restore(query: str, accents: Lexicon | Mapping[str, str]) -> str:
    """Re-accent a query from `accents` (a `Lexicon`, or a map of folded word → spelling), punctuation kept where
    it was. A query typed entirely without accents is read whole: the likeliest words. A query with accents keeps
    every syllable some word of the index spells so, and every syllable of how questions ask (its unaccented
    ``so``, ``thu`` are meant that way); a syllable no word spells so — a mark missed or misplaced (``đièu
    kiện``), a word typed without accents among accented ones — is read from its neighbours, and re-spelled only
    where that reading makes it part of a word or a pair of words the index holds, or (typed without any mark)
    the index spells it nearly always so. A syllable in capitals (``NĐ``, ``UBND``) is an abbreviation: it stays.
    That needs every spelling the index holds: over a map of best spellings alone, a query with accents is left as
    typed.

    >>> restore("tang truong kinh te nam 2022?", {"tang_truong": "tăng_trưởng", "kinh_te": "kinh_tế"})
    'tăng trưởng kinh tế nam 2022?'
    """
    lexicon = accents if isinstance(accents, Lexicon) else BestOnly(accents)
    edges = [m.groups() for t in query.split() if (m := _EDGES.match(t))]
    cores = [core for _, core, _ in edges]
    if fold(query) == " ".join(query.lower().split()):
        spelled = [s for w in _likeliest(cores, lexicon) for s in w.split("_")]
    elif isinstance(lexicon, BestOnly):
        return query
    else:
        def stays(s: str) -> bool:
            low = s.lower()
            capitals = len(s) > 1 and s.isupper()  # an abbreviation: "NĐ", "UBND"
            return not s.isalpha() or low in lexicon.syllables or low in ASKING_SYLLABLES or capitals

        fixed = [s.lower() if stays(s) else None for s in cores]
        if all(f is not None for f in fixed):
            return query
        read = _supported(_likeliest(cores, lexicon, fixed), cores, lexicon)
        spelled = [core if f is not None or w is None or w.lower() == core.lower() else _cased(w, core)
                   for core, f, w in zip(cores, fixed, read, strict=True)]
    return " ".join(lead + w + trail for (lead, _, trail), w in zip(edges, spelled, strict=True))


def _cased(word: str, typed: str) -> str:
    """`word` with the capital `typed` starts with: "quyền" for "Quyển"."""
    return word[:1].upper() + word[1:] if typed[:1].isupper() else word


def _supported(words: list[str], typed: list[str], lexicon: Lexicon) -> list[str | None]:
    """The syllables of a reading of the `typed` syllables, each None where its word stands alone in it: one
    syllable, in no pair of words the index holds with the word before or after it, and — where it was typed
    without any mark — not the spelling nearly all its chunks use (a marked syllable the index does not know may
    be a word it does not hold: "chỗ trống" is not "chỗ trong")."""
    def paired(a: str, b: str) -> bool:
        return lexicon.counts(f"{fold(a)} {fold(b)}").get(f"{a} {b}", 0) > 0

    def dominant(w: str) -> bool:  # "ngành" for "nganh" (1,579 chunks of 1,581); not "trâu" (2) for "trau"
        spellings = lexicon.counts(fold(w))
        n = spellings.get(w, 0)
        return n >= DOMINANT_CHUNKS and n >= DOMINANT_SHARE * sum(spellings.values())

    out: list[str | None] = []
    for k, w in enumerate(words):
        bare = "_" not in w and fold(typed[len(out)]) == typed[len(out)].lower()
        alone = ("_" not in w and not (bare and dominant(w)) and not (k and paired(words[k - 1], w))
                 and not (k + 1 < len(words) and paired(w, words[k + 1])))
        out += [None] if alone else w.split("_")
    return out


def _likeliest(syllables: list[str], lexicon: Lexicon, fixed: list[str | None] | None = None) -> list[str]:
    """The likeliest cut of `syllables` into words and spelling of each (Viterbi under a bigram model with the
    words' own frequencies as the back-off), each syllable `fixed` spelled as it says; a syllable no word holds
    stays as typed. Words of several syllables are joined by ``_``."""
    n = len(syllables)
    fixed = fixed if fixed is not None else [None] * n
    # best[j]: (the last word, its folded key) of a reading of the first j syllables → (log-probability, words)
    best: list[dict[tuple[str, str], tuple[float, tuple[str, ...]]]] = [{} for _ in range(n + 1)]
    best[0][("", "")] = (0.0, ())
    for j in range(n):
        candidates = _candidates(syllables, j, lexicon, fixed)  # the same after every reading of the first j
        for (prev, prev_key), (score, seq) in best[j].items():
            alone = lexicon.counts(prev_key).get(prev, 0) if prev else 0
            for m, word, key, p_word in candidates:
                p = p_word
                if prev:
                    pair = lexicon.counts(f"{prev_key} {key}").get(f"{prev} {word}", 0)
                    p = (pair + SMOOTHING * p_word) / (alone + SMOOTHING)
                total = score + math.log(p)
                state = best[j + m].get((word, key))
                if state is None or total > state[0]:
                    best[j + m][(word, key)] = (total, (*seq, word))
    _, words = max(best[n].values(), key=lambda v: v[0])
    return list(words)


def _candidates(
    syllables: list[str], j: int, lexicon: Lexicon, fixed: list[str | None]
) -> list[tuple[int, str, str, float]]:
    """The words that may start at syllable `j`, spelled as `fixed` says where it says: (syllables they take,
    spelling, folded key, probability of the word alone)."""
    out = []
    for m in range(1, min(MAX_WORD, len(syllables) - j) + 1):
        key = "_".join(fold(s) for s in syllables[j : j + m])
        want = fixed[j : j + m]

        def fits(spelling: str, want: list[str | None] = want) -> bool:
            return all(f is None or f == s.lower() for f, s in zip(want, spelling.split("_"), strict=False))

        if (asking := _ASKING.get(key)) is not None and fits(asking):
            out.append((m, asking, key, 1.0))
            continue
        found = [(w, c) for w, c in lexicon.counts(key).items() if fits(w)]
        spellings = sorted(found, key=lambda wn: (-wn[1], wn[0]))[:SPELLINGS]
        out += [(m, w, key, (c + 0.5) / (lexicon.total + 0.5)) for w, c in spellings]
        if m == 1 and not spellings:
            out.append((1, syllables[j], key, 0.5 / (lexicon.total + 0.5)))
    return out
