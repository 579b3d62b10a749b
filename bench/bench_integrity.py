"""What the checksums cost at open: size checks, sha256 of every file, and the load itself, on the seed index
(fake embedder) and on a synthetic generation the size of the realistic index (11,500 chunks × 384 dims, the
seed's chunks repeated, random vectors).

    python bench/bench_integrity.py                  # JSON in bench/out/integrity.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from pipeline.embed import FakeEmbedder  # noqa: E402
from pipeline.readers import read_document  # noqa: E402
from pipeline.store import integrity  # noqa: E402
from pipeline.store.ingest import derive, ingest, prepare_chunks  # noqa: E402
from pipeline.store.layout import current_generation  # noqa: E402
from pipeline.store.reader import IndexData  # noqa: E402
from pipeline.store.writer import write_generation  # noqa: E402
from pipeline.types import DocRecord  # noqa: E402

SEED = ROOT / "data" / "bao-cao-ktxh-2022-tp-ha-tinh.txt"


def timings(root: Path, repeats: int = 5) -> dict:
    gen = current_generation(root)
    files = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))["files"]
    sizes, hashes, loads = [], [], []
    for _ in range(repeats):
        integrity._verified.clear()
        t = time.perf_counter()
        integrity.problems(gen, files, hashes=False)
        sizes.append(time.perf_counter() - t)
        t = time.perf_counter()
        integrity.problems(gen, files, hashes=True)
        hashes.append(time.perf_counter() - t)
        t = time.perf_counter()
        IndexData(gen)  # hashes already verified in this process: the load alone
        loads.append(time.perf_counter() - t)
    return {"files": len(files), "mb": round(sum(f["size"] for f in files.values()) / 1e6, 1),
            "sizes_ms": round(statistics.median(sizes) * 1000, 2),
            "sha256_ms": round(statistics.median(hashes) * 1000, 1),
            "load_without_hashing_ms": round(statistics.median(loads) * 1000, 1)}


def synthetic(root: Path, n: int, dim: int) -> None:
    doc = read_document(SEED)
    base = prepare_chunks(doc)
    chunks = [replace(base[i % len(base)], chunk_id=f"{base[i % len(base)].chunk_id}~{i}", doc=f"d{i % 235}")
              for i in range(n)]
    docs = [DocRecord(f"d{j}", "x", "h", doc.meta, 1) for j in range(235)]
    vectors = np.random.default_rng(0).standard_normal((n, dim)).astype(np.float32)
    derived = derive(docs, chunks, [c.text for c in chunks], vectors, lambda names: None)
    write_generation(root, derived, "fake")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chunks", type=int, default=11_500)
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--out")
    args = ap.parse_args()
    from bench.common import default_out, write_result

    with tempfile.TemporaryDirectory() as tmp:
        seed = Path(tmp) / "seed"
        ingest([SEED, ROOT / "tests" / "data" / "qd-97-2025-ubnd.md"], FakeEmbedder(), root=seed)
        big = Path(tmp) / "big"
        synthetic(big, args.chunks, args.dim)
        result = {"seed_fake": timings(seed), f"synthetic_{args.chunks}x{args.dim}": timings(big)}
    write_result(args.out or default_out("integrity"), result)
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
