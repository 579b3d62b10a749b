"""Reading a generation: the live one loaded and checked against its manifest, or the document list of a
damaged one salvaged for a rebuild."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

from pipeline.indicators.extract import Indicator, Kind
from pipeline.protocol import RowArrays
from pipeline.refs.references import Mention, Reference, RefMatch, group
from pipeline.refs.relations import InForce, Relation, RelationType
from pipeline.store import integrity
from pipeline.store.chunktable import ChunkTable, chunk_query, connect, row_chunk
from pipeline.store.dense import DenseIndex, DenseRecord
from pipeline.store.layout import (
    FORMAT_VERSION,
    LAYOUT,
    IndexDamaged,
    IndexUnavailable,
    current_generation,
    index_root,
    live_name,
    read_manifest,
)
from pipeline.types import DEFAULT_COLLECTION, Chunk, DocMeta, DocRecord

T = TypeVar("T")


def salvage_documents(root: Path) -> dict[str, DocRecord]:
    """The document list of a damaged index, what a rebuild reads again: from the live generation's database if
    it still reads, else from the newest other generation's (a document removed since may come back)."""
    live = live_name(root)
    others = sorted((p.name for p in root.glob("gen-*") if p.name != live), reverse=True)
    for name in [live, *others]:
        path = root / name / LAYOUT.db
        if not name.startswith("gen-") or "/" in name or not path.is_file():
            continue
        try:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            db.row_factory = sqlite3.Row
            with contextlib.closing(db):
                return {r["name"]: _row_doc(r) for r in db.execute("SELECT * FROM documents")}
        except (sqlite3.DatabaseError, ValueError, KeyError, TypeError, IndexError):
            continue
    return {}


def _row_doc(r: sqlite3.Row) -> DocRecord:
    meta = DocMeta(title=r["title"] or "", number=r["number"], issuer=r["issuer"], date=r["date"],
                   years=tuple(json.loads(r["years"] or "[]")))
    # an index written before collections (parser 17 and older) holds every document in the shared one
    collection = r["collection"] if "collection" in r.keys() else DEFAULT_COLLECTION
    return DocRecord(r["name"], r["path"], r["content_hash"], meta, r["n_chunks"], r["dropped_garbled"], collection)


def _row_mention(r: sqlite3.Row) -> Mention:
    ref = Reference(r["ref"], r["number"], r["code"], r["type"], r["issuer"], r["year"], r["date"], 0, 0,
                    bool(r["partial"]))
    return Mention(ref, r["doc"], r["section"], r["chunk_id"], r["sentence"])


def _row_ref(r: sqlite3.Row, prefix: str = "") -> Reference | None:
    """The number stored in a relation's columns (`prefix` ``subject_`` for its subject); None when NULL."""
    if r[f"{prefix}ref"] is None:
        return None
    return Reference(r[f"{prefix}ref"], r[f"{prefix}number"], r[f"{prefix}code"], r[f"{prefix}type"],
                     r[f"{prefix}issuer"], r[f"{prefix}year"], r[f"{prefix}date"], 0, 0)


def _row_relation(r: sqlite3.Row) -> Relation:
    other = _row_ref(r) or Reference("", "", "", None, None, None, None, 0, 0)  # never NULL as written
    return Relation(RelationType(r["type"]), other, _row_ref(r, "subject_"), r["scope"], r["effective"], r["doc"],
                    r["section"], r["chunk_id"], r["sentence"])


def _pending(gen: Path, n: int) -> np.ndarray:
    """Which of the `n` rows wait for their vectors, as ``pending.npy`` lists them; none when there is no such file
    (every index written before pending rows existed is fully embedded). ValueError when it names other rows."""
    mask = np.zeros(n, dtype=bool)
    path = gen / LAYOUT.pending
    if path.exists():
        rows = np.load(path, allow_pickle=False)
        if rows.ndim != 1 or rows.dtype.kind not in "iu" or (len(rows) and not 0 <= rows.min() <= rows.max() < n):
            raise ValueError(f"pending.npy names rows that are not among the {n} chunks")
        mask[rows] = True
    return mask


class IndexData:
    """A generation opened: its documents, dense and BM25 indexes loaded; its chunks (`chunks`, a `ChunkTable`),
    references, relations and indicators read from SQLite when first asked for."""

    def __init__(self, gen: Path, verify_hashes: bool = True) -> None:
        self.gen = gen
        self.manifest = read_manifest(gen)
        if self.manifest["format_version"] == FORMAT_VERSION:
            found = integrity.problems(gen, self.manifest["files"], hashes=verify_hashes)
            if found:
                more = f" and {len(found) - 1} more" if len(found) > 1 else ""
                raise IndexDamaged(gen, found[0] + more)
        try:
            self._load(gen)
        except (sqlite3.DatabaseError, RuntimeError, ValueError, OSError, KeyError, EOFError) as e:
            raise IndexDamaged(gen, f"{type(e).__name__}: {str(e)[:200]}") from None
        if self.dense.ntotal != len(self.chunks):
            raise IndexDamaged(gen, f"{self.dense.ntotal} vectors for {len(self.chunks)} chunks")
        said = self.manifest.get("counts", {}).get("pending", 0)  # an index written before pending rows: none
        if said != int(self.pending.sum()):
            raise IndexDamaged(gen, f"{int(self.pending.sum())} rows wait for vectors, the manifest says {said}")
        if self.manifest["format_version"] < FORMAT_VERSION:
            self._migrate()

    def _load(self, gen: Path) -> None:
        import bm25s
        import faiss

        db = connect(gen / LAYOUT.db)
        with contextlib.closing(db):
            self.docs = {r["name"]: _row_doc(r) for r in db.execute("SELECT * FROM documents ORDER BY name")}
        # the chunks stay on disk, read when asked for (pipeline/store/chunktable.py): opening costs nothing per
        # chunk, and the memory does not grow with the corpus
        self.chunks = ChunkTable.of(gen / LAYOUT.db)
        self.dense = faiss.read_index(str(gen / LAYOUT.dense))
        self.pending = _pending(gen, len(self.chunks))  # True: the row waits for its vector (BM25 finds it)
        self.dense_index = DenseIndex(self.dense, DenseRecord.from_manifest(self.manifest))  # efSearch set
        self.bm25_words = bm25s.BM25.load(str(gen / LAYOUT.bm25_words), allow_pickle=False)
        self.bm25_folded = bm25s.BM25.load(str(gen / LAYOUT.bm25_folded), allow_pickle=False)
        self.accents = json.loads((gen / LAYOUT.accents).read_text(encoding="utf-8"))

    def _migrate(self) -> None:
        """A version-1 generation that loaded whole and passes sqlite's own check gets its checksums written
        (format 2). A read-only index folder is served as it is."""
        db = sqlite3.connect(f"file:{self.gen / LAYOUT.db}?mode=ro", uri=True)
        with contextlib.closing(db):
            check = db.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise IndexDamaged(self.gen, f"chunks.sqlite fails its check: {check[:200]}")
        manifest = {**self.manifest, "format_version": FORMAT_VERSION, "migrated_from": self.manifest["format_version"],
                    "files": integrity.file_digests(self.gen)}
        with contextlib.suppress(OSError):
            integrity.write_manifest(self.gen, manifest)
            self.manifest = manifest

    @property
    def embedder_name(self) -> str:
        """The name of the embedder the generation was built with (``e5-small``, ``st:…``)."""
        return self.manifest["embedder"]["name"]

    # ---- the IndexReader protocol (pipeline/store/protocol.py): what search, answers and refs read ----

    @property
    def generation(self) -> str:
        """The generation's folder name."""
        return self.gen.name

    def chunk(self, chunk_id: str) -> Chunk:
        """The chunk with id `chunk_id` (``bao-cao-2022.txt#I.1.4:2``), its heading path and table rows included;
        KeyError when there is none."""
        return self.chunks[self.chunks.row_of(chunk_id)]

    def row_of(self, chunk_id: str) -> int:
        """The row of the chunk with id `chunk_id` (a point lookup in SQLite); KeyError when there is none."""
        return self.chunks.row_of(chunk_id)

    @property
    def row_arrays(self) -> RowArrays:
        """Each row's document, year and ordinal (one scan of the chunks' small columns on first use, then kept)."""
        return self.chunks.arrays

    def first_chunks(self) -> dict[str, Chunk]:
        """Each document's first chunk (its least ordinal), found in SQL and read in one batch."""
        first = self.chunks.first_rows()
        return dict(zip(first, self.chunks.take(list(first.values())), strict=True))

    @functools.cached_property
    def references(self) -> list[RefMatch]:
        """Every reference mentioned, grouped by the number cited (read and grouped on first use: a question
        that names no document number never needs them); none when an older index lacks the table."""
        mentions = self._table("refs", _row_mention)
        return group(mentions) if mentions else []

    @functools.cached_property
    def embed_hashes(self) -> list[str]:
        """Each row's embedded-text hash, in row order (read on first use: only an ingest reuses vectors by it)."""
        db = connect(self.gen / LAYOUT.db)
        with contextlib.closing(db):
            return [r[0] for r in db.execute("SELECT embed_hash FROM chunks ORDER BY row")]

    def dense_search(self, vector: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The `k` rows nearest `vector` by inner product (FAISS), best first, only `allowed` rows when given
        (exact, or HNSW as the manifest's ``dense`` entry says: see pipeline/store/dense.py); never a row still
        waiting for its vector."""
        if self.dense.ntotal == 0:
            return []
        return self.dense_index.search(vector, k, self._with_vectors(allowed))

    def _with_vectors(self, allowed: np.ndarray | None) -> np.ndarray | None:
        """`allowed` (None: every row) less the rows still waiting for their vectors: dense search never returns
        one (its zero vector would be found, scored 0)."""
        if not self.pending.any():
            return allowed
        return ~self.pending if allowed is None else np.asarray(allowed, dtype=bool) & ~self.pending

    def _bm25(self, folded: bool):
        return self.bm25_folded if folded else self.bm25_words

    def bm25_scores(self, tokens: list[str], folded: bool) -> np.ndarray:
        """The BM25 score of every row for the tokens the model knows; zeros when it knows none."""
        model = self._bm25(folded)
        known = [t for t in tokens if t in model.vocab_dict]
        if not known or not self.chunks:
            return np.zeros(len(self.chunks), dtype=np.float32)
        return model.get_scores(known)

    def doc_freq(self, token: str, folded: bool) -> int:
        """How many chunks hold `token` in the BM25 words (or folded syllables when `folded`)."""
        model = self._bm25(folded)
        i = model.vocab_dict.get(token)
        indptr = model.scores["indptr"]
        return int(indptr[i + 1] - indptr[i]) if i is not None and i + 1 < len(indptr) else 0

    def vectors(self) -> np.ndarray:
        """Every chunk's vector, one row each in row order (read back from the FAISS index)."""
        if not self.chunks:
            return np.zeros((0, self.dense.d), dtype=np.float32)
        return self.dense.reconstruct_n(0, self.dense.ntotal)

    def size_bytes(self) -> int:
        """The bytes the generation's files take on disk."""
        return sum(f.stat().st_size for f in self.gen.rglob("*") if f.is_file())

    @functools.cached_property
    def indicators(self) -> list[Indicator]:
        """Every indicator statement (read on first use: only `compare` needs them)."""
        db = sqlite3.connect(f"file:{self.gen / LAYOUT.db}?mode=ro", uri=True)
        with contextlib.closing(db):
            if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'indicators'").fetchone():
                return []
            return [Indicator(name=r[0], year=r[1], kind=Kind(r[2]), value=r[3], unit=r[4], qualifier=r[5], raw=r[6],
                              plan_ratio=r[7], total=r[8], doc=r[9], section=r[10], chunk_id=r[11], text=r[12])
                    for r in db.execute("SELECT * FROM indicators")]

    @functools.cached_property
    def relations(self) -> list[Relation]:
        """What each document says it replaces, amends, repeals, details, guides, implements or corrects (read on
        first use; an index written before relations were stored has none: the next ingest derives them)."""
        return self._table("relations", _row_relation)

    @functools.cached_property
    def in_force(self) -> list[InForce]:
        """Each document's own effective date, as it states it ("… có hiệu lực từ ngày 01/01/2026")."""
        return self._table("in_force", lambda r: InForce(r["doc"], r["date"], r["chunk_id"], r["sentence"]))

    def _table(self, name: str, row: Callable[[sqlite3.Row], T]) -> list[T]:
        """Every row of table `name` as a record; none when an older index lacks the table."""
        db = sqlite3.connect(f"file:{self.gen / LAYOUT.db}?mode=ro", uri=True)
        db.row_factory = sqlite3.Row
        with contextlib.closing(db):
            if not db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone():
                return []
            return [row(r) for r in db.execute(f"SELECT * FROM {name}")]  # a fixed table name, never input

    @functools.cached_property
    def indicator_names(self) -> tuple[list[str], np.ndarray | None]:
        """The distinct indicator names and their vectors (None when the index holds none)."""
        db = sqlite3.connect(f"file:{self.gen / LAYOUT.db}?mode=ro", uri=True)
        with contextlib.closing(db):
            if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'indicator_names'").fetchone():
                return [], None
            names = [r[0] for r in db.execute("SELECT name FROM indicator_names ORDER BY row")]
        path = self.gen / LAYOUT.names
        return names, (np.load(path, allow_pickle=False) if path.exists() else None)

    def chunks_with_tokens(self) -> list[Chunk]:
        """All chunks with their segmented words and folded tokens (what BM25 is rebuilt from)."""
        db = connect(self.gen / LAYOUT.db)
        with contextlib.closing(db):
            return [row_chunk(r) for r in db.execute(chunk_query(db, tokens=True))]


def open_index(root: str | os.PathLike | None = None) -> IndexData:
    """Load the live generation, or explain how to build one."""
    r = index_root(root)
    gen = current_generation(r)
    if gen is None:
        raise IndexUnavailable(
            f"no index at '{r}' yet — build one with `tracuu ingest data/ --index {r}` "
            "(chưa có chỉ mục: hãy chạy tracuu ingest)"
        )
    return IndexData(gen)
