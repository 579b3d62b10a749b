"""How clean() scales with a paragraph of many wrapped lines (moved here from tests/pipeline/text/test_clean.py,
where a wall-clock bound failed on a busy machine): each line is joined once, so 10× the lines take about 10×
the time, not 100×.

    python bench/bench_clean.py            # 2,000 / 20,000 / 200,000 lines → bench/out/clean.json
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import default_out, write_result  # noqa: E402

from pipeline.text.clean import clean  # noqa: E402

LINE = "các cơ quan, đơn vị có liên quan chịu trách nhiệm thi hành quyết định này\n"


def seconds_for(lines: int) -> float:
    text = "QUYẾT ĐỊNH\n" + LINE * lines
    t0 = time.perf_counter()
    paragraphs, _, _ = clean(text)
    dt = time.perf_counter() - t0
    assert len(paragraphs) == 1
    return dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(default_out("clean")))
    args = ap.parse_args()
    sizes = [2_000, 20_000, 200_000]
    took = {n: min(seconds_for(n) for _ in range(3)) for n in sizes}
    ratio = took[sizes[-1]] / max(took[sizes[-2]], 1e-9)
    for n, s in took.items():
        print(f"{n:>8} lines: {s:.3f} s")
    print(f"10× the lines: {ratio:.1f}× the time ({'linear' if ratio < 30 else 'NOT linear'})")
    write_result(args.out, {"seconds": {str(n): round(s, 4) for n, s in took.items()}, "ratio_10x": round(ratio, 2),
                            "linear": ratio < 30})


if __name__ == "__main__":
    main()
