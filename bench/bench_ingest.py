"""Ingest throughput: the raw embedder, a first full ingest, a re-ingest of unchanged files, peak memory.

(a) raw: loads the embedder, builds the exact texts ingest would embed (find_files → read_document →
    prepare_chunks → Chunk.embed_text(title)), and times ``embed_passages`` on a deterministic sample of
    --sample texts → raw tokens/s (tokens by ``embedder.count_tokens``). Also times the reading and
    chunking (with word segmentation) of all files, which ingest pays too.
(b) first ingest: ``pipeline.ingest.ingest`` into a fresh temporary index, in a process of its own →
    chunks, chunks/s end to end, tokens/s while embedding, share of time spent outside embedding.
(c) re-ingest of the same, unchanged files into that index, again in a fresh process → seconds and the
    ratio re-ingest / first ingest.
(d) peak RSS of the first-ingest process alone (ru_maxrss of RUSAGE_CHILDREN, model load included).
Times of (b) and (c) cover the ``ingest()`` call only; the model load is reported apart.

Run:
    python bench/bench_ingest.py data/ ../shared/corpus/local_gov_docs_2025/docs
    python bench/bench_ingest.py data/ --model fake --limit 1 --sample 20     # smoke test
Writes bench/out/ingest.json (or --out).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import default_out, peak_rss_kb, write_result


def select_files(paths: list[str], limit: int | None) -> list[Path]:
    """The files ingest would read under `paths`, sorted; only the first `limit` of them if given."""
    from pipeline.store.ingest import IngestReport, find_files

    files = sorted(p for _, p in find_files(paths, IngestReport()))
    return files[:limit] if limit else files


def raw_embedder(files: list[Path], model: str, sample: int, seed: int) -> dict:
    """(a): the embedder alone on a sample of the texts ingest would embed."""
    from pipeline.embed import load_embedder
    from pipeline.readers import ReadError, read_document
    from pipeline.store.ingest import prepare_chunks

    t = time.perf_counter()
    embedder = load_embedder(model)
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    texts, unreadable = [], 0
    for f in files:
        try:
            doc = read_document(f)
        except (ReadError, OSError):
            unreadable += 1
            continue
        texts.extend(c.embed_text(doc.meta.title) for c in prepare_chunks(doc))
    prepare_s = time.perf_counter() - t
    picked = random.Random(seed).sample(texts, min(sample, len(texts)))
    embedder.embed_passages(picked[:1])  # first call pays one-off setup; not part of throughput
    tokens = embedder.count_tokens(picked)
    t = time.perf_counter()
    embedder.embed_passages(picked)
    embed_s = time.perf_counter() - t
    return {
        "model_load_seconds": round(load_s, 3),
        "files": len(files), "unreadable": unreadable, "texts": len(texts),
        "read_and_chunk_seconds": round(prepare_s, 3),
        "sample": len(picked), "sample_tokens": tokens, "embed_seconds": round(embed_s, 3),
        "tokens_per_s": round(tokens / embed_s, 1) if embed_s else None,
        "texts_per_s": round(len(picked) / embed_s, 2) if embed_s else None,
    }


def phase_ingest(files: list[str], model: str, index: str) -> None:
    """Child process for (b) and (c): one ingest, printed as one JSON line."""
    from pipeline.embed import load_embedder
    from pipeline.store.ingest import ingest

    t = time.perf_counter()
    embedder = load_embedder(model)
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    r = ingest(files, embedder, root=index)
    total = time.perf_counter() - t
    print(json.dumps({
        "model_load_seconds": round(load_s, 3), "seconds": round(total, 3),
        "documents": r.ingested, "unchanged": len(r.unchanged), "errors": r.errors,
        "chunks_embedded": r.chunks_embedded, "chunks_reused": r.chunks_reused,
        "tokens_embedded": r.tokens_embedded, "seconds_embedding": round(r.seconds_embedding, 3),
        "written": r.written, "peak_rss_kb": peak_rss_kb(),
    }))


def run_ingest_child(paths: list[str], model: str, index: str) -> dict:
    cmd = [sys.executable, __file__, "--phase", "ingest", "--model", model, "--index", index, *paths]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit(f"error: ingest child exited {p.returncode}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="+", help="files or folders, as for `tracuu ingest`")
    ap.add_argument("--model", default="e5-small", help="embedder (default e5-small; `fake` for smoke tests)")
    ap.add_argument("--limit", type=int, help="only the first N files, sorted by path")
    ap.add_argument("--sample", type=int, default=200, help="texts for the raw embedder (default 200)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the raw sample (default 0)")
    ap.add_argument("--keep-index", action="store_true", help="keep the temp index; print its path")
    ap.add_argument("--out", default=default_out("ingest"), help="default bench/out/ingest.json")
    ap.add_argument("--phase", choices=["all", "ingest"], default="all", help=argparse.SUPPRESS)
    ap.add_argument("--index", help=argparse.SUPPRESS)  # for --phase ingest
    args = ap.parse_args()
    if args.phase == "ingest":
        phase_ingest(args.paths, args.model, args.index)
        return

    files = select_files(args.paths, args.limit)
    if not files:
        sys.exit("error: no files to ingest under " + " ".join(args.paths))
    paths = [str(f) for f in files] if args.limit else args.paths  # the same document names either way
    index = tempfile.mkdtemp(prefix="tracuu-bench-ingest-")
    try:
        first = run_ingest_child(paths, args.model, index)
        child_peak = peak_rss_kb(resource.RUSAGE_CHILDREN)  # only the first child has ended so far
        again = run_ingest_child(paths, args.model, index)
    finally:
        if not args.keep_index:
            shutil.rmtree(index, ignore_errors=True)
    raw = raw_embedder(files, args.model, args.sample, args.seed)

    chunks = first["chunks_embedded"] + first["chunks_reused"]
    total, emb = first["seconds"], first["seconds_embedding"]
    result = {
        "model": args.model, "paths": args.paths, "files": len(files), "raw": raw,
        "first_ingest": first, "re_ingest": again,
        "summary": {
            "chunks": chunks,
            "first_ingest_seconds": total,
            "chunks_per_s": round(chunks / total, 2) if total else None,
            "embed_tokens_per_s": round(first["tokens_embedded"] / emb, 1) if emb else None,
            "raw_tokens_per_s": raw["tokens_per_s"],
            "share_outside_embedding": round(1 - emb / total, 3) if total else None,
            "re_ingest_seconds": again["seconds"],
            "re_ingest_ratio": round(again["seconds"] / total, 3) if total else None,
            "first_ingest_peak_rss_kb": child_peak,
        },
    }
    s = result["summary"]
    print(f"files {len(files)}  chunks {chunks}  model {args.model}")
    print(f"raw embedder     {raw['tokens_per_s']} tokens/s on {raw['sample']} texts "
          f"({raw['sample_tokens']} tokens in {raw['embed_seconds']:.2f} s); "
          f"read+chunk all files {raw['read_and_chunk_seconds']:.2f} s")
    print(f"first ingest     {total:.2f} s  {s['chunks_per_s']} chunks/s  {s['embed_tokens_per_s']} tokens/s "
          f"embedding  {s['share_outside_embedding']:.0%} of the time outside embedding")
    print(f"re-ingest        {again['seconds']:.2f} s  = {s['re_ingest_ratio']:.1%} of the first "
          f"({again['unchanged']} unchanged, written={again['written']})")
    print(f"peak RSS, first ingest process: {child_peak / 1024:.0f} MB")
    if args.keep_index:
        print(f"index kept at {index}")
    print(f"wrote {write_result(args.out, result)}")


if __name__ == "__main__":
    main()
