"""Retrieval on ALQAC 2022 (1,377 law articles, 520 questions, one gold article each), as eval/README.md sets.

Writes each article to a temporary folder as ``<_id with '/' and ':' → '_'>.txt`` (as score.py names them;
the corpus is never copied into the repo), ingests the folder into an index kept in the temp folder and
reused across runs (ingest is incremental), then asks every question that has a qrel in four settings:
hybrid (``HybridSearcher.search``), BM25 over segmented words only, dense only, and a plain BM25 over
lower-cased syllables of whole articles built here (the README's baseline: about R@1 0.82, MRR@10 0.87).
Hits map to documents (the chunk's file name without ``.txt``), first occurrence kept; reports R@1, R@5,
R@10 and MRR@10 of the gold article, and the mean search time per question.

Run:
    python bench/bench_alqac.py                                # e5-small, all 520 questions
    python bench/bench_alqac.py --model fake --limit-queries 20   # smoke test (~1 min to ingest)
Writes bench/out/alqac.json (or --out).
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

from common import default_out, shared, write_result

CORPUS = shared("corpus", "alqac2022")
WORK = Path(tempfile.gettempdir()) / "tracuu-bench-alqac"


def safe(cid: str) -> str:
    """A corpus id as a file name, the way score.py expects it."""
    return re.sub(r"[/:]", "_", cid)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_docs(articles: list[dict], folder: Path) -> None:
    """One .txt per article; a file already holding the same text is left alone."""
    folder.mkdir(parents=True, exist_ok=True)
    for a in articles:
        f = folder / f"{safe(a['_id'])}.txt"
        if not f.exists() or f.read_text(encoding="utf-8") != a["text"]:
            f.write_text(a["text"], encoding="utf-8")


def syllables(text: str) -> list[str]:
    """Lower-cased syllables, diacritics kept, punctuation dropped: the plain baseline's tokens."""
    return re.findall(r"\w+", unicodedata.normalize("NFC", text).lower())


class PlainBM25:
    """BM25 over the whole articles' syllables; `search` returns document names, best first."""

    def __init__(self, articles: list[dict]):
        import bm25s

        self.names = [safe(a["_id"]) for a in articles]
        self.model = bm25s.BM25()
        self.model.index([syllables(a["text"]) for a in articles], show_progress=False)

    def search(self, query: str, k: int) -> list[str]:
        tokens = [t for t in syllables(query) if t in self.model.vocab_dict]
        if not tokens:
            return []
        scores = self.model.get_scores(tokens)
        return [self.names[i] for i in scores.argsort()[::-1][:k] if scores[i] > 0]


def gold_rank(docs: list[str], gold: set[str]) -> int | None:
    """0-based rank of the first gold document among the first 10, else None."""
    return next((i for i, d in enumerate(docs[:10]) if d in gold), None)


def metrics(found: list[int | None], seconds: float) -> dict:
    n = len(found) or 1
    return {
        "R@1": round(sum(r is not None and r < 1 for r in found) / n, 4),
        "R@5": round(sum(r is not None and r < 5 for r in found) / n, 4),
        "R@10": round(sum(r is not None for r in found) / n, 4),
        "MRR@10": round(sum(1 / (r + 1) for r in found if r is not None) / n, 4),
        "ms_per_query": round(1000 * seconds / n, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="e5-small", help="embedder (default e5-small; `fake` for smoke tests)")
    ap.add_argument("--limit-queries", type=int, help="only the first N questions that have a qrel")
    ap.add_argument("--hits", type=int, default=10,
                    help="chunks retrieved per question before mapping to documents (default 10 as score.py)")
    ap.add_argument("--corpus", type=Path, default=CORPUS, help=f"ALQAC folder (default {CORPUS})")
    ap.add_argument("--work", type=Path, default=WORK,
                    help=f"where the article files and the index live, reused across runs (default {WORK})")
    ap.add_argument("--out", default=default_out("alqac"), help="result JSON (default bench/out/alqac.json)")
    args = ap.parse_args()

    import pipeline
    from pipeline.embed import load_embedder
    from pipeline.search.query import Query
    from pipeline.search.retrievers import BM25Retriever, DenseRetriever
    from pipeline.store.ingest import ingest

    articles = read_jsonl(args.corpus / "alqac2022_corpus.jsonl")
    gold: dict[str, set[str]] = {}
    for line in (args.corpus / "alqac2022_qrels.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        qid, cid, _ = line.split("\t")
        gold.setdefault(qid, set()).add(safe(cid))
    queries = [q for q in read_jsonl(args.corpus / "alqac2022_queries.jsonl") if q["_id"] in gold]
    queries = queries[: args.limit_queries] if args.limit_queries else queries

    docs_dir = args.work / "docs"
    index_dir = args.work / f"index-{safe(args.model).replace(' ', '_')}"
    write_docs(articles, docs_dir)
    embedder = load_embedder(args.model)
    t = time.perf_counter()
    report = ingest([docs_dir], embedder, root=index_dir)
    ingest_s = time.perf_counter() - t
    new = len(report.added) + len(report.updated)
    print(f"index {index_dir}: {new} new, {len(report.unchanged)} unchanged article(s), "
          f"{report.chunks_embedded} chunks embedded in {ingest_s:.1f} s")
    data = pipeline.open_index(index_dir)
    searcher = pipeline.open_answerer(data, embedder).searcher  # the product default (convex fusion)
    rrf = pipeline.open_answerer(data, embedder, fusion="rrf").searcher
    words, dense = BM25Retriever(data, folded=False), DenseRetriever(data, embedder)  # one run each, as typed

    def to_docs(hits) -> list[str]:
        names = [data.chunk(h.chunk_id).doc.removesuffix(".txt") for h in hits]
        return list(dict.fromkeys(names))

    k = args.hits
    settings: dict[str, Callable[[str], list[str]]] = {
        "hybrid": lambda q: to_docs(searcher.search(q, k)),
        "hybrid_rrf": lambda q: to_docs(rrf.search(q, k)),
        "bm25_words": lambda q: to_docs(words.search(Query.of(q), k)),
        "dense": lambda q: to_docs(dense.search(Query.of(q), k)),
    }
    plain = PlainBM25(articles)
    settings["bm25_plain_syllables"] = lambda q: plain.search(q, 10)

    results = {}
    for name, run in settings.items():
        run(queries[0]["text"])  # untimed: lazy loads (segmenter, accents) are not per-question cost
        t = time.perf_counter()
        found = [gold_rank(run(" ".join(q["text"].split())), gold[q["_id"]]) for q in queries]
        results[name] = metrics(found, time.perf_counter() - t)

    print(f"\nALQAC 2022, {len(queries)} questions, model {args.model}, {k} chunks a question")
    print(f"{'setting':<22}{'R@1':>7}{'R@5':>7}{'R@10':>7}{'MRR@10':>8}{'ms/q':>8}")
    for name, m in results.items():
        print(f"{name:<22}{m['R@1']:>7.3f}{m['R@5']:>7.3f}{m['R@10']:>7.3f}{m['MRR@10']:>8.3f}"
              f"{m['ms_per_query']:>8.1f}")
    out = {"model": args.model, "n_queries": len(queries), "hits": k, "index": str(index_dir),
           "chunks": len(data.chunks), "ingest_seconds": round(ingest_s, 2), "settings": results}
    print(f"wrote {write_result(args.out, out)}")


if __name__ == "__main__":
    main()
