"""Re-accenting questions typed without accents: every question of the three sets that was written with accents
is folded (as a user would type it) and re-accented from an index; the result is compared with what was written,
syllable by syllable (case aside) and whole. The questions are not in the documents, so nothing is read back.

Three readings over the same index, in the same run:
- *pairs*: `pipeline.text.accents.restore` with the index's lexicon (words and pairs of adjacent words, parser 21);
- *words only*: the same reading with each word's best spelling alone (`BestOnly`: no counts, no pairs);
- *greedy*: the reading of parser 20 and before, longest word first, each its most frequent spelling.

Then one syllable mistyped in a question typed with accents: each syllable of letters of each question written
with accents, in turn, typed without its accents ("nam" for "năm") or without its circumflex, breve or horn
("đièu" for "điều"), the rest as written. Counted apart: mistypings into a syllable no word of the index spells
(which `restore` reads from the neighbours) and into one it does (meant or not, left as typed); the mistyped
syllable comes back right, as typed, or wrong (a third spelling), and the other syllables stay or change.

Run:
    python bench/bench_accents.py --index bench/out/index-full
Writes bench/out/accents.json (or --out).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Mapping

from common import default_out, shared, write_result

SETS = {"dev": shared("eval", "dev_qa.jsonl"), "corpus": "bench/qa_corpus.jsonl", "extra": "bench/qa_extra.jsonl"}


def greedy(query: str, accent_map: Mapping[str, str]) -> str:
    """The reading before parser 21: longest word first (up to 4 syllables), its most frequent spelling; a
    syllable with punctuation attached is left as typed."""
    from pipeline.text.clean import fold

    syl, out, i = query.split(), [], 0
    while i < len(syl):
        for n in range(min(4, len(syl) - i), 0, -1):
            key = "_".join(fold(s) for s in syl[i : i + n])
            if key in accent_map:
                out.append(accent_map[key].replace("_", " "))
                i += n
                break
        else:
            out.append(syl[i])
            i += 1
    return " ".join(out)


def score(pairs: list[tuple[str, str]], read: Callable[[str], str]) -> dict:
    """Share of syllables and of whole questions read back as written, and the median ms per question."""
    right = total = whole = 0
    ms = []
    for typed, written in pairs:
        t = time.perf_counter()
        got = read(typed).lower().split()
        ms.append(1000 * (time.perf_counter() - t))
        want = written.split()
        right += sum(a == b for a, b in zip(got, want, strict=False))
        total += len(want)
        whole += got == want
    return {"syllables": round(right / total, 4), "questions": whole, "n": len(pairs),
            "median_ms": round(statistics.median(ms), 2)}


def drop_marks(word: str) -> str:
    """`word` without its circumflex, breve and horn, the tone kept: "điều" → "đièu"."""
    import unicodedata

    bare = "".join(c for c in unicodedata.normalize("NFD", word) if c not in "\u0302\u0306\u031b")
    return unicodedata.normalize("NFC", bare)


def mistyped(written: list[str], read: Callable[[str], str], spells: Callable[[str], bool]) -> dict:
    """Each syllable of each question mistyped in turn: right / as typed / wrong, apart for syllables the index
    spells (`spells`) and those it does not."""
    from pipeline.text.clean import fold

    out = {k: {"n": 0, "right": 0, "as typed": 0, "wrong": 0, "others changed": 0} for k in ("unknown", "known")}
    for q in written:
        words = q.split()
        for i, w in enumerate(words):
            for bad in sorted({fold(w), drop_marks(w)} - {w}) if w.isalpha() else ():
                got = read(" ".join([*words[:i], bad, *words[i + 1 :]])).lower().split()
                r = out["known" if spells(bad) else "unknown"]
                r["n"] += 1
                r["right" if got[i] == w else "as typed" if got[i] == bad else "wrong"] += 1
                r["others changed"] += got[:i] + got[i + 1 :] != words[:i] + words[i + 1 :]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True)
    ap.add_argument("--out", default=default_out("accents"))
    args = ap.parse_args()
    import pipeline
    from pipeline.ask.evaluate import load_questions
    from pipeline.search.query import normalize_query
    from pipeline.text.accents import ASKING_SYLLABLES, BestOnly, restore
    from pipeline.text.clean import fold

    data = pipeline.open_index(args.index)
    lexicon = data.accents
    best = {k: lexicon[k] for k in lexicon}
    pairs = []
    for path in SETS.values():
        for q in load_questions(path):
            written = normalize_query(q["q"]).lower()
            if fold(written) != written:  # written with accents
                pairs.append((fold(written), written))
    readings = {"pairs": lambda t: restore(t, lexicon), "words only": lambda t: restore(t, BestOnly(best)),
                "greedy": lambda t: greedy(t, best)}
    results = {name: score(pairs, read) for name, read in readings.items()}
    for name, r in results.items():
        print(f"{name:>10}: syllables {r['syllables']:.1%}, whole questions {r['questions']}/{r['n']}, "
              f"{r['median_ms']} ms median")
    typo = mistyped([w for _, w in pairs], lambda t: restore(t, lexicon),
                    lambda s: s in lexicon.syllables or s in ASKING_SYLLABLES)
    for kind, r in typo.items():
        print(f"one syllable mistyped, {kind} to the index: {r}")
    out = {"index": args.index, "chunks": len(data.chunks), "results": results, "mistyped": typo}
    print(f"wrote {write_result(args.out, out)}")


if __name__ == "__main__":
    main()
