"""Our BM25 postings (pipeline/store/postings.py) against bm25s on a real index's tokens.

Reads the ``words`` and ``folded`` columns of an index's live ``chunks.sqlite`` (read-only) and, for each: the
time to build (best of two) `Postings` and bm25s's ``BM25().index`` from the same token lists (bm25s on ``folded``
only with --bm25s-folded: a minute or more), the folder's size on disk, the time to open it (memory-mapped) against
``bm25s.BM25.load`` of the index's own ``bm25_*`` folder, and the time per query of `Scorer.scores` against
``get_scores`` for the questions of bench/qa_corpus.jsonl (their first 10 tokens, and whole): warm, one segment and
three segments with rows deleted, and once each in a new scorer (nothing remembered yet); the largest difference
between the two scores at each question.

Run:
    python bench/bench_postings.py --index /work/bench-idx/scale-100000 --tmp /tmp/postings-bench
Prints one JSON object; writes nothing but the postings folders under --tmp.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sqlite3
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from pipeline.store.layout import LAYOUT, current_generation
from pipeline.store.postings import Postings, Scorer
from pipeline.text.segment import folded_tokens, words

QA = Path(__file__).resolve().parent / "qa_corpus.jsonl"


def _timed(fn: Callable, repeat: int = 1) -> tuple[float, object]:
    """The fewest seconds of `repeat` calls of `fn`, and its last result (the best of them: on this VM the first
    touch of fresh memory costs ~15 ms per MB, which whichever build runs first would pay alone)."""
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def _size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def _column(gen: Path, field: str) -> list[list[str]]:
    db = sqlite3.connect(f"file:{gen / LAYOUT.db}?mode=ro", uri=True)
    try:
        return [(r[0] or "").split() for r in db.execute(f"SELECT {field} FROM chunks ORDER BY row")]
    finally:
        db.close()


def _queries(field: str) -> dict[str, list[list[str]]]:
    tokenise = folded_tokens if field == "folded" else words
    qs = [tokenise(json.loads(line)["q"]) for line in QA.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {"first_10": [q[:10] for q in qs if len(q) >= 5], "whole": [q for q in qs if q]}


def _per_query_ms(fn: Callable[[list[str]], object], queries: list[list[str]], warm: bool = True) -> dict:
    """p50, p90 and mean of each query's time: the best of 3 after one call (`warm`), or of its one call."""
    times = []
    for q in queries:
        if warm:
            fn(q)
        times.append(_timed(lambda q=q: fn(q), repeat=3 if warm else 1)[0] * 1000)
    return {"p50_ms": round(statistics.median(times), 3), "p90_ms": round(float(np.percentile(times, 90)), 3),
            "mean_ms": round(statistics.fmean(times), 3)}


def bench_field(gen: Path, field: str, tmp: Path, bm25s_build: bool) -> dict:
    """Build, size, open and score one field's tokens both ways."""
    import bm25s

    tokens = _column(gen, field)
    out: dict = {"rows": len(tokens), "tokens": sum(map(len, tokens))}
    seconds, built = _timed(lambda: Postings.build(tokens), repeat=2)
    p: Postings = built  # type: ignore[assignment]
    out["postings"] = {"build_s": round(seconds, 2), "terms": p.n_terms, "pairs": len(p.rows),
                       "tf_dtype": str(p.tf.dtype)}
    folder = tmp / field
    shutil.rmtree(folder, ignore_errors=True)
    out["postings"]["save_s"] = round(_timed(lambda: p.save(folder))[0], 3)
    out["postings"]["disk_mb"] = round(_size(folder) / 1e6, 1)
    out["postings"]["load_mmap_ms"] = round(_timed(lambda: Postings.load(folder), repeat=5)[0] * 1000, 3)
    out["postings"]["load_ram_ms"] = round(_timed(lambda: Postings.load(folder, mmap=False), repeat=3)[0] * 1000, 1)
    loaded = Postings.load(folder)
    seconds, scorer = _timed(lambda: Scorer.of([(loaded, None)]), repeat=3)
    out["postings"]["scorer_of_ms"] = round(seconds * 1000, 2)
    ref_folder = gen / (LAYOUT.bm25_folded if field == "folded" else LAYOUT.bm25_words)
    seconds, model = _timed(lambda: bm25s.BM25.load(str(ref_folder), allow_pickle=False))
    out["bm25s"] = {"load_ms": round(seconds * 1000, 1), "disk_mb": round(_size(ref_folder) / 1e6, 1)}
    if bm25s_build:
        seconds, _ = _timed(lambda: bm25s.BM25().index(tokens, show_progress=False), repeat=2)
        out["bm25s"]["build_s"] = round(seconds, 2)
    three = _three_segments(tokens, tmp / f"{field}-3")
    for name, queries in _queries(field).items():
        out[name] = _score(model, scorer, three, queries)  # type: ignore[arg-type]
        fresh = Scorer.of([(loaded, None)])  # each query once, the frequent terms' scores not remembered yet
        out[name]["postings_first_pass"] = _per_query_ms(fresh.scores, queries, warm=False)
    return out


def _three_segments(tokens: list[list[str]], tmp: Path) -> Scorer:
    """The rows in three segments (40%, 35%, 25%) saved and memory-mapped, every tenth row of the second deleted."""
    n = len(tokens)
    cuts = [0, int(n * 0.40), int(n * 0.75), n]
    parts = []
    for k in range(3):
        Postings.build(tokens[cuts[k]:cuts[k + 1]]).save(tmp / str(k))
        seg = Postings.load(tmp / str(k))
        live = None
        if k == 1:
            live = np.ones(seg.n_rows, dtype=bool)
            live[::10] = False
        parts.append((seg, live))
    return Scorer.of(parts)


def _score(model: object, scorer: Scorer, three: Scorer, queries: list[list[str]]) -> dict:
    def ref(q: list[str]) -> np.ndarray:
        known = [t for t in q if t in model.vocab_dict]  # type: ignore[attr-defined]
        return model.get_scores(known) if known else np.zeros(scorer.n_live, np.float32)  # type: ignore[attr-defined]

    diff = max(float(np.abs(ref(q) - scorer.scores(q)[0]).max()) for q in queries)
    return {"queries": len(queries), "mean_tokens": round(statistics.fmean(map(len, queries)), 1),
            "bm25s": _per_query_ms(ref, queries), "postings": _per_query_ms(scorer.scores, queries),
            "postings_3_segments": _per_query_ms(three.scores, queries), "max_abs_diff": diff}


def main() -> None:
    """Run the comparison and print it."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", type=Path, required=True, help="an index root (its live generation is read)")
    ap.add_argument("--tmp", type=Path, required=True, help="where the postings folders are written")
    ap.add_argument("--fields", nargs="+", default=["words", "folded"])
    ap.add_argument("--bm25s-folded", action="store_true", help="also time bm25s building the folded tokens")
    args = ap.parse_args()
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    gen = current_generation(args.index)
    if gen is None:
        raise SystemExit(f"{args.index} holds no index: build one with `tracuu ingest`")
    result = {f: bench_field(gen, f, args.tmp, f == "words" or args.bm25s_folded) for f in args.fields}
    print(json.dumps({"index": str(gen), **result}, indent=1))


if __name__ == "__main__":
    main()
