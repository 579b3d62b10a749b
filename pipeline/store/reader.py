"""Reading a generation: the live one loaded and checked against its manifest, or the document list of a
damaged one salvaged for a rebuild."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TypeVar

import numpy as np

from pipeline.indicators.extract import Indicator, Kind
from pipeline.protocol import RowArrays
from pipeline.refs.references import Mention, Reference, RefMatch, group
from pipeline.refs.relations import InForce, Relation, RelationType
from pipeline.store import integrity
from pipeline.store.chunktable import ChunkTable, Part, chunk_query, row_chunk
from pipeline.store.dense import DenseIndex, DenseRecord
from pipeline.store.layout import (
    LAYOUT,
    SINGLE_FOLDER,
    IndexDamaged,
    IndexUnavailable,
    current_generation,
    index_root,
    live_name,
    read_manifest,
    segmented,
)
from pipeline.text.accents import best_spelling
from pipeline.types import DEFAULT_COLLECTION, Chunk, DocMeta, DocRecord

T = TypeVar("T")


def salvage_documents(root: Path) -> dict[str, DocRecord]:
    """The document list of a damaged index, what a rebuild reads again: from the live generation's databases
    (one per segment; a tombstoned document is left out when the manifest still reads) if any still reads, else
    from the newest other generation's (a document removed since may come back)."""
    live = live_name(root)
    others = sorted((p.name for p in root.glob("gen-*") if p.name != live), reverse=True)
    for name in [live, *others]:
        gen = root / name
        if not name.startswith("gen-") or "/" in name or not gen.is_dir():
            continue
        paths = [gen / LAYOUT.db] if (gen / LAYOUT.db).is_file() else sorted(gen.glob(f"{LAYOUT.segment}*/{LAYOUT.db}"))
        deleted = _deleted_by_segment(gen)
        found: dict[str, DocRecord] = {}
        for path in paths:
            try:
                db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
                db.row_factory = sqlite3.Row
                with contextlib.closing(db):
                    gone = deleted.get(path.parent.name, set())
                    found.update({r["name"]: _row_doc(r) for r in db.execute("SELECT * FROM documents")
                                  if r["name"] not in gone})
            except (sqlite3.DatabaseError, ValueError, KeyError, TypeError, IndexError):
                continue
        if found:
            return found
    return {}


def _deleted_by_segment(gen: Path) -> dict[str, set[str]]:
    """segment name → its tombstoned documents, as the manifest of `gen` lists them (none when it does not read)."""
    try:
        manifest = json.loads((gen / LAYOUT.manifest).read_text(encoding="utf-8"))
        return {e["name"]: set(e["deleted"]) for e in manifest["segments"]}
    except (OSError, ValueError, KeyError, TypeError):
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


def _pending(folder: Path, n: int) -> np.ndarray:
    """Which of the `n` rows wait for their vectors, as ``pending.npy`` lists them; none when there is no such file
    (every index written before pending rows existed is fully embedded). ValueError when it names other rows."""
    mask = np.zeros(n, dtype=bool)
    path = folder / LAYOUT.pending
    if path.exists():
        rows = np.load(path, allow_pickle=False)
        if rows.ndim != 1 or rows.dtype.kind not in "iu" or (len(rows) and not 0 <= rows.min() <= rows.max() < n):
            raise ValueError(f"pending.npy names rows that are not among the {n} chunks")
        mask[rows] = True
    return mask


class Segment:
    """One segment of a loaded generation (a format-2 generation is one segment, its folder the generation's):
    its stored rows, those of them live (not tombstoned), their place among the generation's rows, the rows
    waiting for vectors, its dense index and its BM25 postings (None for format 2, scored by bm25s)."""

    def __init__(self, name: str, folder: Path, deleted: Iterable[str], dense_record: DenseRecord,
                 postings: bool, lazy_dense: bool = False) -> None:
        self.name, self.folder, self.deleted = name, folder, frozenset(deleted)
        self.db_path = folder / LAYOUT.db
        with contextlib.closing(self.connect()) as db:
            self.rows = db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
            gone = [r for (r,) in db.execute("SELECT row FROM chunks WHERE doc IN (SELECT value FROM json_each(?))",
                                             (json.dumps(sorted(self.deleted), ensure_ascii=False),))]
        live = np.ones(self.rows, dtype=bool)
        live[np.asarray(gone, dtype=np.int64)] = False
        self.live = live  # one per stored row
        self.live_rows = np.flatnonzero(live).astype(np.int64)  # ascending: segment row of each of its live rows
        self.offset = 0  # the generation's row of its first live row (set by the generation)
        self.pending = _pending(folder, self.rows)  # one per stored row
        self._dense_record = dense_record
        self._dense: DenseIndex | None = None
        if not lazy_dense:
            self._dense = self._read_dense()
        self.words = self.folded = None
        if postings:
            from pipeline.store.postings import Postings

            self.words = Postings.load(folder / LAYOUT.words)
            self.folded = Postings.load(folder / LAYOUT.folded)

    @property
    def dense(self) -> DenseIndex:
        """The segment's dense index (read at open, or on first use when the segment was opened `lazy_dense`: an
        ingest, which needs a few vectors by hash, does not read every segment's FAISS file)."""
        if self._dense is None:
            self._dense = self._read_dense()
        return self._dense

    def _read_dense(self) -> DenseIndex:
        import faiss

        index = faiss.read_index(str(self.folder / LAYOUT.dense))
        if index.ntotal != self.rows:
            raise ValueError(f"{self.name or 'dense.faiss'}: {index.ntotal} vectors for {self.rows} chunks")
        return DenseIndex(index, self._dense_record)  # efSearch set

    def connect(self) -> sqlite3.Connection:
        """The segment's database, read-only, rows as `sqlite3.Row`."""
        db = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)
        db.row_factory = sqlite3.Row
        return db

    def live_doc(self, doc: str) -> bool:
        """Whether rows of document `doc` in this segment are live (not tombstoned)."""
        return doc not in self.deleted

    def vectors(self) -> np.ndarray:
        """Every stored row's vector (read back from the FAISS index), zeros where pending."""
        index = self.dense.index
        if index.ntotal == 0:
            return np.zeros((0, index.d), dtype=np.float32)
        return index.reconstruct_n(0, index.ntotal)

    def documents(self) -> list[DocRecord]:
        """The segment's live documents."""
        with contextlib.closing(self.connect()) as db:
            return [_row_doc(r) for r in db.execute("SELECT * FROM documents") if self.live_doc(r["name"])]

    def chunks_with_tokens(self) -> list[Chunk]:
        """The segment's live chunks, with their segmented words and folded tokens, in row order."""
        with contextlib.closing(self.connect()) as db:
            return [row_chunk(r) for r in db.execute(chunk_query(db, tokens=True)) if self.live[r["row"]]]

    def name_vectors(self, names: Iterable[str] | None = None) -> dict[str, np.ndarray]:
        """indicator name → its vector, for the segment's names (those of `names` only, when given)."""
        path = self.folder / LAYOUT.names
        with contextlib.closing(self.connect()) as db:
            if not path.exists() or not db.execute(
                    "SELECT 1 FROM sqlite_master WHERE name = 'indicator_names'").fetchone():
                return {}
            if names is None:
                rows = db.execute("SELECT row, name FROM indicator_names ORDER BY row").fetchall()
            else:
                wanted = json.dumps(sorted(set(names)), ensure_ascii=False)
                rows = db.execute("SELECT row, name FROM indicator_names WHERE name IN "
                                  "(SELECT value FROM json_each(?)) ORDER BY row", (wanted,)).fetchall()
        vectors = np.load(path, allow_pickle=False, mmap_mode="r")
        return {n: np.array(vectors[r], dtype=np.float32) for r, n in rows if r < len(vectors)}

    def table(self, name: str, row: Callable[[sqlite3.Row], T], doc_column: str = "doc") -> list[T]:
        """Every row of table `name` of the live documents as a record; none when an older index lacks it."""
        with contextlib.closing(self.connect()) as db:
            if not db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone():
                return []
            return [row(r) for r in db.execute(f"SELECT * FROM {name}")  # a fixed table name, never input
                    if r[doc_column] not in self.deleted]


def open_segments(gen: Path, manifest: dict, names: Iterable[str]) -> list[Segment]:
    """The segments `names` of generation `gen` (format 3, its checksums checked already), loaded alone."""
    entries = {e["name"]: e for e in manifest["segments"]}
    return [_segment(gen, entries[n]) for n in names]


def _segment(gen: Path, entry: dict, lazy_dense: bool = False) -> Segment:
    """Segment `entry` of a format-3 manifest, loaded from generation `gen`."""
    record = DenseRecord.from_manifest({"dense": entry.get("dense"), "counts": {"chunks": entry["rows"]}})
    return Segment(entry["name"], gen / entry["name"], entry["deleted"], record, postings=True, lazy_dense=lazy_dense)


class IndexData:
    """A generation loaded: what search and answer need, read once."""

    def __init__(self, gen: Path, verify_hashes: bool = True, lazy_dense: bool = False) -> None:
        """`lazy_dense`: each segment's FAISS file read when first needed, not at open (what an ingest asks)."""
        self.gen = gen
        self._lazy_dense = lazy_dense
        self.manifest = read_manifest(gen)
        if self.manifest["format_version"] >= 2:
            found = integrity.problems(gen, self.manifest["files"], hashes=verify_hashes)
            if found:
                more = f" and {len(found) - 1} more" if len(found) > 1 else ""
                raise IndexDamaged(gen, found[0] + more)
        try:
            self._load(gen)
        except (sqlite3.DatabaseError, RuntimeError, ValueError, OSError, KeyError, EOFError) as e:
            raise IndexDamaged(gen, f"{type(e).__name__}: {str(e)[:200]}") from None
        said = self.manifest.get("counts", {}).get("pending", 0)  # an index written before pending rows: none
        if said != int(self.pending.sum()):
            raise IndexDamaged(gen, f"{int(self.pending.sum())} rows wait for vectors, the manifest says {said}")
        if self.manifest["format_version"] < 2:
            self._migrate()

    @property
    def segmented(self) -> bool:
        """Whether the generation is made of segments (format 3); format 2 is one folder scored by bm25s."""
        return segmented(self.manifest)

    def _load(self, gen: Path) -> None:
        if self.segmented:
            self.segments = [_segment(gen, e, self._lazy_dense) for e in self.manifest["segments"]]
        else:
            import bm25s

            self.segments = [Segment("", gen, (), DenseRecord.from_manifest(self.manifest), postings=False)]
            self.bm25_words = bm25s.BM25.load(str(gen / "bm25_words"), allow_pickle=False)
            self.bm25_folded = bm25s.BM25.load(str(gen / "bm25_folded"), allow_pickle=False)
        docs: dict[str, DocRecord] = {}
        self.segment_of: dict[str, str] = {}  # document name → the segment holding its live rows
        offset = 0
        for seg in self.segments:
            seg.offset = offset
            offset += len(seg.live_rows)
            with contextlib.closing(seg.connect()) as db:
                mine = {r["name"]: _row_doc(r) for r in db.execute("SELECT * FROM documents")
                        if seg.live_doc(r["name"])}
            docs.update(mine)
            self.segment_of.update(dict.fromkeys(mine, seg.name))
        self.docs = dict(sorted(docs.items()))
        # the chunks stay on disk, read when asked for (pipeline/store/chunktable.py): opening costs nothing per
        # chunk, and the memory does not grow with the corpus
        self.chunks = ChunkTable([Part(seg.db_path, seg.live_rows) for seg in self.segments])
        # True: the row waits for its vector (BM25 finds it)
        self.pending = np.concatenate([s.pending[s.live_rows] for s in self.segments]) if self.segments else (
            np.zeros(0, dtype=bool))
        if self.segmented:
            self.accents: Mapping[str, str] = SegmentAccents([s.folder / LAYOUT.accents for s in self.segments],
                                                             [s.folder / LAYOUT.accent_pairs for s in self.segments])
        else:
            self.accents = json.loads((gen / LAYOUT.accents).read_text(encoding="utf-8"))

    @functools.cached_property
    def references(self) -> list[RefMatch]:
        """Every reference the live documents mention, grouped by the number cited (read on first use)."""
        return group([m for s in self.segments for m in s.table("refs", _row_mention)])

    def _migrate(self) -> None:
        """A version-1 generation that loaded whole and passes sqlite's own check gets its checksums written
        (format 2). A read-only index folder is served as it is."""
        db = sqlite3.connect(f"file:{self.gen / LAYOUT.db}?mode=ro", uri=True)
        with contextlib.closing(db):
            check = db.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise IndexDamaged(self.gen, f"chunks.sqlite fails its check: {check[:200]}")
        manifest = {**self.manifest, "format_version": SINGLE_FOLDER, "migrated_from": self.manifest["format_version"],
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
    def embed_hashes(self) -> list[str]:
        """Each row's embedded-text hash, in row order (read on first use: only an ingest reuses vectors by it)."""
        out: list[str] = []
        for seg in self.segments:
            with contextlib.closing(seg.connect()) as db:
                out.extend(h for r, h in db.execute("SELECT row, embed_hash FROM chunks ORDER BY row") if seg.live[r])
        return out

    def dense_search(self, vector: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The `k` rows nearest `vector` by inner product (FAISS), best first, only `allowed` rows when given
        (exact, or HNSW as each segment's ``dense`` entry says: see pipeline/store/dense.py); never a row still
        waiting for its vector, nor a tombstoned one. Each segment is searched for `k`, the results merged."""
        found: list[tuple[int, float]] = []
        mask = None if allowed is None else np.asarray(allowed, dtype=bool)
        for seg in self.segments:
            if not len(seg.live_rows):
                continue
            local = None  # None: every stored row may be returned
            if mask is not None or seg.pending.any() or len(seg.live_rows) < seg.rows:
                local = seg.live & ~seg.pending
                if mask is not None:
                    local[seg.live_rows] &= mask[seg.offset : seg.offset + len(seg.live_rows)]
                if not local.any():
                    continue
            hits = seg.dense.search(vector, k, local)
            rows = np.searchsorted(seg.live_rows, np.asarray([r for r, _ in hits], dtype=np.int64))
            found.extend((seg.offset + int(g), score) for g, (_, score) in zip(rows, hits, strict=True))
        found.sort(key=lambda rs: -rs[1])
        return found[:k]

    def bm25_scores(self, tokens: list[str], folded: bool) -> np.ndarray:
        """The BM25 score of every row for the tokens the index knows (zeros when it knows none), its statistics
        (rows, document frequencies, mean length) those of every segment's live rows together."""
        if not self.chunks:
            return np.zeros(0, dtype=np.float32)
        if not self.segmented:
            model = self.bm25_folded if folded else self.bm25_words
            known = [t for t in tokens if t in model.vocab_dict]
            return model.get_scores(known) if known else np.zeros(len(self.chunks), dtype=np.float32)
        scores = self._scorer(folded).scores(tokens)
        return np.concatenate([sc[seg.live_rows] for sc, seg in zip(scores, self.segments, strict=True)]).astype(
            np.float32, copy=False)

    def doc_freq(self, token: str, folded: bool) -> int:
        """How many live chunks hold `token` in the BM25 words (or folded syllables when `folded`)."""
        if not self.segmented:
            model = self.bm25_folded if folded else self.bm25_words
            i = model.vocab_dict.get(token)
            indptr = model.scores["indptr"]
            return int(indptr[i + 1] - indptr[i]) if i is not None and i + 1 < len(indptr) else 0
        return self._scorer(folded).doc_freq(token)

    def _scorer(self, folded: bool):
        """The BM25 scorer of the words (or folded syllables) of every segment, with their live rows' statistics:
        built once per loaded generation."""
        scorers = self.__dict__.setdefault("_scorers", {})
        if folded not in scorers:
            from pipeline.store.postings import Scorer

            parts = []
            for seg in self.segments:
                postings = seg.folded if folded else seg.words
                assert postings is not None  # a segmented generation: every segment has its postings
                parts.append((postings, None if len(seg.live_rows) == seg.rows else seg.live))
            scorers[folded] = Scorer.of(parts)
        return scorers[folded]

    def vectors(self) -> np.ndarray:
        """Every chunk's vector, one row each in row order (read back from the FAISS indexes)."""
        parts = [seg.vectors()[seg.live_rows] for seg in self.segments]
        dim = self.manifest["embedder"].get("dim", 0)
        return np.concatenate(parts) if parts else np.zeros((0, dim), dtype=np.float32)

    def size_bytes(self) -> int:
        """The bytes the generation's files take on disk."""
        return sum(f.stat().st_size for f in self.gen.rglob("*") if f.is_file())

    @functools.cached_property
    def indicators(self) -> list[Indicator]:
        """Every indicator statement (read on first use: only `compare` needs them)."""
        return [i for seg in self.segments for i in seg.table("indicators", _row_indicator)]

    @functools.cached_property
    def relations(self) -> list[Relation]:
        """What each document says it replaces, amends, repeals, details, guides, implements or corrects (read on
        first use; an index written before relations were stored has none: the next ingest derives them)."""
        return [r for seg in self.segments for r in seg.table("relations", _row_relation)]

    @functools.cached_property
    def in_force(self) -> list[InForce]:
        """Each document's own effective date, as it states it ("… có hiệu lực từ ngày 01/01/2026")."""
        return [f for seg in self.segments for f in seg.table(
            "in_force", lambda r: InForce(r["doc"], r["date"], r["chunk_id"], r["sentence"]))]

    @functools.cached_property
    def indicator_names(self) -> tuple[list[str], np.ndarray | None]:
        """The distinct indicator names and their vectors (None when the index holds none); a name several
        segments hold keeps the first one's vector."""
        found: dict[str, np.ndarray] = {}
        for seg in self.segments:
            for n, v in seg.name_vectors().items():
                found.setdefault(n, v)
        if not found:
            return [], None
        return list(found), np.stack(list(found.values())).astype(np.float32, copy=False)

    def known_name_vectors(self, names: Iterable[str]) -> dict[str, np.ndarray]:
        """indicator name → the vector a segment holds for it, for the `names` asked (looked up by name)."""
        wanted = set(names)
        out: dict[str, np.ndarray] = {}
        for seg in self.segments:
            for n, v in seg.name_vectors(wanted - out.keys()).items():
                out.setdefault(n, v)
        return out

    def known_vectors(self, hashes: set[str]) -> dict[str, np.ndarray]:
        """embed hash → the vector of a stored row that embedded that text (rows still pending left out), for the
        `hashes` asked: looked up by hash in each segment's database, only those rows' vectors read."""
        out: dict[str, np.ndarray] = {}
        wanted = json.dumps(sorted(hashes))
        for seg in self.segments:
            with contextlib.closing(seg.connect()) as db:
                found = [(r, h) for r, h in db.execute(
                    "SELECT row, embed_hash FROM chunks WHERE embed_hash IN (SELECT value FROM json_each(?))",
                    (wanted,)) if not seg.pending[r]]
            for r, h in found:
                if h not in out:
                    out[h] = seg.dense.index.reconstruct(int(r))
        return out

    def chunks_with_tokens(self, docs: Iterable[str] | None = None) -> list[Chunk]:
        """The live chunks (of `docs` only, when given) with their segmented words and folded tokens (what BM25
        is built from), in row order."""
        wanted = None if docs is None else set(docs)
        out: list[Chunk] = []
        for seg in self.segments:
            with contextlib.closing(seg.connect()) as db:
                out.extend(row_chunk(r) for r in db.execute(chunk_query(db, tokens=True))
                           if seg.live[r["row"]] and (wanted is None or r["doc"] in wanted))
        return out


def _row_indicator(r: sqlite3.Row) -> Indicator:
    return Indicator(name=r[0], year=r[1], kind=Kind(r[2]), value=r[3], unit=r[4], qualifier=r[5], raw=r[6],
                     plan_ratio=r[7], total=r[8], doc=r[9], section=r[10], chunk_id=r[11], text=r[12])


class SegmentAccents(Mapping[str, str]):
    """folded word → its most frequent spelling over every segment (`accent_counts` of each summed), read from
    the segments' ``accents.json`` on the first lookup (the first question typed without accents). It is also
    the `Lexicon` re-accenting reads: the summed counts of a word's spellings, and of a pair's from the segments'
    ``accent_pairs.json`` (a segment written before pairs were counted has none)."""

    def __init__(self, paths: list[Path], pair_paths: list[Path] | None = None) -> None:
        self.paths = paths
        self.pair_paths = pair_paths or []

    @functools.cached_property
    def _parts(self) -> list[dict[str, dict[str, int]]]:
        return [json.loads(p.read_text(encoding="utf-8")) for p in self.paths]

    @functools.cached_property
    def _pair_parts(self) -> list[dict[str, dict[str, int]]]:
        return [json.loads(p.read_text(encoding="utf-8")) for p in self.pair_paths if p.exists()]

    @functools.cached_property
    def _keys(self) -> frozenset[str]:
        return frozenset(k for part in self._parts for k in part)

    @functools.cached_property
    def syllables(self) -> frozenset[str]:  # type: ignore[override]
        """Every syllable of every spelling, over every segment (lower case)."""
        return frozenset(s for part in self._parts for spellings in part.values() for w in spellings
                         for s in w.lower().split("_"))

    @functools.cached_property
    def total(self) -> int:  # type: ignore[override]
        """Every word's count, over every segment."""
        return sum(n for part in self._parts for spellings in part.values() for n in spellings.values())

    def counts(self, key: str) -> Mapping[str, int]:
        """Each spelling of the folded word or pair `key` (``tang_truong kinh_te``) with its count, summed."""
        parts = self._pair_parts if " " in key else self._parts
        found = [part[key] for part in parts if key in part]
        if len(found) == 1:
            return found[0]
        total: Counter[str] = Counter()
        for spellings in found:
            total.update(spellings)
        return total

    def __getitem__(self, key: str) -> str:
        found = best_spelling(part[key] for part in self._parts if key in part)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return any(key in part for part in self._parts)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


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
