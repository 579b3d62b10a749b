"""Searchable before it is embedded: how soon an ingest is answerable, what a vectors-only generation costs, and
whether the checkpoints slow embedding.

(a) one ingest of the given files into a fresh index with the real embedder: seconds from the start of the
    ``ingest()`` call to the first answerable generation (``IngestReport.seconds_to_searchable``) and to the end;
    with --ask, checked by asking from a second process while the vectors fill in (answered, keyword-only).
(b) every generation the ingest wrote, timed and sized: the full (keyword) one — every file — against each
    vectors-only one — only dense.faiss, pending.npy and manifest.json are new bytes, the rest hard links.
(c) tokens/s while embedding inside the ingest (checkpoints included) against the raw embedder: measured within
    the same run as the share of the embedding phase's wall time spent in the embedder's own calls (on a shared
    machine a separate raw run sees other load), and, with --raw, against ``embed_passages`` over the same texts
    in one call after the ingest.

Run:
    python bench/bench_kwfirst.py data/ ../shared/corpus/local_gov_docs_2025/docs --limit 30
    python bench/bench_kwfirst.py data/ --model fake --limit 1      # smoke test
Writes bench/out/kwfirst.json (or --out). Set TRACUU_CHECKPOINT_SECONDS to checkpoint more often than the
default 60 s (the worst case for (c)).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import default_out, write_result

ROOT = Path(__file__).resolve().parents[1]


def new_bytes(gen: Path) -> int:
    """The bytes of a generation's files that are not hard links to another generation's (what was written)."""
    return sum(f.stat().st_size for f in gen.rglob("*") if f.is_file() and f.stat().st_nlink == 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--limit", type=int, default=30, help="files taken (sorted) from the paths after the first")
    ap.add_argument("--model", default="e5-small")
    ap.add_argument("--ask", action="store_true", help="also ask from a second process once the keyword generation is "
                                                       "live (it competes for the cores: not with the rates of (c))")
    ap.add_argument("--raw", action="store_true", help="also time the raw embedder on the same texts afterwards")
    ap.add_argument("--out", default=default_out("kwfirst.json"))
    args = ap.parse_args()

    import pipeline.store.ingest as ingest_mod
    from pipeline.embed import load_embedder
    from pipeline.store.ingest import IngestReport, find_files, ingest

    first, *rest = args.paths
    files = [p for _, p in find_files([first], IngestReport())]
    files += sorted(p for _, p in find_files(rest, IngestReport()))[: args.limit]
    embedder = load_embedder(args.model)
    inside = [0.0]  # seconds spent in the embedder's own calls during the ingest
    passages = embedder.embed_passages

    def counted(texts, *a, **kw):
        t = time.perf_counter()
        out = passages(texts, *a, **kw)
        inside[0] += time.perf_counter() - t
        return out

    embedder.embed_passages = counted  # type: ignore[method-assign]
    root = Path(tempfile.mkdtemp(prefix="kwfirst-")) / "index"

    writes: list[dict] = []  # one per generation written, in order

    def timed(fn, kind):
        def call(*a, **kw):
            t = time.perf_counter()
            gen = fn(*a, **kw)
            writes.append({"kind": kind, "seconds": round(time.perf_counter() - t, 4), "new_bytes": new_bytes(gen),
                           "generation_bytes": sum(f.stat().st_size for f in gen.rglob("*") if f.is_file())})
            return gen
        return call

    ingest_mod.write_generation = timed(ingest_mod.write_generation, "full")
    ingest_mod.write_vectors = timed(ingest_mod.write_vectors, "vectors-only")

    asked: dict = {}
    threads: list[threading.Thread] = []

    def progress(stage, done, total):
        if args.ask and stage is ingest_mod.Stage.CHUNKS and done == 0 and not threads:  # the keyword generation
            threads.append(threading.Thread(target=ask_from_another_process, args=(root, asked)))  # is live
            threads[0].start()

    t0 = time.perf_counter()
    report = ingest(files, embedder, root=root, progress=progress)
    total_s = time.perf_counter() - t0
    for t in threads:
        t.join()

    from pipeline.store.reader import open_index

    data = open_index(root)
    titles = {n: d.meta.title for n, d in data.docs.items()}
    texts = [c.embed_text(titles[c.doc]) for c in data.chunks_with_tokens()]
    raw = []
    for _ in range(1 if args.raw else 0):
        t = time.perf_counter()
        passages(texts)
        raw.append(time.perf_counter() - t)
    tokens = embedder.count_tokens(texts)
    raw_rate = tokens / min(raw) if raw else None
    ingest_rate = report.tokens_embedded / report.seconds_embedding
    result = {
        "files": len(files), "chunks": len(data.chunks), "chunks_embedded": report.chunks_embedded,
        "model": args.model, "seconds_to_searchable": round(report.seconds_to_searchable or 0, 2),
        "seconds_total": round(total_s, 2), "seconds_embedding": round(report.seconds_embedding, 2),
        "checkpoints": report.checkpoints, "seconds_checkpoints": round(report.seconds_checkpoints, 3),
        "asked_while_embedding": asked, "writes": writes,
        "ingest_tokens_per_s": round(ingest_rate, 1), "embedder_seconds_inside": round(inside[0], 2),
        "embedder_share_of_embedding_phase": round(inside[0] / report.seconds_embedding, 4),
        "raw_tokens_per_s": raw_rate and round(raw_rate, 1),
        "ingest_over_raw": raw_rate and round(ingest_rate / raw_rate, 3), "raw_seconds": [round(x, 2) for x in raw],
    }
    write_result(args.out, result)
    print(result)


def ask_from_another_process(root: Path, out: dict) -> None:
    """`tracuu ask --json` in a process of its own while the ingest embeds: answered, and marked keyword-only."""
    import json

    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "pipeline", "ask", "tăng trưởng kinh tế năm 2022", "--index", str(root),
                        "--json", "--top-k", "3"], capture_output=True, text=True, cwd=ROOT)
    ans = json.loads(p.stdout) if p.returncode == 0 else {}
    out.update({"code": p.returncode, "seconds": round(time.perf_counter() - t, 2),
                "passages": len(ans.get("passages", [])), "keyword_only": ans.get("keyword_only"),
                "pending_docs": len(ans.get("pending_docs", []))})


if __name__ == "__main__":
    main()
