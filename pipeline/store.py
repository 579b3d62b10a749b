"""The index on disk: a folder of plain files plus a manifest, no pickle.

``<root>/CURRENT`` names the live generation ``<root>/gen-<time>/``. A write builds a whole new generation in a
temporary folder, renames it into place, then atomically replaces CURRENT; a crash or Ctrl-C at any point
leaves the previous generation live. The previous generation is kept after a switch, so a reader that resolved
CURRENT just before it still finds its files; older ones are removed. A generation holds:

- ``manifest.json``  format version, embedder name and dimension, counts, created time, and the size and sha256
  of every other file (checked at open, see pipeline/integrity.py)
- ``chunks.sqlite``  documents and chunks (text, breadcrumb, year, PDF page, segmented words, folded tokens, content
  hash), references, indicators
- ``dense.faiss``    one vector per chunk, FAISS row = ``chunks.row``
- ``bm25_words/``, ``bm25_folded/``  bm25s arrays saved with ``allow_pickle=False``
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from pipeline import integrity
from pipeline.accents import build_accent_map
from pipeline.indicators import Indicator, Kind
from pipeline.references import Mention, Reference, group, mentions_in
from pipeline.types import Chunk, DocMeta

FORMAT_VERSION = 2  # 2: checksums of every file in the manifest (a version-1 index is migrated at open)
ENV_INDEX = "TRACUU_INDEX"
DEFAULT_INDEX = "index"


@dataclass(frozen=True)
class Layout:
    """File names inside one generation."""

    manifest: str = "manifest.json"
    db: str = "chunks.sqlite"
    dense: str = "dense.faiss"
    bm25_words: str = "bm25_words"
    bm25_folded: str = "bm25_folded"
    accents: str = "accents.json"
    names: str = "indicator_names.npy"  # one vector per distinct indicator name, row = indicator_names.row
    current: str = "CURRENT"  # in the index root


LAYOUT = Layout()


class IndexUnavailable(RuntimeError):
    """An index that is missing, broken or built for another embedder, with what to do."""


class IndexDamaged(IndexUnavailable):
    """A generation whose files do not match its manifest (truncated, corrupted, missing): ingest rebuilds it."""

    def __init__(self, where: Path, what: str):
        super().__init__(
            f"{where}: the index is damaged ({what}) — run `tracuu ingest` again (e.g. `tracuu ingest data/`) to "
            "rebuild it (chỉ mục bị hỏng: hãy chạy lại tracuu ingest)"
        )
        self.where, self.what = where, what



@dataclass(frozen=True)
class DocRecord:
    """A document as the index keeps it."""

    name: str
    path: str
    content_hash: str
    meta: DocMeta
    n_chunks: int
    dropped_garbled: int = 0


def index_root(path: str | os.PathLike | None = None) -> Path:
    """The index folder: the argument, else $TRACUU_INDEX, else ./index."""
    return Path(path or os.environ.get(ENV_INDEX) or DEFAULT_INDEX)


def current_generation(root: Path) -> Path | None:
    """The live generation folder, or None when nothing was built yet."""
    try:
        name = (root / LAYOUT.current).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise IndexDamaged(root, f"CURRENT cannot be read: {e}") from None
    gen = root / name
    if not name.startswith("gen-") or "/" in name or not (gen / LAYOUT.manifest).is_file():
        raise IndexDamaged(root, f"CURRENT names '{name[:80]}', which is missing")
    return gen


def embed_hash(text: str) -> str:
    """The content hash that lets an unchanged chunk keep its vector."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


_SCHEMA = """
CREATE TABLE documents (
    name TEXT PRIMARY KEY, path TEXT, content_hash TEXT, title TEXT, number TEXT, issuer TEXT, date TEXT,
    years TEXT, n_chunks INTEGER, dropped_garbled INTEGER
);
CREATE TABLE chunks (
    row INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE NOT NULL, doc TEXT NOT NULL, section TEXT, text TEXT,
    year INTEGER, ordinal INTEGER, words TEXT, folded TEXT, embed_hash TEXT, page INTEGER
);
CREATE INDEX chunks_doc ON chunks(doc);
CREATE TABLE refs (
    ref TEXT, number TEXT, code TEXT, type TEXT, issuer TEXT, year INTEGER, date TEXT, partial INTEGER,
    doc TEXT, section TEXT, chunk_id TEXT, sentence TEXT
);
CREATE TABLE indicators (
    name TEXT, year INTEGER, kind TEXT, value REAL, unit TEXT, qualifier TEXT, raw TEXT, plan_ratio TEXT,
    total REAL, doc TEXT, section TEXT, chunk_id TEXT, sentence TEXT
);
CREATE TABLE indicator_names (row INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, embed_hash TEXT);
"""


def _bm25(token_lists: list[list[str]]):
    import logging

    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs each build at DEBUG, to the root handler

    model = bm25s.BM25()
    model.index(token_lists if token_lists else [[""]], show_progress=False)
    return model


def write_generation(
    root: Path,
    docs: list[DocRecord],
    chunks: list[Chunk],
    vectors: np.ndarray,
    embedder_name: str,
    embed_texts: list[str],
    parser_version: int = 0,
    indicators: list[Indicator] = (),
    names: tuple[list[str], np.ndarray] = ((), None),
) -> Path:
    """Write a complete generation and make it live. `chunks[i]` ↔ `vectors[i]` ↔ FAISS row i;
    `names` are the distinct indicator names with one vector each (matched by meaning in `compare`)."""
    import faiss

    if len(chunks) != len(vectors):
        raise ValueError("one vector per chunk")
    root.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    tmp = root / f".tmp-{stamp}-{os.getpid()}"
    final = root / f"gen-{stamp}"
    tmp.mkdir()
    try:
        db = sqlite3.connect(tmp / LAYOUT.db)
        db.executescript(_SCHEMA)
        db.executemany(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?)",
            [
                (d.name, d.path, d.content_hash, d.meta.title, d.meta.number, d.meta.issuer, d.meta.date,
                 json.dumps(list(d.meta.years)), d.n_chunks, d.dropped_garbled)
                for d in docs
            ],
        )
        db.executemany(
            "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [
                (i, c.chunk_id, c.doc, c.section, c.text, c.year, c.ordinal, c.words, c.folded, embed_hash(t),
                 c.page)
                for i, (c, t) in enumerate(zip(chunks, embed_texts, strict=True))
            ],
        )
        db.executemany(
            "INSERT INTO refs VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [(m.ref.ref, m.ref.number, m.ref.code, m.ref.type, m.ref.issuer, m.ref.year, m.ref.date,
              int(m.ref.partial), m.doc, m.section, m.chunk_id, m.sentence)
             for c in chunks for m in mentions_in(c)],
        )
        db.executemany(
            "INSERT INTO indicators VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [(i.name, i.year, i.kind.value, i.value, i.unit, i.qualifier, i.raw, i.plan_ratio, i.total, i.doc,
              i.section, i.chunk_id, i.text) for i in indicators],
        )
        db.executemany("INSERT INTO indicator_names VALUES (?,?,?)",
                       [(k, n, embed_hash(n)) for k, n in enumerate(names[0])])
        db.commit()
        db.close()
        dim = vectors.shape[1] if vectors.ndim == 2 and vectors.shape[1] else 0
        index = faiss.IndexFlatIP(dim or 1)
        if len(vectors):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        faiss.write_index(index, str(tmp / LAYOUT.dense))
        _bm25([c.words.split() for c in chunks]).save(str(tmp / LAYOUT.bm25_words), allow_pickle=False)
        _bm25([c.folded.split() for c in chunks]).save(str(tmp / LAYOUT.bm25_folded), allow_pickle=False)
        if names[1] is not None:
            np.save(tmp / LAYOUT.names, np.ascontiguousarray(names[1], dtype=np.float32), allow_pickle=False)
        accents = build_accent_map(c.words for c in chunks)
        (tmp / LAYOUT.accents).write_text(json.dumps(accents, ensure_ascii=False), encoding="utf-8")
        for f in tmp.rglob("*"):
            if f.is_file():
                with open(f, "rb") as fh:
                    os.fsync(fh.fileno())
        manifest = {
            "format_version": FORMAT_VERSION,
            "embedder": {"name": embedder_name, "dim": int(dim)},
            "parser_version": parser_version,
            "counts": {"documents": len(docs), "chunks": len(chunks), "indicators": len(indicators)},
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "documents": sorted(d.name for d in docs),
            "files": integrity.file_digests(tmp),
        }
        integrity.write_manifest(tmp, manifest)
        previous = _live_name(root)
        os.rename(tmp, final)
        pointer = root / f".CURRENT-{os.getpid()}"
        pointer.write_text(final.name + "\n", encoding="utf-8")
        with open(pointer, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(pointer, root / LAYOUT.current)  # the atomic switch
        fd = os.open(root, os.O_RDONLY)  # the renames themselves survive a power cut
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    integrity.collect_garbage(root, keep={final.name, previous})
    return final


def _live_name(root: Path) -> str:
    try:
        return (root / LAYOUT.current).read_text(encoding="utf-8").strip()
    except (OSError, ValueError):
        return ""


def read_manifest(gen: Path) -> dict:
    """The manifest of a generation (format 1 or 2); IndexDamaged when unreadable, IndexUnavailable when newer."""
    try:
        manifest = json.loads((gen / LAYOUT.manifest).read_text(encoding="utf-8"))
        version = manifest["format_version"]
        manifest["embedder"]["name"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise IndexDamaged(gen, f"unreadable manifest: {type(e).__name__} {e}") from None
    if not isinstance(version, int) or version < 1:
        raise IndexDamaged(gen, f"unknown format version {version!r}")
    if version > FORMAT_VERSION:
        raise IndexUnavailable(
            f"{gen}: this index was written by a newer tracuu (format {version}; this one reads up to "
            f"{FORMAT_VERSION}) — upgrade tracuu, or rebuild it with `tracuu ingest --rebuild` "
            "(chỉ mục do phiên bản tracuu mới hơn tạo: hãy cập nhật tracuu)"
        )
    if version == FORMAT_VERSION and not isinstance(manifest.get("files"), dict):
        raise IndexDamaged(gen, "the manifest lists no file checksums")
    return manifest


def salvage_documents(root: Path) -> dict[str, DocRecord]:
    """The document list of a damaged index, what a rebuild reads again: from the live generation's database if
    it still reads, else from the newest other generation's (a document removed since may come back)."""
    live = _live_name(root)
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
    return DocRecord(r["name"], r["path"], r["content_hash"], meta, r["n_chunks"], r["dropped_garbled"])


def _row_mention(r: sqlite3.Row) -> Mention:
    ref = Reference(r["ref"], r["number"], r["code"], r["type"], r["issuer"], r["year"], r["date"], 0, 0,
                    bool(r["partial"]))
    return Mention(ref, r["doc"], r["section"], r["chunk_id"], r["sentence"])


def _row_chunk(r: sqlite3.Row) -> Chunk:
    page = r["page"] if "page" in r.keys() else None  # indexes written before pages were kept have none
    return Chunk(r["chunk_id"], r["doc"], r["section"], r["text"], r["year"], r["ordinal"], r["words"], r["folded"],
                 page)


class IndexData:
    """A generation loaded in memory: what search and answer need, read once."""

    def __init__(self, gen: Path, verify_hashes: bool = True):
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
        if self.manifest["format_version"] < FORMAT_VERSION:
            self._migrate()

    def _load(self, gen: Path) -> None:
        import bm25s
        import faiss

        db = sqlite3.connect(f"file:{gen / LAYOUT.db}?mode=ro", uri=True)
        db.row_factory = sqlite3.Row
        with contextlib.closing(db):
            self.docs = {r["name"]: _row_doc(r) for r in db.execute("SELECT * FROM documents ORDER BY name")}
            # the segmented words and folded tokens stay on disk: only a re-ingest needs them
            has_page = any(c[1] == "page" for c in db.execute("PRAGMA table_info(chunks)"))
            rows = db.execute("SELECT row, chunk_id, doc, section, text, year, ordinal, '' AS words, '' AS folded, "
                              f"embed_hash, {'page' if has_page else 'NULL AS page'} FROM chunks ORDER BY row"
                              ).fetchall()
            self.chunks = [_row_chunk(r) for r in rows]
            self.embed_hashes = [r["embed_hash"] for r in rows]
            has_refs = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'refs'").fetchone()
            self.references = group([_row_mention(r) for r in db.execute("SELECT * FROM refs")]) if has_refs else []
        self.row_of = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        self.dense = faiss.read_index(str(gen / LAYOUT.dense))
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
        return self.manifest["embedder"]["name"]

    def vectors(self) -> np.ndarray:
        if not self.chunks:
            return np.zeros((0, self.dense.d), dtype=np.float32)
        return self.dense.reconstruct_n(0, self.dense.ntotal)

    def size_bytes(self) -> int:
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
        db = sqlite3.connect(f"file:{self.gen / LAYOUT.db}?mode=ro", uri=True)
        db.row_factory = sqlite3.Row
        with contextlib.closing(db):
            return [_row_chunk(r) for r in db.execute("SELECT * FROM chunks ORDER BY row")]


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
