"""Indexes as earlier versions of tracuu wrote them, built from a current one: what users already have on disk,
so that tests check such an index still opens and migrates."""

from pathlib import Path

import numpy as np

from pipeline.store.ingest import derive
from pipeline.store.reader import open_index
from pipeline.store.writer import write_single_folder


def as_single_folder(root: Path) -> Path:
    """The live generation of `root` written again as format 2 (one folder of files, BM25 as bm25s scores,
    as every index was before segments) and made live; its folder."""
    data = open_index(root)
    docs = list(data.docs.values())
    chunks = data.chunks_with_tokens()
    texts = [c.embed_text(data.docs[c.doc].meta.title) for c in chunks]
    names, vectors = data.indicator_names
    known = dict(zip(names, vectors, strict=True)) if vectors is not None else {}
    dim = data.manifest["embedder"]["dim"]
    derived = derive(docs, chunks, texts, data.vectors(),
                     lambda wanted: np.stack([known[n] for n in wanted]) if wanted else np.zeros((0, dim), np.float32),
                     pending=[int(r) for r in np.flatnonzero(data.pending)])
    return write_single_folder(root, derived, data.embedder_name, data.manifest["parser_version"])
