"""Dev-set quality: evidence@5, R@1, MRR@10 and answer accuracy (../shared/eval/README.md) on an index, for
the default hybrid search (convex fusion) and for reciprocal rank fusion, measured in the same run.

Run:
    python bench/bench_dev.py --index /tmp/ix-seed               # the seed alone
    python bench/bench_dev.py --index /tmp/ix-full               # the seed + 235 documents (realistic)
"""

from __future__ import annotations

import argparse
import time

from common import default_out, shared, write_result

DEV = shared("eval", "dev_qa.jsonl")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True)
    ap.add_argument("--questions", default=str(DEV))
    ap.add_argument("--out", default=default_out("dev"))
    args = ap.parse_args()
    import pipeline
    from pipeline.ask.evaluate import load_questions, score
    from pipeline.search.fusion import Fusion
    from pipeline.settings import serve_queries_single_threaded

    serve_queries_single_threaded()  # before the embedder loads
    data = pipeline.open_index(args.index)
    embedder = pipeline.load_embedder(data.embedder_name)
    questions = load_questions(args.questions)
    results = {}
    for fusion in (Fusion.CONVEX, Fusion.RRF):
        answerer = pipeline.open_answerer(data, embedder, fusion)
        t = time.perf_counter()
        r = score(questions, [answerer.ask(q["q"], 10) for q in questions])
        secs = time.perf_counter() - t
        print(f"[{fusion.value}]")
        for m in r.misses:
            print("  " + m)
        print("  " + r.summary().replace("\n", "\n  "))
        results[fusion.value] = {"n": r.n, "evidence@5": r.evidence_at_5, "R@1": r.r_at_1,
                                 "MRR@10": round(r.mrr_at_10 / r.n, 4), "answer": r.answer,
                                 "misses": r.misses, "seconds": round(secs, 2)}
    out = {"index": args.index, "documents": len(data.docs), "chunks": len(data.chunks),
           "embedder": data.embedder_name, "results": results}
    print(f"wrote {write_result(args.out, out)}")


if __name__ == "__main__":
    main()
