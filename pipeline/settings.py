"""What the environment says, read in one place: the ``TRACUU_*`` variables of the query and store side, and the
thread setup for serving queries.

- ``TRACUU_INDEX``          the index folder (default ``./index``); ``--index`` overrides it
- ``TRACUU_MODEL``          the embedder of an index created from the app (an existing index keeps its own)
- ``TRACUU_MAX_UPLOAD_MB``  the size limit of one uploaded file, in megabytes (default 50, from 0.001 to 4096)
- ``TRACUU_MAX_QUESTION_CHARS`` the longest question answered, in characters (default 1000, from 10 to 100000)
- ``TRACUU_PARSE_SECONDS``  how long reading one file may take during an ingest before it is stopped and named
  (default 120; 0 reads in the ingest's own process, without a time or memory budget)
- ``TRACUU_PARSE_MB``       the memory reading one file may take beyond what the ingest already holds (default 2048)
- ``TRACUU_CHECKPOINT_SECONDS`` how often an ingest makes the vectors embedded so far live (a vectors-only
  generation; what a killed ingest resumes from): every so many seconds (default 60, from 1 to 86400), but never
  sooner than 20 times what the last one took to write
- ``TRACUU_CHECKPOINT_CHUNKS`` also every so many chunks embedded (default 0: by time only; from 0 to 10**9)
- ``TRACUU_DENSE``          the dense index an ingest writes: ``auto`` (default: exact below
  ``TRACUU_DENSE_FLAT_ROWS`` chunks, HNSW above when it reaches its recall), ``flat`` or ``hnsw`` (forced; see
  pipeline/store/dense.py)
- ``TRACUU_DENSE_FLAT_ROWS`` the most chunks ``auto`` keeps exact (default 100000, from 0 to 1000000000)

A shared server (`tracuu serve`) also reads:

- ``TRACUU_AUTH``           ``1``: the app asks for a login and shows each account its collections only (`tracuu
  serve` sets it for the app it starts; unset, the app is the local single-user one of `make run`)
- ``TRACUU_SESSION_MINUTES`` how long a login lasts without use (default 60, from 1 to 10080)
- ``TRACUU_RATE_PER_MINUTE`` API requests one token may make a minute (default 300, from 1 to 100000)
- ``TRACUU_PROXY``          the address of the reverse proxy tracuu sits behind (e.g. ``127.0.0.1``): the client
  address it forwards (X-Forwarded-For) is trusted from there only, and so is `TRACUU_TRUSTED_HEADER`
- ``TRACUU_TRUSTED_HEADER`` single sign-on: the header the proxy sets to the logged-in account name (e.g.
  ``X-Remote-User``); off unless set, and read only on requests from ``TRACUU_PROXY``

(The readers read their own ``TRACUU_MAX_FILE_MB``, see ``pipeline/readers/safety.py``; its range, from 0.001
to 4096, is checked here too.) A value out of its range is ignored by `Settings.from_env` (the default
holds) and refused, naming the variable and the range, by ``Settings.from_env(strict=True)``, which the CLI
calls before it does anything.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

ENV_INDEX = "TRACUU_INDEX"
ENV_MODEL = "TRACUU_MODEL"
ENV_MAX_UPLOAD_MB = "TRACUU_MAX_UPLOAD_MB"
ENV_MAX_QUESTION_CHARS = "TRACUU_MAX_QUESTION_CHARS"
ENV_MAX_FILE_MB = "TRACUU_MAX_FILE_MB"  # read by pipeline/readers/safety.py; only its range is checked here
DEFAULT_INDEX = "index"
DEFAULT_MODEL = "e5-small"  # the bundled embedder (pipeline.embed re-exports it)
DEFAULT_MAX_UPLOAD_MB = 50.0
DEFAULT_MAX_QUESTION_CHARS = 1000  # the longest question of the shared eval set has ~150 characters
# the per-file reading budget of an ingest (pipeline/readers/worker.py); each corpus file reads and chunks in
# about a second and under 150 MB in all
ENV_PARSE_SECONDS = "TRACUU_PARSE_SECONDS"
ENV_PARSE_MB = "TRACUU_PARSE_MB"
DEFAULT_PARSE_SECONDS = 120.0
DEFAULT_PARSE_MB = 2048.0
# how often the vectors of an ingest are made live as it embeds (pipeline/store/ingest.py)
ENV_CHECKPOINT_SECONDS = "TRACUU_CHECKPOINT_SECONDS"
ENV_CHECKPOINT_CHUNKS = "TRACUU_CHECKPOINT_CHUNKS"
DEFAULT_CHECKPOINT_SECONDS = 60.0
DEFAULT_CHECKPOINT_CHUNKS = 0
ENV_AUTH = "TRACUU_AUTH"
ENV_SESSION_MINUTES = "TRACUU_SESSION_MINUTES"
ENV_RATE_PER_MINUTE = "TRACUU_RATE_PER_MINUTE"
ENV_PROXY = "TRACUU_PROXY"
ENV_TRUSTED_HEADER = "TRACUU_TRUSTED_HEADER"
DEFAULT_SESSION_MINUTES = 60.0
ENV_DENSE = "TRACUU_DENSE"
ENV_DENSE_FLAT_ROWS = "TRACUU_DENSE_FLAT_ROWS"
# one exact query over 100,000 e5-small vectors takes ~7 ms on one core, over 1,000,000 ~90 ms: above it an ask
# (p50 ≤ 150 ms) needs the approximate index (bench/bench_ann.py)
DEFAULT_DENSE_FLAT_ROWS = 100_000
DEFAULT_RATE_PER_MINUTE = 300.0
# each numeric variable's accepted values, from the first to the second
RANGES: dict[str, tuple[float, float]] = {ENV_MAX_UPLOAD_MB: (0.001, 4096), ENV_MAX_FILE_MB: (0.001, 4096),
                                          ENV_MAX_QUESTION_CHARS: (10, 100_000), ENV_PARSE_SECONDS: (0, 86_400),
                                          ENV_PARSE_MB: (64, 1_048_576), ENV_SESSION_MINUTES: (1, 10_080),
                                          ENV_RATE_PER_MINUTE: (1, 100_000), ENV_CHECKPOINT_SECONDS: (1, 86_400),
                                          ENV_CHECKPOINT_CHUNKS: (0, 1e9), ENV_DENSE_FLAT_ROWS: (0, 1e9)}


class DenseChoice(StrEnum):
    """Which dense index an ingest writes (``TRACUU_DENSE``)."""

    AUTO = "auto"  # exact up to `Settings.dense_flat_rows` chunks, HNSW above when it reaches its recall, else exact
    FLAT = "flat"  # always exact (FAISS IndexFlatIP)
    HNSW = "hnsw"  # always HNSW, whatever the size (to measure its quality on a small corpus)


class SettingError(ValueError):
    """A ``TRACUU_*`` variable whose value is not a number in its range; the message names both."""


@dataclass(frozen=True)
class Settings:
    """The environment's settings, read once by `from_env`."""

    index: Path = Path(DEFAULT_INDEX)  # the index folder when no --index is given
    model: str = DEFAULT_MODEL  # the embedder of a new index created from the app
    max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB  # the size limit of one uploaded file
    max_question_chars: int = DEFAULT_MAX_QUESTION_CHARS  # a longer question is refused (Answerer.ask)
    parse_seconds: float = DEFAULT_PARSE_SECONDS  # reading one file during an ingest, at most (0: no budget)
    parse_mb: float = DEFAULT_PARSE_MB  # memory for reading one file, beyond what the ingest holds
    checkpoint_seconds: float = DEFAULT_CHECKPOINT_SECONDS  # vectors made live at least this often while embedding
    checkpoint_chunks: int = DEFAULT_CHECKPOINT_CHUNKS  # … and every so many chunks embedded (0: by time only)
    auth: bool = False  # the app asks for a login (a shared server)
    session_minutes: float = DEFAULT_SESSION_MINUTES  # a login lasts this long without use
    rate_per_minute: float = DEFAULT_RATE_PER_MINUTE  # API requests per token and minute
    proxy: str = ""  # the reverse proxy's address ("": none)
    trusted_header: str = ""  # the proxy's header naming the logged-in account ("": single sign-on off)
    dense: DenseChoice = DenseChoice.AUTO  # the dense index an ingest writes
    dense_flat_rows: int = DEFAULT_DENSE_FLAT_ROWS  # `DenseChoice.AUTO` keeps this many chunks exact, at most

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, strict: bool = False) -> Settings:
        """The settings in `env` (default: ``os.environ``); an unset or empty variable keeps its default, and so
        does a number out of its range unless `strict`, which raises `SettingError` instead.

        >>> Settings.from_env({"TRACUU_INDEX": "/srv/index", "TRACUU_MAX_UPLOAD_MB": "nhiều"})
        Settings(index=PosixPath('/srv/index'), model='e5-small', max_upload_mb=50.0, max_question_chars=1000, \
parse_seconds=120.0, parse_mb=2048.0, checkpoint_seconds=60.0, checkpoint_chunks=0, auth=False, \
session_minutes=60.0, rate_per_minute=300.0, proxy='', trusted_header='', dense=<DenseChoice.AUTO: 'auto'>, \
dense_flat_rows=100000)
        >>> Settings.from_env({"TRACUU_MAX_FILE_MB": "inf"}, strict=True)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        pipeline.settings.SettingError: TRACUU_MAX_FILE_MB='inf' is not a number from 0.001 to 4096 — set it ...
        """
        env = os.environ if env is None else env
        if strict:
            _number(env, ENV_MAX_FILE_MB, 0.0, strict)
        return cls(index=Path(env.get(ENV_INDEX) or DEFAULT_INDEX),
                   model=env.get(ENV_MODEL) or DEFAULT_MODEL,
                   max_upload_mb=_number(env, ENV_MAX_UPLOAD_MB, DEFAULT_MAX_UPLOAD_MB, strict),
                   max_question_chars=int(_number(env, ENV_MAX_QUESTION_CHARS, DEFAULT_MAX_QUESTION_CHARS, strict)),
                   parse_seconds=_number(env, ENV_PARSE_SECONDS, DEFAULT_PARSE_SECONDS, strict),
                   parse_mb=_number(env, ENV_PARSE_MB, DEFAULT_PARSE_MB, strict),
                   checkpoint_seconds=_number(env, ENV_CHECKPOINT_SECONDS, DEFAULT_CHECKPOINT_SECONDS, strict),
                   checkpoint_chunks=int(_number(env, ENV_CHECKPOINT_CHUNKS, DEFAULT_CHECKPOINT_CHUNKS, strict)),
                   auth=env.get(ENV_AUTH, "").strip().lower() in ("1", "true", "yes"),
                   session_minutes=_number(env, ENV_SESSION_MINUTES, DEFAULT_SESSION_MINUTES, strict),
                   rate_per_minute=_number(env, ENV_RATE_PER_MINUTE, DEFAULT_RATE_PER_MINUTE, strict),
                   proxy=env.get(ENV_PROXY, "").strip(),
                   trusted_header=env.get(ENV_TRUSTED_HEADER, "").strip(),
                   dense=_dense_choice(env, strict),
                   dense_flat_rows=int(_number(env, ENV_DENSE_FLAT_ROWS, DEFAULT_DENSE_FLAT_ROWS, strict)))

    @property
    def max_upload_bytes(self) -> int:
        """The upload limit in bytes."""
        return int(self.max_upload_mb * 1024 * 1024)

    def sso_name(self, headers: Mapping[str, str], client: str | None) -> str | None:
        """The account name single sign-on vouches for: the trusted header's value, read only on a request from
        the proxy's address (anyone else could send the header); None when single sign-on is off, the request
        comes from elsewhere, or the header is missing.

        >>> s = Settings(proxy="127.0.0.1", trusted_header="X-Remote-User")
        >>> s.sso_name({"x-remote-user": "lan"}, "127.0.0.1"), s.sso_name({"X-Remote-User": "lan"}, "10.0.0.9")
        ('lan', None)
        """
        if not (self.proxy and self.trusted_header) or client != self.proxy:
            return None
        wanted = self.trusted_header.lower()
        value = next((v for k, v in headers.items() if k.lower() == wanted), "")
        return value.strip() or None


def _number(env: Mapping[str, str], name: str, default: float, strict: bool) -> float:
    """The number variable `name` says, within its `RANGES`; else `default`, or `SettingError` when `strict`."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    low, high = RANGES[name]
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if math.isfinite(value) and low <= value <= high:
        return value
    if strict:
        raise SettingError(f"{name}={raw!r} is not a number from {low:g} to {high:g} — set it in "
                           "that range or unset it (giá trị không hợp lệ)")
    return default


def _dense_choice(env: Mapping[str, str], strict: bool) -> DenseChoice:
    """The `DenseChoice` ``TRACUU_DENSE`` names; `DenseChoice.AUTO` when unset or unknown (`SettingError` when
    unknown and `strict`)."""
    raw = env.get(ENV_DENSE, "").strip().lower()
    try:
        return DenseChoice(raw or DenseChoice.AUTO)
    except ValueError:
        if strict:
            names = ", ".join(c.value for c in DenseChoice)
            raise SettingError(f"{ENV_DENSE}={raw!r} is not one of {names} — set one of them or unset it "
                               "(giá trị không hợp lệ)") from None
        return DenseChoice.AUTO


def serve_queries_single_threaded() -> None:
    """One OpenMP thread per library when serving queries (2 cores: the embedder, FAISS and BM25 would otherwise
    fight over them). Call it before any engine loads: the embedders read ``OMP_NUM_THREADS`` once, when they
    load (a value already set is kept); FAISS is told directly."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import faiss

    faiss.omp_set_num_threads(1)
