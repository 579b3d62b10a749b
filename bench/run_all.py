"""Run every benchmark in order — ingest, query, ALQAC retrieval, dev set, references, compare — and print
where their JSON results went.

Each script runs as its own process (so one's memory does not colour the next) and writes
bench/out/<name>.json; nothing else is generated. Stops at the first script that fails.

Run:
    python bench/run_all.py --index index                  # the full benchmarks (long: e5 on everything)
    python bench/run_all.py --index /tmp/ix --smoke --model fake   # each script on tiny inputs
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from common import default_out

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", help="index for bench_query (default: $TRACUU_INDEX or ./index)")
    ap.add_argument("--paths", nargs="+", default=["data/"], help="what bench_ingest ingests (default data/)")
    ap.add_argument("--model", default="e5-small", help="embedder for ingest and ALQAC (default e5-small)")
    ap.add_argument("--smoke", action="store_true", help="tiny inputs: 1 file, 1 repeat, 20 ALQAC questions")
    args = ap.parse_args()

    index = ["--index", args.index] if args.index else []
    smoke = {
        "ingest": ["--limit", "1", "--sample", "16"],
        "query": ["--repeat", "1", "--cold-runs", "1"],
        "alqac": ["--limit-queries", "20"],
        "dev": [],
        "refs": ["--repeat", "2"],
        "compare": ["--repeat", "2"],
        "fuzz_readers": ["-n", "200"],
        "integrity": ["--chunks", "2000"],
    }
    runs = {
        "ingest": ["bench_ingest.py", *args.paths, "--model", args.model],
        "query": ["bench_query.py", *index],
        "alqac": ["bench_alqac.py", "--model", args.model],
        "dev": ["bench_dev.py", *index],
        "refs": ["bench_refs.py", *index],
        "compare": ["bench_compare.py", *index],
        "fuzz_readers": ["fuzz_readers.py"],
        "integrity": ["bench_integrity.py"],
    }
    written = []
    for name, (script, *rest) in runs.items():
        out = default_out(name)
        extra = smoke[name] if args.smoke else []
        cmd = [sys.executable, str(HERE / script), *rest, *extra, "--out", str(out)]
        print(f"\n== {name}: {' '.join(cmd[1:])}", flush=True)
        if subprocess.run(cmd).returncode != 0:
            sys.exit(f"error: {script} failed; results so far: {', '.join(map(str, written)) or 'none'}")
        written.append(out)
    print("\nresults:")
    for p in written:
        print(f"  {p}")


if __name__ == "__main__":
    main()
