"""Our own BM25 postings: one immutable segment's inverted index (`Postings`) and BM25 scoring over several
segments with the statistics of all of them together (`Scorer`, `bm25_scores`), so an index split into segments
(one per ingest batch), some of whose rows are deleted, scores exactly like one index built of its live rows.

bm25s stores per-(term, row) scores already multiplied by the idf and normalised by the average length of ONE
collection; a segment here stores only what does not depend on the others: for each term the rows holding it and
how often, and each row's length. The idf and average length are computed at query time over the live rows of
every segment.

The scores are bm25s's default ("lucene", ``BM25()``: k1 1.5, b 0.75), operation for operation, so they agree
with `bm25s.BM25.get_scores` to the last bit:

- idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5)), rounded to float32 (bm25s's ``idf_array``);
- a row's share of t: tf / (k1 · (1 - b + b · len / avgdl) + tf), in float64, times the idf, rounded to float32
  (no (k1 + 1) factor: bm25s's lucene term-frequency component is Robertson's);
- a query's score: those float32 values added in the order of its tokens, a token given twice counted twice, a
  token no live row holds left out.

A segment on disk is a folder of ``.npy`` files (`FILES`), saved without pickle and memory-mapped at load, so
opening one costs a few file headers; a term is found by `np.searchsorted` on the sorted vocabulary.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain, count
from pathlib import Path

import numpy as np

K1 = 1.5  # bm25s's defaults (BM25(k1=1.5, b=0.75, method="lucene"))
B = 0.75
PREFIX = 24  # bytes of each term kept in the fixed-width array searched (longer terms are told apart in full)
# a scorer keeps the float32 scores of the terms held by at least MEMO_DF rows (the costly ones: their arithmetic
# is ~2/3 of a query's time at 100k rows), up to MEMO_POSTINGS (term, row) scores in all, 4 bytes each: at most
# 64 MB, less than bm25s keeps in memory for the folded tokens of 100k chunks (20M scores and their rows)
MEMO_DF = 1024
MEMO_POSTINGS = 16_000_000


@dataclass(frozen=True)
class PostingsFiles:
    """File names inside one segment's folder (every one a ``.npy`` array saved with ``allow_pickle=False``)."""

    prefix: str = "vocab_prefix.npy"  # S24: each term's first `PREFIX` UTF-8 bytes, in the terms' (sorted) order
    terms: str = "vocab_bytes.npy"  # uint8: every term's UTF-8 bytes, one after the other
    offsets: str = "vocab_offsets.npy"  # int64 [n_terms + 1]: term i is terms[offsets[i]:offsets[i + 1]]
    indptr: str = "indptr.npy"  # int64 [n_terms + 1]: term i's postings are rows[indptr[i]:indptr[i + 1]]
    rows: str = "rows.npy"  # int32: the rows holding each term, ascending within a term
    tf: str = "tf.npy"  # uint8/16/32 (the smallest that fits): how often the term occurs in that row
    lengths: str = "lengths.npy"  # int32 [n_rows]: each row's token count


FILES = PostingsFiles()


@dataclass(frozen=True)
class Postings:
    """One segment's inverted index over token lists (row i = the i-th list): a vocabulary sorted by UTF-8 bytes
    (that is, by code point), each term's rows and term frequencies, each row's length."""

    prefix: np.ndarray
    terms: np.ndarray
    offsets: np.ndarray
    indptr: np.ndarray
    rows: np.ndarray
    tf: np.ndarray
    lengths: np.ndarray

    @classmethod
    def build(cls, token_lists: Sequence[Sequence[str]]) -> Postings:
        """The postings of `token_lists` (a chunk's ``words.split()`` each; an empty list is a row of length 0).

        >>> p = Postings.build([["ủy_ban", "tỉnh", "tỉnh"], [], ["tỉnh"]])
        >>> p.n_rows, p.n_terms, p.doc_freq("tỉnh"), p.postings(p.lookup(["tỉnh"])[0])
        (3, 2, 2, (array([0, 2], dtype=int32), array([2, 1], dtype=uint8)))
        """
        n = len(token_lists)
        lengths = np.fromiter(map(len, token_lists), dtype=np.int64, count=n)
        vocab, ids = _term_ids(token_lists, int(lengths.sum()))
        # one key per token, term-major then row (tokens come in row order); runs of equal keys are (term, row, tf)
        keys = ids.astype(np.int64)
        keys *= max(n, 1)
        keys += np.repeat(np.arange(n, dtype=np.int64), lengths)
        keys.sort()
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.zeros(0, np.int64)
        counts = np.diff(np.r_[starts, len(keys)])
        pairs = keys[starts]
        term, row = np.divmod(pairs, max(n, 1))
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(term, minlength=len(vocab)), out=indptr[1:])
        encoded = [t.encode("utf-8") for t in vocab]
        offsets = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(vocab)), out=offsets[1:])
        return cls(
            prefix=np.array([e[:PREFIX] for e in encoded], dtype=f"S{PREFIX}"),
            terms=np.frombuffer(b"".join(encoded), dtype=np.uint8).copy(),
            offsets=offsets,
            indptr=indptr,
            rows=row.astype(np.int32),
            tf=counts.astype(_tf_dtype(int(counts.max(initial=0)))),
            lengths=lengths.astype(np.int32),
        )

    def save(self, folder: str | Path) -> None:
        """The segment written to `folder` (created), one ``.npy`` file per array, without pickle."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        for name, file in _files():
            np.save(out / file, np.ascontiguousarray(getattr(self, name)), allow_pickle=False)

    @classmethod
    def load(cls, folder: str | Path, mmap: bool = True) -> Postings:
        """The segment saved in `folder`, its arrays memory-mapped (read-only) unless `mmap` is False."""
        src = Path(folder)
        return cls(**{name: _load(src / file, mmap) for name, file in _files()})

    @property
    def n_rows(self) -> int:
        """Rows (token lists) in the segment."""
        return len(self.lengths)

    @property
    def n_terms(self) -> int:
        """Distinct terms in the segment."""
        return len(self.offsets) - 1

    def term(self, i: int) -> str:
        """The term of id `i` (its rank in the sorted vocabulary)."""
        return bytes(self.terms[self.offsets[i]:self.offsets[i + 1]]).decode("utf-8")

    def lookup(self, tokens: Sequence[str]) -> np.ndarray:
        """The term id of each of `tokens` (int64), -1 for a token the segment does not hold: a binary search of
        the fixed-width prefixes, then of the full terms among those sharing a prefix (rarely more than one)."""
        encoded = [t.encode("utf-8") for t in tokens]
        keys = np.array([e[:PREFIX] for e in encoded], dtype=f"S{PREFIX}")
        lo = np.searchsorted(self.prefix, keys, side="left")
        hi = np.searchsorted(self.prefix, keys, side="right")
        return np.array([self._find(e, int(a), int(z)) for e, a, z in zip(encoded, lo, hi, strict=True)],
                        dtype=np.int64)

    def _find(self, term: bytes, lo: int, hi: int) -> int:
        """The id of `term` among ids [lo, hi) (sorted), or -1."""
        while lo < hi:
            mid = (lo + hi) // 2
            here = bytes(self.terms[self.offsets[mid]:self.offsets[mid + 1]])
            if here == term:
                return mid
            lo, hi = (mid + 1, hi) if here < term else (lo, mid)
        return -1

    def postings(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        """The rows holding term `term_id` (ascending) and its frequency in each."""
        a, z = int(self.indptr[term_id]), int(self.indptr[term_id + 1])
        return self.rows[a:z], self.tf[a:z]

    def doc_freq(self, term: str, live: np.ndarray | None = None) -> int:
        """How many rows hold `term`, only those `live` (a bool mask over rows, False: deleted) when given."""
        return self.count(int(self.lookup([term])[0]), live)

    def count(self, term_id: int, live: np.ndarray | None = None) -> int:
        """How many rows hold term `term_id` (0 for -1, unknown), only those `live` when given."""
        if term_id < 0:
            return 0
        rows, _ = self.postings(term_id)
        return len(rows) if live is None else int(np.count_nonzero(live[rows]))


def _term_ids(token_lists: Iterable[Sequence[str]], total: int) -> tuple[list[str], np.ndarray]:
    """The sorted vocabulary of `token_lists` (str order = UTF-8 byte order) and each token's rank in it (int32), in
    row order. One pass in C (`map` of `dict.setdefault`: each token's id is the position where it first occurs),
    then a table from those positions to ranks: a second Python pass over every token would cost as much again."""
    dtype: type[np.signedinteger] = np.int32 if total <= np.iinfo(np.int32).max else np.int64
    first: dict[str, int] = {}
    ids = np.fromiter(map(first.setdefault, chain.from_iterable(token_lists), count()), dtype=dtype, count=total)
    vocab = sorted(first)
    rank = np.zeros(total, dtype=dtype)
    rank[np.fromiter((first[t] for t in vocab), dtype=np.int64, count=len(vocab))] = np.arange(len(vocab))
    np.take(rank, ids, out=ids)
    return vocab, ids


def _tf_dtype(most: int) -> type[np.unsignedinteger]:
    """The smallest unsigned integer type holding `most`."""
    for t in (np.uint8, np.uint16, np.uint32):
        if most <= np.iinfo(t).max:
            return t
    return np.uint64


def _files() -> list[tuple[str, str]]:
    """(field of `Postings`, file name) of every array."""
    return [(name, getattr(FILES, name)) for name in PostingsFiles.__dataclass_fields__]


def _load(path: Path, mmap: bool) -> np.ndarray:
    """One array, memory-mapped read-only when `mmap` (a plain ndarray view of the map: every slice of a
    `np.memmap` itself pays for its subclass)."""
    return np.load(path, mmap_mode="r", allow_pickle=False).view(np.ndarray) if mmap else np.load(
        path, allow_pickle=False)


Part = tuple[Postings, "np.ndarray | None"]  # a segment and its live mask (None: every row live)


@dataclass(frozen=True)
class Scorer:
    """BM25 over several segments with the statistics of their live rows together: N live rows, each term's
    df summed over segments, the mean length of the live rows. Built once per set of segments and masks
    (`Scorer.of`); each query then costs only its terms' postings."""

    parts: tuple[Part, ...]
    n_live: int  # N: live rows over every segment
    avgdl: float  # the mean length of the live rows (0.0 when there are none)
    norms: tuple[np.ndarray, ...]  # per segment, per row: k1 · (1 - b + b · len / avgdl), float64
    k1: float = K1
    b: float = B
    memo: _Memo = field(default_factory=lambda: _Memo(MEMO_POSTINGS), repr=False, compare=False)

    @classmethod
    def of(cls, parts: Iterable[Part], k1: float = K1, b: float = B) -> Scorer:
        """The scorer of `parts`: (segment, live mask or None) pairs, in the order their scores are returned."""
        held = tuple((p, None if live is None else _mask(live, p.n_rows)) for p, live in parts)
        n_live = sum(p.n_rows if live is None else int(np.count_nonzero(live)) for p, live in held)
        total = sum(int(p.lengths.sum(dtype=np.int64) if live is None else p.lengths[live].sum(dtype=np.int64))
                    for p, live in held)
        avgdl = total / n_live if n_live else 0.0
        norms = tuple(k1 * ((1 - b) + b * np.asarray(p.lengths, dtype=np.float64) / avgdl) if avgdl
                      else np.zeros(p.n_rows) for p, _ in held)  # avgdl 0: no live row holds a term
        return cls(held, n_live, avgdl, norms, k1, b)

    def doc_freq(self, token: str) -> int:
        """How many live rows of all segments hold `token`."""
        return sum(p.doc_freq(token, live) for p, live in self.parts)

    def idf(self, df: int) -> np.float32:
        """bm25s's lucene idf of a term held by `df` of the `n_live` rows, rounded to float32 as bm25s stores it.

        >>> float(Scorer.of([(Postings.build([["a"], ["b"], ["b"]]), None)]).idf(1))
        0.9808292388916016
        """
        return np.float32(math.log(1 + (self.n_live - df + 0.5) / (df + 0.5)))

    def scores(self, tokens: Sequence[str]) -> list[np.ndarray]:
        """One float32 score per row of each segment for the query `tokens` (a token repeated counts as often as
        it is given, one no live row holds counts nothing); deleted rows score 0."""
        out = [np.zeros(p.n_rows, dtype=np.float32) for p, _ in self.parts]
        unique = list(dict.fromkeys(tokens))
        if not unique or not self.n_live:
            return out
        ids = [[int(i) for i in p.lookup(unique)] for p, _ in self.parts]  # per segment, per unique token
        dfs = [sum(self._count(s, seg[k]) for s, seg in enumerate(ids)) for k in range(len(unique))]
        for s, (_, live) in enumerate(self.parts):
            shares = {t: self._share(s, ids[s][k], dfs[k]) for k, t in enumerate(unique) if ids[s][k] >= 0 and dfs[k]}
            for t in tokens:  # in query order, as bm25s adds them
                if t in shares:
                    np.add.at(out[s], *shares[t])  # faster than out[rows] += values (numpy 2)
            if live is not None:
                out[s][~live] = 0.0
        return out

    def _count(self, segment: int, term_id: int) -> int:
        """How many live rows of segment `segment` hold `term_id` (-1: none), remembered where rows are deleted."""
        p, live = self.parts[segment]
        if live is None or term_id < 0:
            return p.count(term_id)
        key = (segment, term_id)
        if (known := self.memo.counts.get(key)) is None:
            known = self.memo.counts[key] = p.count(term_id, live)
        return known

    def _share(self, segment: int, term_id: int, df: int) -> tuple[np.ndarray, np.ndarray]:
        """The rows of segment `segment` holding `term_id` and the term's float32 score in each (bm25s's
        arithmetic), remembered for a frequent term (`MEMO_DF`): the statistics never change in a scorer."""
        p, norm = self.parts[segment][0], self.norms[segment]
        rows, tf = p.postings(term_id)
        key = (segment, term_id)
        if (known := self.memo.get(key)) is not None:
            return rows, known
        f = tf.astype(np.float64)  # float64 throughout, in place: a float32 operand would cost a cast per op
        share = norm[rows]
        share += f
        np.divide(f, share, out=share)
        share *= np.float64(self.idf(df))
        values = share.astype(np.float32)
        if len(values) >= MEMO_DF:
            self.memo.put(key, values)
        return rows, values


class _Memo:
    """The float32 scores of frequent terms, until they hold `capacity` values (then nothing more is kept: the
    terms met first in a scorer's life are the frequent ones, and a new scorer starts afresh); and each term's
    count of live rows in a segment with deleted rows."""

    def __init__(self, capacity: int) -> None:
        self.capacity, self.held = capacity, 0
        self.values: dict[tuple[int, int], np.ndarray] = {}
        self.counts: dict[tuple[int, int], int] = {}  # (segment, term id): live rows holding it

    def get(self, key: tuple[int, int]) -> np.ndarray | None:
        return self.values.get(key)

    def put(self, key: tuple[int, int], values: np.ndarray) -> None:
        if self.held + len(values) <= self.capacity and key not in self.values:
            self.values[key] = values
            self.held += len(values)


def _mask(live: np.ndarray, n_rows: int) -> np.ndarray:
    """`live` as a bool array over a segment's `n_rows` rows; ValueError when its length differs."""
    mask = np.asarray(live, dtype=bool)
    if mask.shape != (n_rows,):
        raise ValueError(f"a live mask of shape {mask.shape} for a segment of {n_rows} rows")
    return mask


def bm25_scores(parts: Iterable[Part], tokens: Sequence[str]) -> list[np.ndarray]:
    """The BM25 scores of query `tokens` in each of `parts` ((segment, live mask or None) pairs), with the
    statistics of all their live rows: one float32 array per segment, 0 at deleted rows (`Scorer.scores`)."""
    return Scorer.of(parts).scores(tokens)


def doc_freq(parts: Iterable[Part], token: str) -> int:
    """How many live rows of `parts` ((segment, live mask or None) pairs) hold `token`."""
    return sum(p.doc_freq(token, None if live is None else _mask(live, p.n_rows)) for p, live in parts)
