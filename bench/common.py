"""Shared by the bench scripts: where results go, and the context recorded with each one.

Results are JSON files in ``bench/out/`` (git-ignored). Each holds the script's numbers plus when, how and
on what machine they were taken, so two runs can be compared later.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import sys
from datetime import UTC, datetime
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
# the read-only shared material (corpus, eval) lies beside the checkout: ../shared
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def shared(*parts: str) -> Path:
    """A path under ``../shared`` (beside this checkout), e.g. ``shared("eval", "dev_qa.jsonl")``."""
    return SHARED.joinpath(*parts)


def default_out(name: str) -> Path:
    """``bench/out/<name>.json``."""
    return OUT / f"{name}.json"


def peak_rss_kb(who: int = resource.RUSAGE_SELF) -> int:
    """Peak resident memory in KB (``ru_maxrss`` is in KB on Linux)."""
    return int(resource.getrusage(who).ru_maxrss)


def write_result(path: str | Path, result: dict) -> Path:
    """Write `result` plus the run's context as pretty JSON; return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    context = {
        "script": Path(sys.argv[0]).name,
        "argv": sys.argv[1:],
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "loadavg": [round(x, 2) for x in os.getloadavg()],  # a busy machine explains noisy numbers
    }
    path.write_text(json.dumps({**result, "context": context}, ensure_ascii=False, indent=2) + "\n",
                    encoding="utf-8")
    return path
