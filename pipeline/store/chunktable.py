"""The chunks of an index read on demand: a `ChunkTable` is a read-only sequence of `Chunk` over one or more
``chunks.sqlite`` files, so that opening an index costs nothing per chunk and its memory does not grow with the
corpus (issue 15: at 100k chunks the eager load was most of a 9–12 s open and of 1 GB resident).

A table is made of parts: one database each, with the local rows of it that are live (an immutable segment may
have tombstoned some). Global row i is the i-th live row of the parts taken in order, which is dense vector i and
BM25 document i. A chunk is read by one SQL point query on the ``row`` primary key and decoded whole (text, heading
path, footnotes, table rows; not its segmented words or folded tokens, which only a re-ingest reads); the last few
thousand read are kept. What filters, the document prior and scoped views need of every row (its document, year,
ordinal) are arrays, built on first use with one query per part and kept.

Threads: each thread (and each forked process) opens its own read-only connection to each part.
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import overload

import numpy as np

from pipeline.protocol import RowArrays
from pipeline.types import Chunk, Heading, TableRow

_BATCH = 1024  # rows read per SELECT when a table is iterated or sliced
_CACHE = 4096  # decoded chunks kept (a question reads a few hundred: the hits of every run, then its passages)


@functools.lru_cache(maxsize=65_536)
def _headings(raw: str | None) -> tuple[Heading, ...]:
    """A stored heading path (JSON), decoded once per distinct path: the chunks of a section share one tuple,
    and a heading on many paths one record."""
    return tuple(_heading(*h) for h in json.loads(raw)) if raw and raw != "[]" else ()


@functools.lru_cache(maxsize=65_536)
def _heading(kind: str, label: str, title: str) -> Heading:
    return Heading.from_row([kind, label, title])


def _footnotes(raw: str | None) -> tuple[tuple[int, str], ...]:
    """Stored footnotes (JSON); most chunks cite none."""
    return tuple((int(n), str(t)) for n, t in json.loads(raw)) if raw and raw != "[]" else ()


def _rows(raw: str | None) -> tuple[TableRow, ...]:
    """Stored table rows (JSON); most chunks hold none."""
    return tuple(TableRow.from_row(r) for r in json.loads(raw)) if raw else ()


def _columns(db: sqlite3.Connection, tokens: bool) -> str:
    """The columns of a chunk as `row_chunk` reads them; a column an older index lacks reads as NULL, and the
    segmented words and folded tokens only when `tokens` (a re-ingest rebuilds BM25 from them)."""
    have = {c[1] for c in db.execute("PRAGMA table_info(chunks)")}
    words = "words, folded" if tokens else "'' AS words, '' AS folded"
    extra = ", ".join(c if c in have else f"NULL AS {c}" for c in ("page", "headings", "footnotes", "rows"))
    return f"row, chunk_id, doc, section, text, year, ordinal, {words}, embed_hash, {extra}"


def chunk_query(db: sqlite3.Connection, tokens: bool) -> str:
    """The SELECT of every chunk in row order (see `_columns`)."""
    return f"SELECT {_columns(db, tokens)} FROM chunks ORDER BY row"


def row_chunk(r: sqlite3.Row) -> Chunk:
    """A stored chunk. Indexes written before pages (parser 10), heading paths and footnotes (parser 12) or table
    rows (parser 13) were kept have none (NULL): their text holds the footnote lines, and the next ingest parses
    them again."""
    return Chunk(r["chunk_id"], r["doc"], r["section"], r["text"], r["year"], r["ordinal"], r["words"], r["folded"],
                 r["page"], _headings(r["headings"]), _footnotes(r["footnotes"]), _rows(r["rows"]))


def connect(path: Path, shared: bool = False) -> sqlite3.Connection:
    """A read-only connection to the database at `path`, rows readable by column name; `shared`: usable from
    another thread than its own (the caller serialises its use)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=not shared)
    db.row_factory = sqlite3.Row
    return db


@dataclass(frozen=True)
class Part:
    """One database of a table and which of its rows are live."""

    path: Path  # a chunks.sqlite
    live: np.ndarray  # int64, ascending: the local rows (its ``row`` column) that belong to the table

    @classmethod
    def whole(cls, path: Path) -> Part:
        """Every row of the database at `path` (a generation written whole: nothing tombstoned)."""
        db = connect(path)
        try:
            n, first, last = db.execute("SELECT COUNT(*), MIN(row), MAX(row) FROM chunks").fetchone()
            if n and (first, last) == (0, n - 1):  # as every generation is written: rows 0 … n-1
                return cls(path, np.arange(n, dtype=np.int64))
            rows = np.fromiter((r[0] for r in db.execute("SELECT row FROM chunks ORDER BY row")), dtype=np.int64)
        finally:
            db.close()
        return cls(path, rows)


def _has_id_index(db: sqlite3.Connection) -> bool:
    """Whether the database has an index on ``chunks.chunk_id`` (every index written by this project does: the
    column is UNIQUE); without one a lookup would scan the table, so its ids are read once instead."""
    for idx in db.execute("PRAGMA index_list(chunks)").fetchall():
        cols = [c[2] for c in db.execute(f"PRAGMA index_info('{idx[1]}')")]  # an index name sqlite gave
        if cols[:1] == ["chunk_id"]:
            return True
    return False


class ChunkTable(Sequence[Chunk]):
    """The chunks of `parts` in global row order, read on demand (see the module's docstring)."""

    def __init__(self, parts: Sequence[Part], cache_size: int = _CACHE) -> None:
        self.parts = tuple(Part(p.path, np.asarray(p.live, dtype=np.int64)) for p in parts)
        for p in self.parts:
            if len(p.live) and (p.live.ndim != 1 or np.any(np.diff(p.live) <= 0)):
                raise ValueError(f"the live rows of {p.path} must be distinct and ascending")
        # global row of each part's first live row; the last entry is the table's length
        self._starts = np.cumsum([0, *(len(p.live) for p in self.parts)], dtype=np.int64)
        self._cache: OrderedDict[int, Chunk] = OrderedDict()
        self._cached_rows: dict[str, int] = {}  # chunk id → row of each cached chunk: a hit's id is looked up again
        self._cache_size = cache_size
        self._lock = threading.Lock()  # guards the cache and the arrays' first build
        self._local = threading.local()
        self._indexed: dict[int, bool] = {}  # part → whether its chunk_id column has an index
        self._unindexed: dict[int, dict[str, int]] = {}  # part → chunk id → local row, where chunk_id has no index
        self._arrays: RowArrays | None = None

    @classmethod
    def of(cls, path: Path) -> ChunkTable:
        """Every chunk of one database, as a generation written whole holds them."""
        return cls([Part.whole(path)])

    # ---- connections: one per thread and part, reopened in a forked process ----

    def _db(self, part: int) -> sqlite3.Connection:
        """This thread's connection to part `part`."""
        held = getattr(self._local, "dbs", None)
        if held is None or self._local.pid != os.getpid():
            held = self._local.dbs = {}
            self._local.pid = os.getpid()
            self._local.columns = {}
        if part not in held:
            held[part] = connect(self.parts[part].path)
            self._local.columns[part] = _columns(held[part], tokens=False)
        return held[part]

    def _select(self, part: int, where: str, args: Sequence[int | str]) -> list[sqlite3.Row]:
        db = self._db(part)
        return db.execute(f"SELECT {self._local.columns[part]} FROM chunks WHERE {where} ORDER BY row",
                          tuple(args)).fetchall()

    # ---- rows ----

    def __len__(self) -> int:
        return int(self._starts[-1])

    def _locate(self, row: int) -> tuple[int, int]:
        """(part, local row) of global row `row` (in range)."""
        part = int(np.searchsorted(self._starts, row, side="right")) - 1
        return part, int(self.parts[part].live[row - self._starts[part]])

    @overload
    def __getitem__(self, index: int) -> Chunk: ...

    @overload
    def __getitem__(self, index: slice) -> list[Chunk]: ...

    def __getitem__(self, index: int | slice) -> Chunk | list[Chunk]:
        if isinstance(index, slice):
            return self.take(range(*index.indices(len(self))))
        row = int(index)
        n = len(self)
        if row < 0:
            row += n
        if not 0 <= row < n:
            raise IndexError(f"row {index} of a table of {n} chunks")
        with self._lock:
            found = self._cache.get(row)
            if found is not None:
                self._cache.move_to_end(row)
                return found
        part, local = self._locate(row)
        rows = self._select(part, "row = ?", (local,))
        if not rows:
            raise IndexError(f"row {local} of {self.parts[part].path} is gone")
        found = row_chunk(rows[0])
        self._remember(row, found)
        return found

    def _remember(self, row: int, chunk: Chunk) -> None:
        with self._lock:
            self._cache[row] = chunk
            self._cache.move_to_end(row)
            self._cached_rows[chunk.chunk_id] = row
            while len(self._cache) > self._cache_size:
                _, gone = self._cache.popitem(last=False)
                self._cached_rows.pop(gone.chunk_id, None)

    def take(self, rows: Sequence[int] | np.ndarray) -> list[Chunk]:
        """The chunks of global `rows` (in range, any order), in that order; read in batches, one SELECT each,
        not kept in the cache (a scan would push out what questions reuse)."""
        rows = np.asarray(rows, dtype=np.int64)
        if len(rows) and (rows.min() < 0 or rows.max() >= len(self)):
            raise IndexError(f"rows outside a table of {len(self)} chunks")
        out: dict[int, Chunk] = {}
        parts = np.searchsorted(self._starts, rows, side="right") - 1
        for part in np.unique(parts):
            mine = rows[parts == part]
            local = self.parts[part].live[mine - self._starts[part]]
            by_local = dict(zip(local.tolist(), mine.tolist(), strict=True))
            for i in range(0, len(local), _BATCH):
                batch = local[i:i + _BATCH].tolist()
                for r in self._select(int(part), f"row IN ({','.join('?' * len(batch))})", batch):
                    out[by_local[r["row"]]] = row_chunk(r)
        return [out[r] for r in rows.tolist()]

    def __iter__(self) -> Iterator[Chunk]:
        """Every chunk in row order, a batch of rows per SELECT (a range of the part's rows, tombstones skipped)."""
        for part, p in enumerate(self.parts):
            for i in range(0, len(p.live), _BATCH):
                batch = p.live[i:i + _BATCH]
                want = set(batch.tolist())
                for r in self._select(part, "row BETWEEN ? AND ?", (int(batch[0]), int(batch[-1]))):
                    if r["row"] in want:
                        yield row_chunk(r)

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, Chunk):
            return False
        try:
            return self[self.row_of(value.chunk_id)] == value
        except KeyError:
            return False

    # ---- chunk ids ----

    def row_of(self, chunk_id: str) -> int:
        """The global row of the chunk with id `chunk_id` (``bao-cao-2022.txt#I.1.4:2``): a point lookup on the
        UNIQUE index of ``chunks.chunk_id`` in each part (none for a chunk in the cache: the hits of a search are
        looked up again by id); KeyError when no live row has it. A chunk id is live in one part at most (a segment
        that holds a document again tombstones its rows in the older ones)."""
        with self._lock:
            row = self._cached_rows.get(chunk_id)
        if row is not None:
            return row
        for part in range(len(self.parts) - 1, -1, -1):  # the newest first: a document just added is asked for
            local = self._local_row(part, chunk_id)
            if local is None:
                continue
            live = self.parts[part].live
            at = int(np.searchsorted(live, local))
            if at < len(live) and live[at] == local:
                return int(self._starts[part]) + at
        raise KeyError(chunk_id)

    def _local_row(self, part: int, chunk_id: str) -> int | None:
        if part not in self._indexed:
            self._indexed[part] = _has_id_index(self._db(part))
        if not self._indexed[part]:
            ids = self._unindexed.get(part)
            if ids is None:
                ids = {r[1]: r[0] for r in self._db(part).execute("SELECT row, chunk_id FROM chunks")}
                with self._lock:
                    self._unindexed[part] = ids
            return ids.get(chunk_id)
        found = self._db(part).execute("SELECT row FROM chunks WHERE chunk_id = ?", (chunk_id,)).fetchone()
        return None if found is None else int(found[0])

    # ---- per-row arrays ----

    @property
    def arrays(self) -> RowArrays:
        """Each row's document, year and ordinal (built on first use: one query per part, then kept)."""
        found = self._arrays
        if found is None:
            with self._lock:
                if self._arrays is None:
                    self._arrays = self._build_arrays()
                found = self._arrays
        return found

    def _build_arrays(self) -> RowArrays:
        read = [self._part_arrays(i) for i in range(len(self.parts))]
        names = tuple(sorted({n for docs, *_ in read for n in docs}))
        code = {n: i for i, n in enumerate(names)}
        doc = [np.array([code[n] for n in docs], dtype=np.int32)[d] for docs, d, _, _ in read]
        return RowArrays(names, np.concatenate([np.zeros(0, np.int32), *doc]),
                         np.concatenate([np.zeros(0, np.int32), *(y for *_, y, _ in read)]),
                         np.concatenate([np.zeros(0, np.int32), *(o for *_, o in read)]))

    def _part_arrays(self, part: int) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
        """Part `part`'s documents (in first-seen order) and, at its live rows, each one's position among them,
        its year (-1: none) and ordinal."""
        db = connect(self.parts[part].path)  # a scan of its own: the thread's connection stays free
        try:
            n = db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
            rows, doc, year, ordinal = (np.empty(n, np.int64), np.empty(n, np.int32), np.empty(n, np.int32),
                                        np.empty(n, np.int32))
            code: dict[str, int] = {}
            cur = db.execute("SELECT row, doc, year, ordinal FROM chunks ORDER BY row")
            for i, (r, d, y, o) in enumerate(cur):
                rows[i], doc[i] = r, code.setdefault(d, len(code))
                year[i], ordinal[i] = -1 if y is None else y, o
        finally:
            db.close()
        live = self.parts[part].live
        at = np.searchsorted(rows, live)
        if len(live) and (at.max() >= n or np.any(rows[np.minimum(at, n - 1)] != live)):
            raise ValueError(f"{self.parts[part].path} lacks some of the rows its part names live")
        return list(code), doc[at], year[at], ordinal[at]

    def first_rows(self) -> dict[str, int]:
        """Each document's first chunk (least ordinal) → its global row; asked of SQL (``MIN(ordinal)`` per
        document, over the ``chunks_doc`` index) when the table is one whole part, else from the arrays."""
        if len(self.parts) == 1 and len(self.parts[0].live) == self._count(0):
            db = self._db(0)
            rows = db.execute("SELECT doc, row, MIN(ordinal) FROM chunks GROUP BY doc").fetchall()
            live = self.parts[0].live
            return {r[0]: int(np.searchsorted(live, r[1])) for r in rows}
        a = self.arrays
        order = np.lexsort((np.arange(len(a.doc)), a.ordinal, a.doc))  # by document, then ordinal, then row
        first = order[np.r_[True, a.doc[order][1:] != a.doc[order][:-1]]] if len(order) else order
        return {a.names[a.doc[r]]: int(r) for r in first}

    def _count(self, part: int) -> int:
        return int(self._db(part).execute("SELECT COUNT(*) FROM chunks").fetchone()[0])


class RowView(Sequence[Chunk]):
    """Some rows of a table, as a sequence of its own: view row i is `base` row `rows[i]` (a scoped index's
    chunks, read through its base's table rather than copied)."""

    def __init__(self, base: Sequence[Chunk], rows: np.ndarray) -> None:
        self.base, self.rows = base, np.asarray(rows, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> Chunk: ...

    @overload
    def __getitem__(self, index: slice) -> list[Chunk]: ...

    def __getitem__(self, index: int | slice) -> Chunk | list[Chunk]:
        if isinstance(index, slice):
            picked = self.rows[index]
            take = getattr(self.base, "take", None)
            return take(picked) if take is not None else [self.base[int(r)] for r in picked]
        return self.base[int(self.rows[index])]

    def __iter__(self) -> Iterator[Chunk]:
        for i in range(0, len(self.rows), _BATCH):
            yield from self[i:i + _BATCH]
