"""Compare: warm latency of one comparison (query re-accented, embedded, every indicator name scored, rows
and gaps built), the same without the query's embedding, and what the index holds.

Loads the index and its embedder once (OMP_NUM_THREADS=1, as `tracuu compare` serves), runs each query
once to warm up, then times ``Comparer(query)`` --repeat times per query. Also reports how many indicator
statements and distinct names the index holds, by kind and year, and how many rows/gaps each query got.

Run:
    python bench/bench_compare.py --index bench/out/index-full
    python bench/bench_compare.py --index /tmp/ix --repeat 3
Writes bench/out/compare.json (or --out).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter

from common import default_out, peak_rss_kb, write_result

QUERIES = [
    "tăng trưởng kinh tế", "thu ngan sach", "thành lập mới doanh nghiệp", "thu nhap binh quan dau nguoi",
    "vốn đầu tư phát triển toàn xã hội", "bao hiem y te", "suy dinh dưỡng trẻ em", "hộ nghèo",
    "thảm nhựa", "trồng cây xanh", "chất thải rắn được thu gom", "dịch vụ công trực tuyến",
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", help="index folder (default: $TRACUU_INDEX or ./index)")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--out", default=str(default_out("compare")))
    args = ap.parse_args()
    import pipeline
    from pipeline.indicators.compare import compare

    t0 = time.perf_counter()
    data = pipeline.open_index(args.index)
    run = pipeline.open_comparer(data)  # one thread per library, as `tracuu compare` serves
    n_ind = len(data.indicators)
    load_s = time.perf_counter() - t0

    per_query, full, lexical_only = {}, [], []
    for q in QUERIES:
        first = run(q)  # warm-up
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            run(q)
            times.append((time.perf_counter() - t) * 1000)
        full.extend(times)
        t = time.perf_counter()
        for _ in range(args.repeat):
            compare(data.indicators, q, scores=run.index.scores(q))
        lexical_only.append((time.perf_counter() - t) * 1000 / args.repeat)
        per_query[q] = {"median_ms": round(statistics.median(times), 2), "rows": len(first.rows),
                        "gaps": len(first.gaps), "names": list(first.names),
                        "rows_seen": [f"{r.year} {r.kind.value} {r.raw} ({r.doc})" for r in first.rows]}
        print(f"{statistics.median(times):7.1f} ms  {len(first.rows):>2} rows {len(first.gaps):>2} gaps  {q}")

    full.sort()
    result = {
        "index": str(data.gen),
        "documents": len(data.docs),
        "indicators": n_ind,
        "distinct_names": len(run.names),
        "by_kind": dict(Counter(i.kind.value for i in data.indicators)),
        "docs_with_indicators": len({i.doc for i in data.indicators}),
        "years": dict(Counter(i.year for i in data.indicators).most_common(8)),
        "load_seconds": round(load_s, 2),
        "compare_ms": {"p50": round(statistics.median(full), 2), "p90": round(full[int(0.9 * (len(full) - 1))], 2),
                       "max": round(full[-1], 2)},
        "compare_without_query_embedding_ms_median": round(statistics.median(lexical_only), 2),
        "peak_rss_mb": round(peak_rss_kb() / 1024, 1),
        "queries": per_query,
    }
    print(f"p50 {result['compare_ms']['p50']} ms, p90 {result['compare_ms']['p90']} ms over {len(full)} calls; "
          f"{n_ind} indicators, {len(run.names)} names; peak {result['peak_rss_mb']} MB")
    print("wrote", write_result(args.out, result))


if __name__ == "__main__":
    main()
