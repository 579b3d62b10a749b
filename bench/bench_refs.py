"""References: what the index holds (distinct numbers, mentions, partial ones, links between indexed documents)
and the warm latency of a lookup typed the ways staff type.

Loads the index once (as `tracuu refs` does), then times ``RefCatalog.lookup(q)`` (the references indexed by
number once, on the first query) --repeat times for each query; also times building the "cites / cited by" links
once.

Run:
    python bench/bench_refs.py --index bench/out/index-full
Writes bench/out/refs.json (or --out).
"""

from __future__ import annotations

import argparse
import statistics
import time

from common import default_out, peak_rss_kb, write_result

QUERIES = ["996/QĐ-TTg", "996/QD-TTg", "qd 996", "quyết định 996", "Nghị định 137/2020", "59/2019/ND-CP",
           "nghi quyet 27", "36/2021/NQ-HDND", "09-KL/TU", "nghị quyết 15"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", help="index folder (default: $TRACUU_INDEX or ./index)")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--out", default=str(default_out("refs")))
    args = ap.parse_args()

    import pipeline

    t0 = time.perf_counter()
    data = pipeline.open_index(args.index)
    load_s = time.perf_counter() - t0
    t = time.perf_counter()
    catalog = pipeline.open_refs(data)  # bearers and links computed once, as the app does
    links_ms = (time.perf_counter() - t) * 1000
    refs = catalog.references
    times, found = [], {}
    for q in QUERIES:
        catalog.lookup(q)
        for _ in range(args.repeat):
            t = time.perf_counter()
            hits = catalog.lookup(q)
            times.append((time.perf_counter() - t) * 1000)
        found[q] = [m.ref for m in hits[:3]]
        print(f"{q:<22} → {', '.join(found[q]) or '(none)'}")
    all_links = catalog.links()
    times.sort()
    result = {
        "index": str(data.gen), "documents": len(data.docs), "load_seconds": round(load_s, 2),
        "references": len(refs), "mentions": sum(len(m.mentions) for m in refs),
        "partial_references": sum(m.partial for m in refs),
        "partial_mentions": sum(len(m.mentions) for m in refs if m.partial),
        "documents_bearing_a_number": sum(1 for d in data.docs.values() if d.meta.number),
        "links": len(all_links), "links_ms": round(links_ms, 1),
        "lookup_ms": {"p50": round(statistics.median(times), 2), "p90": round(times[int(0.9 * (len(times) - 1))], 2),
                      "max": round(times[-1], 2)},
        "found": found, "peak_rss_mb": round(peak_rss_kb() / 1024, 1),
    }
    print(f"{result['references']} references, {result['mentions']} mentions, {result['links']} links; lookup p50 "
          f"{result['lookup_ms']['p50']} ms, max {result['lookup_ms']['max']} ms")
    print("wrote", write_result(args.out, result))


if __name__ == "__main__":
    main()
