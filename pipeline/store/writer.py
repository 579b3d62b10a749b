"""Writing a generation: a whole new folder built under a temporary name, renamed into place, then CURRENT
replaced atomically; a crash or Ctrl-C at any point leaves the previous generation live. The previous
generation is kept after a switch, so a reader that resolved CURRENT just before it still finds its files;
older ones are removed. The writer only writes: everything it stores was derived by ingest."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from pipeline.refs.references import Reference
from pipeline.store import integrity
from pipeline.store.dense import DensePlan, build_dense
from pipeline.store.derived import Derived
from pipeline.store.layout import FORMAT_VERSION, LAYOUT, embed_hash, live_name

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


def _bm25(token_lists: list[list[str]]):
    import logging

    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs each build at DEBUG, to the root handler

    model = bm25s.BM25()
    model.index(token_lists if token_lists else [[""]], show_progress=False)
    return model


def write_generation(root: Path, derived: Derived, embedder_name: str, parser_version: int = 0,
                     dense: DensePlan | None = None) -> Path:
    """Write a complete generation of what ingest `derived` and make it live (see `Derived` for which row is
    which); the manifest names `embedder_name` and `parser_version`, and the dense index `dense` asks for
    (default: ``TRACUU_DENSE``), which it records."""
    import faiss

    root.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    tmp = root / f".tmp-{stamp}-{os.getpid()}"
    final = root / f"gen-{stamp}"
    tmp.mkdir()
    try:
        _write_db(tmp / LAYOUT.db, derived)
        vectors, chunks = derived.vectors, derived.chunks
        dim = vectors.shape[1] if vectors.ndim == 2 and vectors.shape[1] else 0
        built = build_dense(vectors, dense)  # exact, or HNSW at its measured recall (pipeline/store/dense.py)
        faiss.write_index(built.index, str(tmp / LAYOUT.dense))
        _bm25([c.words.split() for c in chunks]).save(str(tmp / LAYOUT.bm25_words), allow_pickle=False)
        _bm25([c.folded.split() for c in chunks]).save(str(tmp / LAYOUT.bm25_folded), allow_pickle=False)
        if derived.name_vectors is not None:
            np.save(tmp / LAYOUT.names, np.ascontiguousarray(derived.name_vectors, dtype=np.float32),
                    allow_pickle=False)
        (tmp / LAYOUT.accents).write_text(json.dumps(derived.accents, ensure_ascii=False), encoding="utf-8")
        for f in tmp.rglob("*"):
            if f.is_file():
                with open(f, "rb") as fh:
                    os.fsync(fh.fileno())
        manifest = {
            "format_version": FORMAT_VERSION,
            "embedder": {"name": embedder_name, "dim": int(dim)},
            "parser_version": parser_version,
            "counts": {"documents": len(derived.docs), "chunks": len(chunks), "indicators": len(derived.indicators)},
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "documents": sorted(d.name for d in derived.docs),
            "dense": built.record.to_json(),
            "files": integrity.file_digests(tmp),
        }
        integrity.write_manifest(tmp, manifest)
        previous = live_name(root)
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


def _ref_row(r: Reference | None) -> tuple:
    """A number's columns (ref, number, code, type, issuer, year, date); NULLs for none."""
    return (r.ref, r.number, r.code, r.type, r.issuer, r.year, r.date) if r else (None,) * 7


def _write_db(path: Path, derived: Derived) -> None:
    """chunks.sqlite: documents, chunks (row = FAISS row), references, indicators, indicator names, relations
    and effective dates."""
    db = sqlite3.connect(path)
    db.executescript(_SCHEMA)
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
