"""The approximate dense index (pipeline/store/dense.py): exact (FAISS IndexFlatIP) against HNSW.

``synthetic``: clustered, L2-normalised 384-dim vectors shaped like e5-small's on this corpus (documents of ~48
chunks about one topic each, all sharing a common direction; `--fit INDEX` measures the shape to copy on a real
index), at each --sizes: build time (the HNSW figure includes measuring its recall and choosing efSearch),
memory (the serialised index), one-query p50 at the searcher's depth (k=50, one thread) exact vs HNSW, recall@10
and recall@50 of HNSW against exact on held-out queries, and filtered searches (a document, a year, a collection)
through `DenseIndex.search`: p50 and recall against exact filtered search.

``real``: on a copy of a real index (e5-small vectors): HNSW built as ``TRACUU_DENSE=hnsw`` would build it, its
recall@10 against exact search for the e5 query vectors of the questions of bench/qa_corpus.jsonl and the dev set,
at every efSearch of the ladder beside the build's own sample (which calibrates the sample), and the same
filtered searches on the index's real documents and years.

``same``: two copies of one index rebuilt with ``TRACUU_DENSE=flat`` and ``=hnsw`` (``tracuu ingest --rebuild``
reuses every vector): the questions whose hybrid top 10 and answer are the same, and the warm ask p50 of each
(bench/bench_dev.py on each copy gives the dev-set quality).

Run:
    python bench/bench_ann.py synthetic --fit /tmp/ann/full-flat       # once: the shape to copy
    python bench/bench_ann.py synthetic --sizes 10000 100000 1000000
    python bench/bench_ann.py real --index /tmp/ann/full-flat
    python bench/bench_ann.py same --flat /tmp/ann/full-flat --hnsw /tmp/ann/full-hnsw
Writes (merges its section into) bench/out/ann.json, or --out.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from pathlib import Path

import numpy as np
from common import default_out, peak_rss_kb, shared, write_result

DIM = 384
DOC_ROWS = 48  # chunks per document: 11,440 chunks over 236 documents
# the shape of e5-small vectors on seed + 235 (bench_ann.py synthetic --fit): a common direction, topics, documents
SHAPE = {"common": 1.0, "topic": 0.55, "doc": 0.35, "row": 0.45, "query": 0.7}
QUESTIONS = [Path(__file__).resolve().parent / "qa_corpus.jsonl", shared("eval", "dev_qa.jsonl")]


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def clustered(n: int, queries: int, seed: int = 0, shape: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """`n` rows in document order (each document's `DOC_ROWS` rows about one topic) and `queries` held-out query
    vectors (near rows of documents not indexed, moved further by the query noise)."""
    s = {**SHAPE, **(shape or {})}
    rng = np.random.default_rng(seed)
    common = rng.standard_normal(DIM)
    common /= np.linalg.norm(common)
    topics = max(20, n // (DOC_ROWS * 20))
    centres = s["common"] * common + s["topic"] * rng.standard_normal((topics, DIM)) / math.sqrt(DIM)
    centres = centres / np.linalg.norm(centres, axis=1, keepdims=True)
    docs = math.ceil((n + queries) / DOC_ROWS)
    popular = rng.zipf(1.3, docs) % topics  # a few topics hold many documents
    doc_centres = centres[popular] + s["doc"] * rng.standard_normal((docs, DIM)) / math.sqrt(DIM)
    out = np.empty((n + queries, DIM), dtype=np.float32)
    step = 100_000
    for start in range(0, n + queries, step):
        rows = np.arange(start, min(n + queries, start + step))
        x = doc_centres[rows // DOC_ROWS] + s["row"] * rng.standard_normal((len(rows), DIM)) / math.sqrt(DIM)
        out[rows] = _unit(x)
    held = out[n:]
    q = _unit(held + s["query"] * rng.standard_normal(held.shape).astype(np.float32) / math.sqrt(DIM))
    return np.ascontiguousarray(out[:n]), q


SHAPE_FILE = Path(__file__).resolve().parent / "out" / "ann_shape.npz"
RANK = 64  # principal directions kept of each covariance (the rest: isotropic)


def _pca(residuals: np.ndarray, rank: int) -> tuple[np.ndarray, np.ndarray, float]:
    """The top `rank` directions of `residuals` (rows), their standard deviations, and the per-dimension standard
    deviation left in the other directions."""
    _, sv, vt = np.linalg.svd(residuals - residuals.mean(0), full_matrices=False)
    var = sv**2 / max(1, len(residuals) - 1)
    rest = float(np.sqrt(var[rank:].sum() / max(1, residuals.shape[1] - rank)))
    return vt[:rank].astype(np.float32), np.sqrt(var[:rank]).astype(np.float32), rest


def fit_shape(x: np.ndarray, docs: list[str], q: np.ndarray, path: Path = SHAPE_FILE) -> Path:
    """Save what the synthetic vectors copy from a real index (plain arrays, no pickle): each document's mean
    vector, the spread of documents around them and of chunks around their document (the principal directions
    of each, `RANK` kept), and the real questions' query vectors."""
    names = sorted(set(docs))
    of = np.array([names.index(d) for d in docs])
    means = np.stack([x[of == i].mean(0) for i in range(len(names))])
    within = _pca(x - means[of], RANK)
    between = _pca(means, RANK)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, means=means, sizes=np.bincount(of), w_dirs=within[0], w_sd=within[1], w_rest=within[2],
             b_dirs=between[0], b_sd=between[1], b_rest=between[2], queries=q)
    return path


def _spread(rng, count: int, dirs: np.ndarray, sd: np.ndarray, rest: float, scale: float) -> np.ndarray:
    """`count` Gaussian offsets with the fitted covariance, times `scale`."""
    low = (rng.standard_normal((count, len(sd))).astype(np.float32) * sd) @ dirs
    return scale * (low + rng.standard_normal((count, dirs.shape[1])).astype(np.float32) * np.float32(rest))


def fitted(n: int, path: Path = SHAPE_FILE, seed: int = 0, doc_scale: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """`n` rows shaped like the fitted index: documents made as variants of its documents (a real document's mean
    moved by half the spread documents have), each of ``DOC_ROWS`` chunks spread as its chunks are around their
    document, in document order; the queries are the real questions' vectors."""
    f = np.load(path, allow_pickle=False)
    rng = np.random.default_rng(seed)
    docs = math.ceil(n / DOC_ROWS)
    like = rng.integers(0, len(f["means"]), docs)
    centres = f["means"][like] + _spread(rng, docs, f["b_dirs"], f["b_sd"], float(f["b_rest"]), doc_scale)
    out = np.empty((n, f["means"].shape[1]), dtype=np.float32)
    for start in range(0, n, 100_000):
        rows = np.arange(start, min(n, start + 100_000))
        out[rows] = _unit(centres[rows // DOC_ROWS] + _spread(rng, len(rows), f["w_dirs"], f["w_sd"],
                                                              float(f["w_rest"]), 1.0))
    return out, np.ascontiguousarray(f["queries"], dtype=np.float32)


def shape_of(x: np.ndarray, q: np.ndarray | None = None, sample: int = 2000, seed: int = 0) -> dict:
    """What the synthetic vectors copy: mean cosine of random pairs, of each row to its nearest other row, of
    each query (when given) to its nearest row."""
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(x), min(sample, len(x)), replace=False)
    sims = x[pick] @ x.T
    sims[np.arange(len(pick)), pick] = -1
    out = {"pair": round(float((x[pick[: len(pick) // 2]] * x[pick[len(pick) // 2:]]).sum(1).mean()), 4),
           "nearest": round(float(sims.max(1).mean()), 4)}
    if q is not None:
        out["query_nearest"] = round(float((q @ x.T).max(1).mean()), 4)
    return out


def p50_ms(fn, items) -> float:
    times = []
    for it in items:
        t = time.perf_counter()
        fn(it)
        times.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(times), 3)


def mb(index) -> float:
    import faiss

    return round(faiss.serialize_index(index).nbytes / 2**20, 1)


def exact_top(x: np.ndarray, q: np.ndarray, k: int, allowed: np.ndarray | None = None) -> np.ndarray:
    """The exact top `k` rows of each query by inner product (numpy, in blocks), -1 past the allowed rows."""
    out = np.full((len(q), k), -1, dtype=np.int64)
    for i in range(0, len(q), 64):
        s = q[i:i + 64] @ x.T
        if allowed is not None:
            s[:, ~allowed] = -np.inf
        top = np.argpartition(-s, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(s, top, 1), axis=1)
        top = np.take_along_axis(top, order, 1)
        top[~np.isfinite(np.take_along_axis(s, top, 1))] = -1
        out[i:i + 64] = top
    return out


def searched(index, q: np.ndarray, k: int, allowed: np.ndarray | None = None) -> np.ndarray:
    rows = [[r for r, _ in index.search(v, k, allowed)] for v in q]
    return np.array([r + [-1] * (k - len(r)) for r in rows], dtype=np.int64)


def filters_of(n: int, seed: int = 1) -> dict[str, np.ndarray]:
    """A document (one block of rows), a year (every tenth document, of ten years), a collection (the first 70%
    of documents): the masks of ``--doc``, ``--year`` and a collection's view."""
    rng = np.random.default_rng(seed)
    doc = np.arange(n) // DOC_ROWS
    years = rng.integers(0, 10, doc.max() + 1)
    one = rng.integers(0, doc.max() + 1)
    return {"doc": doc == one, "year": years[doc] == 3, "collection": doc < 0.7 * (doc.max() + 1)}


def compare(x: np.ndarray, q: np.ndarray, flat, hnsw, masks: dict[str, np.ndarray], timed: int) -> dict:
    """Exact and HNSW (`DenseIndex`es) on queries `q`: p50 at k=50, recall@10 and @50; each filter's too."""
    from pipeline.store import dense

    truth = exact_top(x, q, 50)
    out: dict = {"queries": len(q),
                 "p50_ms": {"flat": p50_ms(lambda v: flat.search(v, 50), q[:timed]),
                            "hnsw": p50_ms(lambda v: hnsw.search(v, 50), q)},
                 "recall_at_10": round(dense.recall(searched(hnsw, q, 10), truth[:, :10]), 4),
                 "recall_at_50": round(dense.recall(searched(hnsw, q, 50), truth), 4)}
    out["filtered"] = {}
    for name, mask in masks.items():
        ftruth = exact_top(x, q, 10, mask)
        out["filtered"][name] = {
            "rows": int(mask.sum()),
            "path": "exact" if mask.sum() <= hnsw.exact_rows else "graph",
            "p50_ms": {"flat": p50_ms(lambda v, m=mask: flat.search(v, 50, m), q[:timed]),
                       "hnsw": p50_ms(lambda v, m=mask: hnsw.search(v, 50, m), q)},
            "recall_at_10": {"flat": round(dense.recall(searched(flat, q, 10, mask), ftruth), 4),
                             "hnsw": round(dense.recall(searched(hnsw, q, 10, mask), ftruth), 4)}}
    return out


def synthetic(n: int, queries: int, timed: int, flat_rows: int) -> dict:
    import faiss

    from pipeline.settings import DenseChoice
    from pipeline.store.dense import DenseIndex, DensePlan, build_dense

    x, q = fitted(n) if SHAPE_FILE.exists() else clustered(n, queries)
    faiss.omp_set_num_threads(2)  # an ingest builds on every core
    t = time.perf_counter()
    flat = build_dense(x, DensePlan(DenseChoice.FLAT))
    flat_s = time.perf_counter() - t
    t = time.perf_counter()
    hnsw = build_dense(x, DensePlan(DenseChoice.HNSW, flat_rows=flat_rows))
    hnsw_s = time.perf_counter() - t
    faiss.omp_set_num_threads(1)  # a query is served on one thread (serve_queries_single_threaded)
    result = {"rows": n, "shape": shape_of(x, q),
              "build_seconds": {"flat": round(flat_s, 2), "hnsw": round(hnsw_s, 2)},
              "memory_mb": {"flat": mb(flat.index), "hnsw": mb(hnsw.index)},
              "record": hnsw.record.to_json()}
    result.update(compare(x, q, DenseIndex(flat.index, flat.record), DenseIndex(hnsw.index, hnsw.record),
                          filters_of(n), timed))
    result["ladder"] = ladder(hnsw.index, x, q)
    return result


def question_vectors(data, embedder) -> np.ndarray:
    """The e5 query vector of every question, embedded as the dense retriever embeds it (re-accented)."""
    from pipeline.search.query import Query

    qs = [json.loads(line)["q"] for p in QUESTIONS for line in p.read_text(encoding="utf-8").splitlines()
          if line.strip()]
    return np.stack([embedder.embed_query(Query.of(q, data.accents).accented) for q in qs]).astype(np.float32)


def ladder(index, x: np.ndarray, real_q: np.ndarray) -> list[dict]:
    """At each efSearch: recall@10 on the build's sample and on the real (or held-out) queries, recall@50 and the
    p50 of a search for 50 rows (the searcher's depth) at the efSearch `DenseIndex` gives it (`ef_for`)."""
    from pipeline.store import dense

    sample = dense.sample_queries(x, dense.SAMPLE, dense.SAMPLE_NOISE, dense.SEED)
    st, rt, rt50 = exact_top(x, sample, 10), exact_top(x, real_q, 10), exact_top(x, real_q, 50)
    out = []
    for ef in dense.EF_LADDER:
        index.hnsw.efSearch = ef
        shares = dense._shares(index.search(sample, 10)[1], st)
        row = {"ef_search": ef, "sample": round(float(shares.mean()), 4),
               "sample_low": round(dense.lower_bound(shares), 4),
               "real": round(dense.recall(index.search(real_q, 10)[1], rt), 4)}
        index.hnsw.efSearch = dense.ef_for(ef, 50)  # what DenseIndex.search gives a search for 50
        row["real_at_50"] = round(dense.recall(index.search(real_q, 50)[1], rt50), 4)
        row["p50_ms_k50"] = p50_ms(lambda v: index.search(v.reshape(1, -1), 50), real_q[:100])
        out.append(row)
    return out


def real(path: str) -> dict:
    import faiss

    import pipeline
    from pipeline.settings import DenseChoice
    from pipeline.store.dense import DenseIndex, DensePlan, build_dense

    data = pipeline.open_index(path)
    embedder = pipeline.load_embedder(data.embedder_name)
    x = data.vectors()
    q = question_vectors(data, embedder)
    faiss.omp_set_num_threads(2)
    t = time.perf_counter()
    hnsw = build_dense(x, DensePlan(DenseChoice.HNSW))
    hnsw_s = time.perf_counter() - t
    faiss.omp_set_num_threads(1)
    [segment] = data.segments  # an index of one segment (or one folder: format 2)
    flat = segment.dense
    graph = DenseIndex(hnsw.index, hnsw.record)
    years = sorted({c.year for c in data.chunks if c.year})
    docs = sorted(data.docs, key=lambda d: -data.docs[d].n_chunks)
    masks = {"doc (largest)": np.array([c.doc == docs[0] for c in data.chunks]),
             **{f"year {y}": np.array([c.year == y for c in data.chunks]) for y in years[-3:]}}
    result = {"index": path, "chunks": len(x), "documents": len(data.docs), "embedder": data.embedder_name,
              "shape": shape_of(x, q), "build_seconds": round(hnsw_s, 2),
              "memory_mb": {"flat": mb(segment.dense.index), "hnsw": mb(hnsw.index)}, "record": hnsw.record.to_json()}
    result.update(compare(x, q, flat, graph, masks, len(q)))
    result["ladder"] = ladder(hnsw.index, x, q)
    return result


def same(flat_path: str, hnsw_path: str) -> dict:
    """Two copies of one index that differ only in their dense index: how many questions get the same top 10
    chunks from the hybrid searcher, the same answer text, and the warm ask p50 of each."""
    import pipeline
    from pipeline.embed import load_embedder

    questions = [json.loads(line)["q"] for p in QUESTIONS for line in p.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    out: dict = {"flat": flat_path, "hnsw": hnsw_path, "questions": len(questions)}
    answerers = {}
    embedder = None
    for name, path in (("flat", flat_path), ("hnsw", hnsw_path)):
        data = pipeline.open_index(path)
        embedder = embedder or load_embedder(data.embedder_name)
        answerers[name] = pipeline.open_answerer(data, embedder)
        out[f"{name}_dense"] = [s.dense.record.to_json() for s in data.segments]
        for q in questions[:3]:
            answerers[name].ask(q, 5)
    runs: dict = {name: ([], [], []) for name in answerers}
    for q in questions:  # in turn, so a busy moment slows both alike
        for name, answerer in answerers.items():
            tops, texts, times = runs[name]
            t = time.perf_counter()
            a = answerer.ask(q, 5)
            times.append((time.perf_counter() - t) * 1000)
            texts.append(a.text)
            tops.append([h.chunk_id for h in answerer.searcher.search(q, 10)])
    for name, (_, _, times) in runs.items():
        out[f"{name}_ask_p50_ms"] = round(statistics.median(times), 1)
    runs = {name: (tops, texts) for name, (tops, texts, _) in runs.items()}
    (ft, fa), (ht, ha) = runs["flat"], runs["hnsw"]
    out["same_top10"] = sum(a == b for a, b in zip(ft, ht, strict=True))
    out["same_top5_set"] = sum(set(a[:5]) == set(b[:5]) for a, b in zip(ft, ht, strict=True))
    out["same_answer"] = sum(a == b for a, b in zip(fa, ha, strict=True))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="what", required=True)
    sp = sub.add_parser("synthetic")
    sp.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    sp.add_argument("--queries", type=int, default=300)
    sp.add_argument("--timed", type=int, default=100, help="queries timed on the exact index")
    sp.add_argument("--flat-rows", type=int, default=100_000, help="filters allowing at most this many: exact")
    sp.add_argument("--fit", help="a real index: save its shape (bench/out/ann_shape.npz) for the synthetic "
                    "vectors to copy, build nothing")
    rp = sub.add_parser("real")
    rp.add_argument("--index", required=True, help="a copy of a real index (opened read-only)")
    cp = sub.add_parser("same", help="two copies of an index, exact and HNSW: the same results?")
    cp.add_argument("--flat", required=True)
    cp.add_argument("--hnsw", required=True)
    ap.add_argument("--out", default=default_out("ann"))
    args = ap.parse_args()
    out_path = Path(args.out)
    saved = json.loads(out_path.read_text(encoding="utf-8")) if out_path.exists() else {}
    saved.pop("context", None)
    if args.what == "synthetic" and args.fit:
        import pipeline

        data = pipeline.open_index(args.fit)
        x = data.vectors()
        q = question_vectors(data, pipeline.load_embedder(data.embedder_name))
        print(f"wrote {fit_shape(x, [c.doc for c in data.chunks], q)}")
        print("real", shape_of(x, q), "synthetic", shape_of(*fitted(len(x))))
        return
    if args.what == "synthetic":
        runs = saved.setdefault("synthetic", {})
        for n in args.sizes:
            runs[str(n)] = synthetic(n, args.queries, args.timed, args.flat_rows)
            runs[str(n)]["peak_rss_mb"] = round(peak_rss_kb() / 1024)
            print(json.dumps(runs[str(n)], ensure_ascii=False))
            write_result(out_path, saved)
    elif args.what == "same":
        saved["same"] = same(args.flat, args.hnsw)
        print(json.dumps(saved["same"], ensure_ascii=False, indent=1))
    else:
        saved["real"] = real(args.index)
        print(json.dumps(saved["real"], ensure_ascii=False, indent=1))
    print(f"wrote {write_result(out_path, saved)}")


if __name__ == "__main__":
    main()
