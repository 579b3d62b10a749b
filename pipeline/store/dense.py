"""The dense index of a generation (``dense.faiss``): one L2-normalised float32 vector per chunk, searched by inner
product. Up to a number of rows it is exact (FAISS ``IndexFlatIP``); above, an HNSW graph
(``IndexHNSWFlat``) whose efSearch is chosen when it is built, by measuring its recall@10 against exact search
on a sample of queries and raising efSearch until it reaches 0.98; when no efSearch does, the index stays exact.
What was built, and why, is recorded in the manifest under ``"dense"`` (`DenseRecord`); a manifest without
the key (written before) is an exact index.

A filtered search (``--doc``, ``--year``, a collection's view) stays exact when it allows few rows: those rows
are scanned in the HNSW index's own flat storage (no second copy of the vectors); when it allows many, the graph
is searched with the filter and an efSearch widened by the share of rows it leaves out. A search for more rows
than the efSearch is given an efSearch of that many.

Measured in bench/bench_ann.py (docs/benchmarks.md).
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from typing import Any

import numpy as np

from pipeline.settings import DEFAULT_DENSE_FLAT_ROWS, DenseChoice, Settings

TARGET_RECALL = 0.98  # recall@10 against exact search that an HNSW index must reach on its sample
RECALL_K = 10
# the graph: on 100,000 synthetic vectors shaped like seed + 235's (bench_ann.py), the sample reached its recall at
# efSearch 2048 with M=16, efConstruction 80; 1536 with M=32; 1024 with M=32, efConstruction 160 (each built in
# 32-42 s on a busy machine)
HNSW_M = 32  # neighbours per node (64 on the bottom layer): ~270 bytes of links per vector beside its 1,536
EF_CONSTRUCTION = 160
# tried in turn, the first reaching the target wins (one query at efSearch 2048 over 1M rows: a few ms)
EF_LADDER = (16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048)
SAMPLE = 500  # queries the recall is measured on
# a sample query is a stored vector moved by Gaussian noise of this norm (its cosine to that vector ~0.55), then
# normalised. A query near a stored vector is easy for the graph: at 0.5 (cosine ~0.89) the sample reached 0.98
# at efSearch 16 where the e5 questions of seed + 235 needed 128; at 1.5 its recall lies at or below theirs at
# every efSearch, and below that of held-out queries on synthetic data and of the fake embedder's (bench_ann.py)
SAMPLE_NOISE = 1.5
SEED = 15
EF_MAX = 8192  # the widest efSearch a search is given
# a filter allowing at most this many rows (in an exact index, a quarter of it at most) has their vectors scored
# alone: at 125k rows a scan with a selector took 22 ms, 2,000 gathered rows well under 1 ms
GATHER_ROWS = 20_000


class DenseKind(StrEnum):
    """The kind of FAISS index in ``dense.faiss``."""

    FLAT = "flat"  # IndexFlatIP: exact
    HNSW = "hnsw"  # IndexHNSWFlat: approximate, the vectors kept in its flat storage


@dataclass(frozen=True)
class DenseRecord:
    """What ``dense.faiss`` holds and why: the manifest's ``"dense"`` entry."""

    kind: DenseKind
    rows: int  # vectors in the index
    choice: DenseChoice = DenseChoice.AUTO  # what the ingest was asked for (TRACUU_DENSE)
    flat_rows: int = DEFAULT_DENSE_FLAT_ROWS  # `DenseChoice.AUTO` keeps an index of up to this many rows exact
    reason: str = ""  # why this kind, in a few words
    m: int | None = None  # HNSW neighbours per node
    ef_construction: int | None = None
    ef_search: int | None = None  # set on the index when it is read
    recall_at_10: float | None = None  # measured against exact search on `sample` queries at `ef_search`
    recall_low: float | None = None  # the same less two standard errors: it must reach `target`
    sample: int = 0  # queries the recall was measured on
    target: float = TARGET_RECALL
    seconds: float = 0.0  # building the index and measuring it

    def to_json(self) -> dict:
        """The manifest entry (plain JSON types; unset HNSW fields left out)."""
        out = {k: v for k, v in asdict(self).items() if v is not None}
        return {**out, "kind": self.kind.value, "choice": self.choice.value}

    @classmethod
    def from_manifest(cls, manifest: dict) -> DenseRecord:
        """The record in `manifest`; an exact index when it has none (an index written before it was kept).

        >>> DenseRecord.from_manifest({"counts": {"chunks": 12}}).kind
        <DenseKind.FLAT: 'flat'>
        """
        entry = manifest.get("dense")
        if not isinstance(entry, dict):
            return cls(DenseKind.FLAT, int(manifest.get("counts", {}).get("chunks", 0)), reason="written before")
        fields = {k: v for k, v in entry.items() if k in cls.__dataclass_fields__}
        return cls(**{**fields, "kind": DenseKind(entry["kind"]), "choice": DenseChoice(entry.get("choice", "auto"))})


@dataclass(frozen=True)
class DensePlan:
    """What an ingest is asked to build: the `DenseChoice` and, for `DenseChoice.AUTO`, the size kept exact."""

    choice: DenseChoice = DenseChoice.AUTO
    flat_rows: int = DEFAULT_DENSE_FLAT_ROWS

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> DensePlan:
        """The plan ``TRACUU_DENSE`` and ``TRACUU_DENSE_FLAT_ROWS`` say (`settings`, default the environment's)."""
        s = settings or Settings.from_env()
        return cls(s.dense, s.dense_flat_rows)


@dataclass(frozen=True)
class BuiltDense:
    """A dense index built for a generation, with its manifest record."""

    index: Any  # faiss.Index
    record: DenseRecord


def build_dense(vectors: np.ndarray, plan: DensePlan | None = None) -> BuiltDense:
    """The dense index of `vectors` (one row each, L2-normalised) that `plan` asks for (default: the
    environment's): exact up to `DensePlan.flat_rows` rows; above, HNSW with the smallest efSearch of `EF_LADDER`
    whose recall@10 on `SAMPLE` queries, less two standard errors, reaches `TARGET_RECALL`; exact again when
    none does. Forced HNSW keeps the graph whatever it reaches."""
    plan = plan or DensePlan.from_settings()
    t0 = time.perf_counter()
    x = np.ascontiguousarray(vectors, dtype=np.float32)
    n = len(x)
    base = DenseRecord(DenseKind.FLAT, n, plan.choice, plan.flat_rows)
    if plan.choice is DenseChoice.FLAT or n == 0 or (plan.choice is DenseChoice.AUTO and n <= plan.flat_rows):
        why = "asked" if plan.choice is DenseChoice.FLAT else f"{n} rows ≤ {plan.flat_rows}"
        return BuiltDense(_flat(x), replace(base, reason=why, seconds=_since(t0)))
    graph = _hnsw(x, HNSW_M, EF_CONSTRUCTION)
    queries = sample_queries(x, SAMPLE, SAMPLE_NOISE, SEED)
    truth = exact_search(graph, queries, RECALL_K)
    measured = choose_ef(graph, queries, truth)
    tried = replace(base, m=HNSW_M, ef_construction=EF_CONSTRUCTION, ef_search=measured.ef_search,
                    recall_at_10=round(measured.recall, 4), recall_low=round(measured.low, 4), sample=len(queries))
    if measured.reached or plan.choice is DenseChoice.HNSW:
        why = "asked" if plan.choice is DenseChoice.HNSW else f"{n} rows > {plan.flat_rows}"
        return BuiltDense(graph, replace(tried, kind=DenseKind.HNSW, reason=why, seconds=_since(t0)))
    why = f"hnsw recall@10 {measured.low:.4f} (low) < {TARGET_RECALL} at efSearch {measured.ef_search}"
    return BuiltDense(_flat(x), replace(tried, reason=why, seconds=_since(t0)))


def _since(t0: float) -> float:
    return round(time.perf_counter() - t0, 3)


def _faiss():
    try:
        import faiss
    except ImportError as e:  # a dependency of the package: only a broken install lacks it
        raise ImportError("the dense index needs faiss — install it with `pip install faiss-cpu`") from e
    return faiss


def _flat(x: np.ndarray):
    index = _faiss().IndexFlatIP(x.shape[1] if x.ndim == 2 and x.shape[1] else 1)
    if len(x):
        index.add(x)
    return index


def _hnsw(x: np.ndarray, m: int, ef_construction: int):
    faiss = _faiss()
    index = faiss.IndexHNSWFlat(x.shape[1], m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = ef_construction
    index.add(x)
    return index


def sample_queries(vectors: np.ndarray, size: int, noise: float, seed: int) -> np.ndarray:
    """`size` queries (fewer when there are fewer rows) near distinct rows of `vectors`: each row moved by Gaussian
    noise of norm about `noise`, then L2-normalised; the same rows and noise for the same `seed`."""
    rng = np.random.default_rng(seed)
    n, d = vectors.shape
    rows = rng.choice(n, size=min(size, n), replace=False)
    q = vectors[rows] + rng.standard_normal((len(rows), d)).astype(np.float32) * np.float32(noise / math.sqrt(d))
    return np.ascontiguousarray(q / np.linalg.norm(q, axis=1, keepdims=True), dtype=np.float32)


def exact_search(index: Any, queries: np.ndarray, k: int) -> np.ndarray:
    """The exact top `k` rows of each query (one row of ids each), searched in the flat vectors of `index`."""
    _, ids = _exact(index).search(queries, min(k, index.ntotal))
    return ids


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    """The mean share of each query's true top rows (`truth`, one row of ids per query, -1 for none) that `found`
    holds.

    >>> round(recall(np.array([[1, 2, 3], [4, 5, 6]]), np.array([[1, 2, 9], [4, 5, 6]])), 4)
    0.8333
    """
    return float(np.mean(_shares(found, truth))) if len(truth) else 1.0


def _shares(found: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Each query's share of its true top rows found."""
    out = []
    for f, t in zip(found, truth, strict=True):
        true = set(t[t >= 0].tolist())
        out.append(len(set(f.tolist()) & true) / len(true) if true else 1.0)
    return np.array(out, dtype=np.float64)


def lower_bound(shares: np.ndarray) -> float:
    """The mean of the per-query recalls `shares` less two standard errors: the recall the index reaches on
    queries like the sample's with ~97.5% confidence, not just on the sample itself.

    >>> lower_bound(np.array([1.0, 1.0, 1.0, 1.0])), round(lower_bound(np.array([1.0, 0.9] * 50)), 3)
    (1.0, 0.94)
    """
    if len(shares) < 2:
        return float(shares.mean()) if len(shares) else 1.0
    return float(shares.mean() - 2 * shares.std(ddof=1) / math.sqrt(len(shares)))


@dataclass(frozen=True)
class Measured:
    """The recall@10 of an HNSW index at one efSearch, on a sample of queries."""

    ef_search: int
    recall: float  # the mean over the sample
    low: float  # less two standard errors (`lower_bound`)

    @property
    def reached(self) -> bool:
        """Whether the recall reaches `TARGET_RECALL` with ~97.5% confidence."""
        return self.low >= TARGET_RECALL


def choose_ef(index: Any, queries: np.ndarray, truth: np.ndarray) -> Measured:
    """The recall at the first efSearch of `EF_LADDER` at which the HNSW `index` finds `TARGET_RECALL` of `truth`
    (each query's exact top `RECALL_K`) with ~97.5% confidence; at the last efSearch when none does."""
    k = truth.shape[1]
    measured = Measured(0, 1.0, 1.0)
    for ef in EF_LADDER:
        index.hnsw.efSearch = ef
        shares = _shares(index.search(queries, k)[1], truth)
        measured = Measured(ef, float(shares.mean()) if len(shares) else 1.0, lower_bound(shares))
        if measured.reached:
            break
    return measured


def _exact(index: Any):
    """The exact (flat) index holding `index`'s vectors: itself, or an HNSW index's storage."""
    faiss = _faiss()
    return faiss.downcast_index(index.storage) if isinstance(index, faiss.IndexHNSW) else index


class DenseIndex:
    """A loaded ``dense.faiss`` as its `DenseRecord` describes it: the k nearest rows, filtered or not."""

    def __init__(self, index: Any, record: DenseRecord) -> None:
        faiss = _faiss()
        is_hnsw = isinstance(index, faiss.IndexHNSW)
        if is_hnsw != (record.kind is DenseKind.HNSW):
            raise ValueError(f"dense.faiss is a {type(index).__name__}, the manifest says {record.kind.value}")
        if is_hnsw and record.ef_search:
            index.hnsw.efSearch = int(record.ef_search)
        self.index, self.record = index, record
        # a filter allowing at most this many rows is searched exactly (their vectors scored alone); above it a
        # graph is searched at an efSearch widened by the share allowed (`ef_for`)
        self.exact_rows = GATHER_ROWS

    def search(self, vector: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The `k` rows nearest `vector` by inner product, best first, only `allowed` rows (a boolean mask over
        rows) when given."""
        faiss = _faiss()
        n = self.index.ntotal
        if n == 0:
            return []
        q = np.asarray(vector, dtype=np.float32).reshape(1, -1)
        mask = None if allowed is None else np.asarray(allowed, dtype=bool)
        count = n if mask is None else int(mask.sum())
        if count == 0:
            return []
        k = min(k, n)
        if mask is None:
            return _pairs(*self._graph(q, k, None, 1.0))
        if count <= self.exact_rows and (self.record.kind is DenseKind.HNSW or count * 4 <= n):
            return _gathered(_exact(self.index), q[0], np.flatnonzero(mask), k)  # not all n rows scanned
        bits = np.packbits(mask, bitorder="little")  # kept alive while the selector reads it
        sel = faiss.IDSelectorBitmap(n, faiss.swig_ptr(bits))
        if self.record.kind is DenseKind.FLAT:
            params = faiss.SearchParameters(sel=sel)  # type: ignore[call-arg]  # SWIG kwargs
            return _pairs(*_exact(self.index).search(q, k, params=params))
        return _pairs(*self._graph(q, k, sel, count / n))

    def _graph(self, q: np.ndarray, k: int, sel: Any, share: float) -> tuple[np.ndarray, np.ndarray]:
        """The index searched as it is (exact), or the graph at the efSearch `k` and the `share` of rows `sel`
        allows call for (`ef_for`)."""
        if self.record.kind is DenseKind.FLAT:
            return self.index.search(q, k)
        faiss = _faiss()
        ef = ef_for(int(self.index.hnsw.efSearch), k, share)
        params = faiss.SearchParametersHNSW(sel=sel, efSearch=ef)  # type: ignore[call-arg]  # SWIG kwargs
        return self.index.search(q, k, params=params)


def _gathered(flat: Any, q: np.ndarray, rows: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Exact search among `rows` only: their vectors read back from the flat storage and scored by inner product,
    the `k` best first (ties: the lower row first, as FAISS orders them)."""
    scores = flat.reconstruct_batch(rows.astype(np.int64)) @ q
    top = np.lexsort((rows, -scores))[:k]
    return [(int(rows[i]), float(scores[i])) for i in top]


def _pairs(scores: np.ndarray, rows: np.ndarray) -> list[tuple[int, float]]:
    """(row, score) of one query's results, best first, without FAISS's -1 padding."""
    return [(int(r), float(s)) for s, r in zip(scores[0], rows[0], strict=True) if r >= 0]


def ef_for(ef: int, k: int, share: float = 1.0) -> int:
    """The efSearch of a graph search for `k` rows among a `share` of them, from the `ef` that reached the recall
    for `RECALL_K` rows unfiltered: at least `k` (FAISS does not raise efSearch to `k` itself: at efSearch 16 a
    search for 50 rows found 92% of them), divided by the share, so as many allowed rows are met; at most
    `EF_MAX`; at the efSearch chosen, a search for 50 rows finds 99.3-99.5% of them (bench_ann.py).

    >>> ef_for(64, 10), ef_for(16, 50), ef_for(64, 50, 0.25), ef_for(64, 50, 0.001)
    (64, 50, 256, 8192)
    """
    return min(EF_MAX, math.ceil(max(ef, k) / max(share, 1e-9)))
