"""What the environment says, read in one place: the ``TRACUU_*`` variables of the query and store side, and the
thread setup for serving queries.

- ``TRACUU_INDEX``          the index folder (default ``./index``); ``--index`` overrides it
- ``TRACUU_MODEL``          the embedder of an index created from the app (an existing index keeps its own)
- ``TRACUU_MAX_UPLOAD_MB``  the size limit of one uploaded file, in megabytes (default 50; a value that is not a
  positive finite number is ignored)
- ``TRACUU_PARSE_SECONDS``  how long reading one file may take during an ingest before it is stopped and named
  (default 120; 0 reads in the ingest's own process, without a time or memory budget)
- ``TRACUU_PARSE_MB``       the memory reading one file may take beyond what the ingest already holds (default 2048)

(The readers read their own ``TRACUU_MAX_FILE_MB``, see ``pipeline/readers/safety.py``.)
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ENV_INDEX = "TRACUU_INDEX"
ENV_MODEL = "TRACUU_MODEL"
ENV_MAX_UPLOAD_MB = "TRACUU_MAX_UPLOAD_MB"
DEFAULT_INDEX = "index"
DEFAULT_MODEL = "e5-small"  # the bundled embedder (pipeline.embed re-exports it)
DEFAULT_MAX_UPLOAD_MB = 50.0
# the per-file reading budget of an ingest (pipeline/readers/worker.py); each corpus file reads and chunks in
# about a second and under 150 MB in all
ENV_PARSE_SECONDS = "TRACUU_PARSE_SECONDS"
ENV_PARSE_MB = "TRACUU_PARSE_MB"
DEFAULT_PARSE_SECONDS = 120.0
DEFAULT_PARSE_MB = 2048.0


@dataclass(frozen=True)
class Settings:
    """The environment's settings, read once by `from_env`."""

    index: Path = Path(DEFAULT_INDEX)  # the index folder when no --index is given
    model: str = DEFAULT_MODEL  # the embedder of a new index created from the app
    max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB  # the size limit of one uploaded file
    parse_seconds: float = DEFAULT_PARSE_SECONDS  # reading one file during an ingest, at most (0: no budget)
    parse_mb: float = DEFAULT_PARSE_MB  # memory for reading one file, beyond what the ingest holds

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """The settings in `env` (default: ``os.environ``); an unset or empty variable keeps its default.

        >>> Settings.from_env({"TRACUU_INDEX": "/srv/index", "TRACUU_MAX_UPLOAD_MB": "nhiều"})
        Settings(index=PosixPath('/srv/index'), model='e5-small', max_upload_mb=50.0, parse_seconds=120.0, \
parse_mb=2048.0)
        """
        env = os.environ if env is None else env
        return cls(index=Path(env.get(ENV_INDEX) or DEFAULT_INDEX),
                   model=env.get(ENV_MODEL) or DEFAULT_MODEL,
                   max_upload_mb=_megabytes(env.get(ENV_MAX_UPLOAD_MB, ""), DEFAULT_MAX_UPLOAD_MB),
                   parse_seconds=_megabytes(env.get(ENV_PARSE_SECONDS, ""), DEFAULT_PARSE_SECONDS),
                   parse_mb=_megabytes(env.get(ENV_PARSE_MB, ""), DEFAULT_PARSE_MB))

    @property
    def max_upload_bytes(self) -> int:
        """The upload limit in bytes."""
        return int(self.max_upload_mb * 1024 * 1024)


def _megabytes(raw: str, default: float) -> float:
    """`raw` as a number of megabytes; `default` when it is not a non-negative finite number."""
    try:
        mb = float(raw) if raw.strip() else default
    except ValueError:
        return default
    return mb if math.isfinite(mb) and mb >= 0 else default


def serve_queries_single_threaded() -> None:
    """One OpenMP thread per library when serving queries (2 cores: the embedder, FAISS and BM25 would otherwise
    fight over them). Call it before any engine loads: the embedders read ``OMP_NUM_THREADS`` once, when they
    load (a value already set is kept); FAISS is told directly."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import faiss

    faiss.omp_set_num_threads(1)
