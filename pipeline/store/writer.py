"""Writing a generation: a whole new folder built under a temporary name, renamed into place, then CURRENT
replaced atomically; a crash or Ctrl-C at any point leaves the previous generation live. The previous
generation is kept after a switch, so a reader that resolved CURRENT just before it still finds its files;
older ones are removed. The writer only writes: everything it stores was derived by ingest.

A generation is a list of segments (pipeline/store/layout.py). `write_segments` writes one from the live one:
the segments that stay are shared by hard link, documents removed or replaced get their tombstones, segments
merged away are left out, and what was added is written as one new segment — work in proportion to what changed.
`write_generation` writes a generation of one segment holding everything (a first ingest, a rebuild), and
`write_vectors` a vectors-only generation: one segment's vectors filled in, every other file shared.
`write_single_folder` writes format 2, what tracuu wrote before segments: the indexes users already have."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from pipeline.refs.references import Reference
from pipeline.settings import DenseChoice
from pipeline.store import integrity
from pipeline.store.dense import DensePlan, DenseRecord, build_dense
from pipeline.store.derived import Derived
from pipeline.store.layout import FORMAT_VERSION, LAYOUT, SINGLE_FOLDER, embed_hash, live_name, read_manifest
from pipeline.text.accents import best_spellings

_SCHEMA = """
CREATE TABLE documents (
    name TEXT PRIMARY KEY, path TEXT, content_hash TEXT, title TEXT, number TEXT, issuer TEXT, date TEXT,
    years TEXT, n_chunks INTEGER, dropped_garbled INTEGER, collection TEXT NOT NULL DEFAULT 'chung'
);
CREATE TABLE chunks (
    row INTEGER PRIMARY KEY, chunk_id TEXT UNIQUE NOT NULL, doc TEXT NOT NULL, section TEXT, text TEXT,
    year INTEGER, ordinal INTEGER, words TEXT, folded TEXT, embed_hash TEXT, page INTEGER,
    headings TEXT, footnotes TEXT,  -- JSON: [[kind, label, title], …] and [[number, body], …]
    rows TEXT  -- JSON: the table rows it holds, [[kind, table, cells, header, context, caption, unit], …]
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
CREATE TABLE relations (  -- subject_*: NULL when the stating document (doc) is the subject
    type TEXT, ref TEXT, number TEXT, code TEXT, ref_type TEXT, issuer TEXT, year INTEGER, date TEXT,
    subject_ref TEXT, subject_number TEXT, subject_code TEXT, subject_type TEXT, subject_issuer TEXT,
    subject_year INTEGER, subject_date TEXT, scope TEXT, effective TEXT, doc TEXT, section TEXT, chunk_id TEXT,
    sentence TEXT
);
CREATE TABLE in_force (doc TEXT, date TEXT, chunk_id TEXT, sentence TEXT);
"""
# a segment finds the vector of an unchanged text by its hash without reading every row
_SEGMENT_INDEXES = "CREATE INDEX chunks_embed_hash ON chunks(embed_hash);"


def _bm25(token_lists: list[list[str]]):
    import logging

    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs each build at DEBUG, to the root handler

    model = bm25s.BM25()
    model.index(token_lists if token_lists else [[""]], show_progress=False)
    return model


def write_generation(root: Path, derived: Derived, embedder_name: str, parser_version: int = 0,
                     dense: DensePlan | None = None) -> Path:
    """Write a generation of one segment holding all of `derived` and make it live (see `Derived` for which row
    is which); the manifest names `embedder_name` and `parser_version`, and the dense index `dense` asks for
    (default: ``TRACUU_DENSE``), which it records. Rows `derived.pending` are written without their vectors
    (zeros, listed in ``pending.npy``): `write_vectors` fills them in later."""
    return write_segments(root, None, derived, embedder_name, parser_version, dense=dense)


def write_segments(root: Path, base: Path | None, add: Derived | None, embedder_name: str, parser_version: int,
                   delete: Mapping[str, Iterable[str]] | None = None, drop: Iterable[str] = (),
                   dense: DensePlan | None = None, keep: Iterable[str] = ()) -> Path:
    """A generation made live that holds the segments of `base` (a format-3 generation; None: none), less those
    named in `drop`, with the documents `delete` names (segment → document names) tombstoned, and `add` (when
    it holds anything) written as one new segment. Every file of a kept segment is shared with `base` by hard
    link and its checksum copied from `base`'s manifest. Garbage collection spares `keep` too."""
    old = read_manifest(base) if base is not None else None
    if old is not None and old["format_version"] <= SINGLE_FOLDER:
        raise ValueError(f"{base}: a format-{old['format_version']} generation has no segments to keep")
    delete, drop = delete or {}, set(drop)

    def build(tmp: Path) -> dict:
        entries: list[dict] = []
        files: dict[str, dict] = {}
        written: list[Path] = []
        kept = old["segments"] if old is not None else []
        for entry in kept:
            assert old is not None and base is not None
            if entry["name"] in drop:
                continue
            gone = set(delete.get(entry["name"], ())) - set(entry["deleted"])
            if gone:
                entry = _with_live(base / entry["name"], {**entry, "deleted": sorted({*entry["deleted"], *gone})})
            files.update(_share_segment(base, tmp, entry["name"], old["files"], written))
            entries.append(entry)
        if add is not None and (add.docs or add.chunks):
            entry = _write_segment(tmp, add, dense)
            files.update(integrity.file_digests(tmp, only=_segment_files(tmp / entry["name"], tmp)))
            written.extend((tmp / entry["name"]).rglob("*"))
            entries.append(entry)
        _sync(tmp, [f for f in written if f.is_file()])
        dim = add.vectors.shape[1] if add is not None and add.vectors.ndim == 2 and add.vectors.shape[1] else (
            old["embedder"]["dim"] if old else 0)
        return _manifest(embedder_name, int(dim), parser_version, entries, files)

    return _commit(root, build, keep)


def write_vectors(root: Path, base: Path, segment: str, vectors: np.ndarray, pending: Sequence[int],
                  keep: Iterable[str] = ()) -> Path:
    """A vectors-only generation over `base` (the live one), made live as `write_segments` makes its own: a new
    ``dense.faiss`` for `segment` of `vectors` (one per row of the segment, zeros where still `pending`, its
    rows), the rows still `pending`, and every other file of `base` shared: a hard link (a file is never
    modified once written, so two generations can hold it; removing the older one only unlinks its name), or a
    copy where links are refused (another filesystem). The manifest copies the shared files' checksums from
    `base`'s instead of hashing them again, so a shared file damaged since is caught at open, never blessed.
    Garbage collection spares the generations named in `keep` too (an ingest keeps the one that was live when
    it started, however fast its own follow)."""
    manifest = read_manifest(base)
    entry = next((e for e in manifest.get("segments", []) if e["name"] == segment), None)
    if entry is None:
        raise ValueError(f"{base}: no segment {segment}")
    dim = manifest["embedder"]["dim"]
    if len(vectors) != entry["rows"] or (len(vectors) and vectors.shape[1] != dim):
        raise ValueError(f"{vectors.shape} vectors for a segment of {entry['rows']} chunks of {dim} dims")
    own = (f"{segment}/{LAYOUT.dense}", f"{segment}/{LAYOUT.pending}")
    shared = {rel: digest for rel, digest in manifest["files"].items() if rel not in own}

    def build(tmp: Path) -> dict:
        copied = [tmp / rel for rel in shared if not _share(base / rel, tmp / rel)]
        (tmp / segment).mkdir(exist_ok=True)
        _, record = _write_dense(tmp / own[0], vectors, None, bool(pending))
        _write_pending(tmp / segment, pending)
        _sync(tmp, [*copied, *(tmp / rel for rel in own if (tmp / rel).exists())])
        filled = _with_live(tmp / segment, {**entry, "pending": len(pending), "dense": record.to_json()})
        entries = [filled if e["name"] == segment else e for e in manifest["segments"]]
        return _manifest(manifest["embedder"]["name"], dim, manifest["parser_version"], entries,
                         {**shared, **integrity.file_digests(tmp, only=own)}, vectors_over=base.name)

    return _commit(root, build, keep)


def write_single_folder(root: Path, derived: Derived, embedder_name: str, parser_version: int = 0) -> Path:
    """A format-2 generation of `derived` (one folder of files, BM25 as bm25s scores), as tracuu wrote every
    index before segments: what tests and benchmarks build to check that such an index opens and migrates."""

    def build(tmp: Path) -> dict:
        _write_db(tmp / LAYOUT.db, derived)
        dim, record = _write_dense(tmp / LAYOUT.dense, derived.vectors, None, bool(derived.pending))
        _bm25([c.words.split() for c in derived.chunks]).save(str(tmp / "bm25_words"), allow_pickle=False)
        _bm25([c.folded.split() for c in derived.chunks]).save(str(tmp / "bm25_folded"), allow_pickle=False)
        if derived.name_vectors is not None:
            np.save(tmp / LAYOUT.names, np.ascontiguousarray(derived.name_vectors, dtype=np.float32),
                    allow_pickle=False)
        (tmp / LAYOUT.accents).write_text(json.dumps(best_spellings([derived.accents]), ensure_ascii=False),
                                          encoding="utf-8")
        _write_pending(tmp, derived.pending)
        _sync(tmp, [f for f in tmp.rglob("*") if f.is_file()])
        return {
            "format_version": SINGLE_FOLDER, "embedder": {"name": embedder_name, "dim": int(dim)},
            "parser_version": parser_version,
            "counts": {"documents": len(derived.docs), "chunks": len(derived.chunks),
                       "indicators": len(derived.indicators), "pending": len(derived.pending)},
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "documents": sorted(d.name for d in derived.docs), "dense": record.to_json(),
            "files": integrity.file_digests(tmp),
        }

    return _commit(root, build)


def _manifest(embedder_name: str, dim: int, parser_version: int, entries: list[dict], files: dict[str, dict],
              **more: object) -> dict:
    """A format-3 manifest: its counts are the live rows, documents, indicators and pending rows of `entries`."""
    counts = {k: sum(e["live"][k] for e in entries) for k in ("documents", "chunks", "indicators", "pending")}
    return {"format_version": FORMAT_VERSION, "embedder": {"name": embedder_name, "dim": dim},
            "parser_version": parser_version, "counts": counts,
            "created": datetime.now(UTC).isoformat(timespec="seconds"), **more, "segments": entries, "files": files}


def _segment_name() -> str:
    return f"{LAYOUT.segment}{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%f')}-{os.getpid()}"


def _segment_files(folder: Path, gen: Path) -> list[str]:
    """The files of a segment folder, relative to its generation."""
    return sorted(f.relative_to(gen).as_posix() for f in folder.rglob("*") if f.is_file())


def _write_segment(gen: Path, derived: Derived, dense: DensePlan | None) -> dict:
    """A new segment of `derived` in the generation folder `gen` being written; its manifest entry."""
    from pipeline.store.postings import Postings

    name = _segment_name()
    folder = gen / name
    folder.mkdir()
    _write_db(folder / LAYOUT.db, derived, _SEGMENT_INDEXES)
    _, record = _write_dense(folder / LAYOUT.dense, derived.vectors, dense, bool(derived.pending))
    Postings.build([c.words.split() for c in derived.chunks]).save(folder / LAYOUT.words)
    Postings.build([c.folded.split() for c in derived.chunks]).save(folder / LAYOUT.folded)
    if derived.name_vectors is not None:
        np.save(folder / LAYOUT.names, np.ascontiguousarray(derived.name_vectors, dtype=np.float32),
                allow_pickle=False)
    (folder / LAYOUT.accents).write_text(json.dumps(derived.accents, ensure_ascii=False), encoding="utf-8")
    (folder / LAYOUT.accent_pairs).write_text(json.dumps(derived.accent_pairs, ensure_ascii=False), encoding="utf-8")
    _write_pending(folder, derived.pending)
    stored = {"documents": len(derived.docs), "chunks": len(derived.chunks), "indicators": len(derived.indicators),
              "pending": len(derived.pending)}
    return {"name": name, "rows": len(derived.chunks), "documents": len(derived.docs),
            "indicators": len(derived.indicators), "pending": len(derived.pending), "deleted": [], "live": stored,
            "dense": record.to_json()}


def _with_live(folder: Path, entry: dict) -> dict:
    """`entry` with its ``live`` counts: its stored rows, documents, indicators and pending rows less those of
    its deleted documents (read from the segment's database, by document: the cost of what was deleted)."""
    deleted = json.dumps(entry["deleted"], ensure_ascii=False)
    db = sqlite3.connect(f"file:{folder / LAYOUT.db}?mode=ro", uri=True)
    try:
        gone_rows = [r for (r,) in db.execute("SELECT row FROM chunks WHERE doc IN (SELECT value FROM json_each(?))",
                                              (deleted,))]
        gone_docs, gone_indicators = (db.execute(f"SELECT COUNT(*) FROM {t} WHERE {c} IN "  # fixed names, never input
                                                 "(SELECT value FROM json_each(?))", (deleted,)).fetchone()[0]
                                      for t, c in (("documents", "name"), ("indicators", "doc")))
    finally:
        db.close()
    pending = np.load(folder / LAYOUT.pending, allow_pickle=False) if (folder / LAYOUT.pending).exists() else []
    live_pending = len(np.setdiff1d(np.asarray(pending, dtype=np.int64), np.asarray(gone_rows, dtype=np.int64)))
    live = {"documents": entry["documents"] - gone_docs, "chunks": entry["rows"] - len(gone_rows),
            "indicators": entry["indicators"] - gone_indicators, "pending": live_pending}
    return {**entry, "live": live}


def _share_segment(base: Path, tmp: Path, name: str, digests: dict[str, dict], copied: list[Path]
                   ) -> dict[str, dict]:
    """Every file of segment `name` of `base` shared into `tmp` (hard links; copies, added to `copied`, where
    links are refused); their checksums as `base`'s manifest has them."""
    mine = {rel: d for rel, d in digests.items() if rel.startswith(name + "/")}
    for rel in mine:
        if not _share(base / rel, tmp / rel):
            copied.append(tmp / rel)
    return mine


def _commit(root: Path, build: Callable[[Path], dict], keep: Iterable[str] = ()) -> Path:
    """A new generation: `build` writes its files into a temporary folder and returns its manifest; the folder is
    then renamed into place and made live (`_publish`), or removed when anything fails or is interrupted. Garbage
    collection then spares the new generation, the one before it, and `keep`."""
    tmp, final = _new_folder(root)
    try:
        previous = _publish(root, tmp, final, build(tmp))
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    integrity.collect_garbage(root, keep={final.name, previous, *keep})
    return final


def _new_folder(root: Path) -> tuple[Path, Path]:
    """The temporary folder a generation is written in (created), and the name it will be renamed to."""
    root.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    tmp = root / f".tmp-{stamp}-{os.getpid()}"
    tmp.mkdir()
    return tmp, root / f"gen-{stamp}"


def _write_dense(path: Path, vectors: np.ndarray, plan: DensePlan | None, pending: bool) -> tuple[int, DenseRecord]:
    """dense.faiss: one vector per row, FAISS row = chunk row — exact, or HNSW at its measured recall
    (pipeline/store/dense.py) once no row waits for its vector: while some do, every checkpoint writes the exact
    index (a graph rebuilt at each would cost more than the embedding it saves). The dimension written (0 when
    there is none) and what was built."""
    import faiss

    dim = vectors.shape[1] if vectors.ndim == 2 and vectors.shape[1] else 0
    if pending:
        plan = replace(plan or DensePlan.from_settings(), choice=DenseChoice.FLAT)
    built = build_dense(vectors, plan)
    faiss.write_index(built.index, str(path))
    return dim, built.record


def _write_pending(folder: Path, pending: Sequence[int]) -> None:
    """pending.npy: the rows still without a vector, when there are any."""
    if len(pending):
        np.save(folder / LAYOUT.pending, np.asarray(pending, dtype=np.int64), allow_pickle=False)


def _share(src: Path, dst: Path) -> bool:
    """`dst` made a hard link to `src` (True), else a copy of it (False: a link is refused across filesystems,
    on a filesystem without links, past the link limit)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
        return True
    except OSError:
        shutil.copyfile(src, dst)
        return False


def _sync(folder: Path, files: Iterable[Path]) -> None:
    """`files` and the folders of `folder` (their entries) on disk before the generation is switched in."""
    for f in files:
        with open(f, "rb") as fh:
            os.fsync(fh.fileno())
    for d in [folder, *(p for p in folder.rglob("*") if p.is_dir())]:
        _sync_dir(d)


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _publish(root: Path, tmp: Path, final: Path, manifest: dict) -> str:
    """Write the manifest of the generation built in `tmp`, rename it to `final` and switch CURRENT to it
    atomically; the name of the generation that was live before."""
    integrity.write_manifest(tmp, manifest)
    previous = live_name(root)
    os.rename(tmp, final)
    pointer = root / f".CURRENT-{os.getpid()}"
    pointer.write_text(final.name + "\n", encoding="utf-8")
    with open(pointer, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(pointer, root / LAYOUT.current)  # the atomic switch
    _sync_dir(root)  # the renames themselves survive a power cut
    return previous


def _ref_row(r: Reference | None) -> tuple:
    """A number's columns (ref, number, code, type, issuer, year, date); NULLs for none."""
    return (r.ref, r.number, r.code, r.type, r.issuer, r.year, r.date) if r else (None,) * 7


def _write_db(path: Path, derived: Derived, more_schema: str = "") -> None:
    """chunks.sqlite: documents, chunks (row = FAISS row), references, indicators, indicator names, relations
    and effective dates."""
    db = sqlite3.connect(path)
    db.executescript(_SCHEMA + more_schema)
    db.executemany(
        "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        [
            (d.name, d.path, d.content_hash, d.meta.title, d.meta.number, d.meta.issuer, d.meta.date,
             json.dumps(list(d.meta.years)), d.n_chunks, d.dropped_garbled, d.collection)
            for d in derived.docs
        ],
    )
    db.executemany(
        "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            (i, c.chunk_id, c.doc, c.section, c.text, c.year, c.ordinal, c.words, c.folded, embed_hash(t), c.page,
             json.dumps([h.to_row() for h in c.headings], ensure_ascii=False),
             json.dumps([list(f) for f in c.footnotes], ensure_ascii=False),
             json.dumps([r.to_row() for r in c.rows], ensure_ascii=False) if c.rows else None)
            for i, (c, t) in enumerate(zip(derived.chunks, derived.embed_texts, strict=True))
        ],
    )
    db.executemany(
        "INSERT INTO refs VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        [(m.ref.ref, m.ref.number, m.ref.code, m.ref.type, m.ref.issuer, m.ref.year, m.ref.date,
          int(m.ref.partial), m.doc, m.section, m.chunk_id, m.sentence) for m in derived.mentions],
    )
    db.executemany(
        "INSERT INTO indicators VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [(i.name, i.year, i.kind.value, i.value, i.unit, i.qualifier, i.raw, i.plan_ratio, i.total, i.doc,
          i.section, i.chunk_id, i.text) for i in derived.indicators],
    )
    db.executemany("INSERT INTO indicator_names VALUES (?,?,?)",
                   [(k, n, embed_hash(n)) for k, n in enumerate(derived.names)])
    db.executemany("INSERT INTO relations VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                   [(r.type.value, *_ref_row(r.other), *_ref_row(r.subject), r.scope, r.effective, r.doc, r.section,
                     r.chunk_id, r.sentence) for r in derived.relations])
    db.executemany("INSERT INTO in_force VALUES (?,?,?,?)",
                   [(f.doc, f.date, f.chunk_id, f.sentence) for f in derived.in_force])
    db.commit()
    db.close()
