"""tracuu: search and cited answers over Vietnamese government documents.

data/ → readers → clean → sections → chunk → segment → embed → store (index/) → search → answer → cli / app.py

The one way in, shared by the CLI, the app, bench/ and notebooks (heavy libraries load inside each call)::

    import pipeline
    answerer = pipeline.open_answerer("index")             # the index, its own embedder, the hybrid searcher
    answerer.ask("tang truong kinh te nam 2022").to_json()
    pipeline.open_comparer("index")("thu ngân sách")        # indicators side by side by year
    pipeline.open_refs("index").lookup("qd 996")             # references and the documents citing each other
    pipeline.ingest(["data/"], pipeline.load_embedder("e5-small"), root="index")

`index` is an index folder (default $TRACUU_INDEX, else ./index) or an index already opened with `open_index`,
so several entry points share one copy in memory. `model` is an embedder name (default: the one the index was
built with; an index refuses any other) or an `Embedder`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.ask.answer import Answerer
    from pipeline.embed import Embedder
    from pipeline.indicators.compare import Comparer
    from pipeline.protocol import IndexReader
    from pipeline.refs.catalog import RefCatalog
    from pipeline.search.fusion import Fusion
    from pipeline.store.library import Library

__version__ = "0.1.0"

# re-exported lazily (PEP 562): `pipeline.ingest` imports the ingest side only when first used
_LAZY = {
    "ingest": "pipeline.store.ingest",
    "load_embedder": "pipeline.embed",
    "Embedder": "pipeline.embed",
    "EmbedderError": "pipeline.embed",
    "IndexUnavailable": "pipeline.store.layout",
    "QuestionTooLong": "pipeline.ask.answer",
    "IndexReader": "pipeline.protocol",
    "Filters": "pipeline.search.filters",
    "match_docs": "pipeline.search.filters",
    "Fusion": "pipeline.search.fusion",
    "indicator_list": "pipeline.indicators.compare",
    # what the entry points return, for type hints (`pipeline.Answerer`)
    "Answerer": "pipeline.ask.answer",
    "Comparer": "pipeline.indicators.compare",
    "Comparison": "pipeline.indicators.compare",
    "RefCatalog": "pipeline.refs.catalog",
    "RefMatch": "pipeline.refs.references",
    "LegalStatus": "pipeline.refs.status",
    "Library": "pipeline.store.library",
    "AlreadyIndexed": "pipeline.store.library",
    "IngestReport": "pipeline.store.ingest",
    "Stage": "pipeline.store.ingest",
    "ReadOptions": "pipeline.types",
    "Settings": "pipeline.settings",
    # a shared server: who sees what (`scoped(index, account.sees)`), accounts, the ingest queue
    "scoped": "pipeline.store.scope",
    "collection_name": "pipeline.types",
    "DEFAULT_COLLECTION": "pipeline.types",
    "Accounts": "pipeline.access.accounts",
    "Account": "pipeline.access.accounts",
    "Role": "pipeline.access.accounts",
    "Refused": "pipeline.access.accounts",
    "Jobs": "pipeline.access.jobs",
    "Job": "pipeline.access.jobs",
    "JobState": "pipeline.access.jobs",
    "Worker": "pipeline.access.jobs",
    "upload_collections": "pipeline.access.permits",
    "upload_clash": "pipeline.access.permits",
    "removable": "pipeline.access.permits",
}

__all__ = ["open_index", "open_answerer", "open_comparer", "open_refs", "open_library", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")


def open_index(index: str | os.PathLike | IndexReader | None = None) -> IndexReader:
    """The live generation of the index folder, loaded and checked (IndexUnavailable says how to build or
    rebuild it); an index already open is returned as it is."""
    if index is not None and not isinstance(index, (str, os.PathLike)):
        return index
    from pipeline.store.reader import open_index as load

    return load(index)


def _embedder(model: str | Embedder | None, index: IndexReader) -> Embedder:
    """`model` loaded (a name) or as given; by default the embedder the index was built with."""
    from pipeline.embed import load_embedder

    if model is None:
        return load_embedder(index.embedder_name)
    return load_embedder(model) if isinstance(model, str) else model


def open_answerer(index: str | os.PathLike | IndexReader | None = None, model: str | Embedder | None = None,
                  fusion: Fusion | str = "convex") -> Answerer:
    """Questions answered from the index: dense + BM25 words + BM25 folded, fused by `fusion` (``convex``
    default, or ``rrf``), then the answering sentence(s) with their [n]. Serves with one thread per library."""
    from pipeline.settings import serve_queries_single_threaded

    serve_queries_single_threaded()
    from pipeline.ask.answer import Answerer
    from pipeline.search.fusion import Fusion
    from pipeline.search.hybrid import HybridSearcher

    data = open_index(index)
    searcher = HybridSearcher.over(data, _embedder(model, data), fusion=Fusion(fusion))
    return Answerer(searcher, data)


def open_comparer(index: str | os.PathLike | IndexReader | None = None,
                  model: str | Embedder | None = None) -> Comparer:
    """Indicators compared across years (`Comparer(query, years, docs)`), names embedded by the index's
    embedder."""
    from pipeline.settings import serve_queries_single_threaded

    serve_queries_single_threaded()
    from pipeline.indicators.compare import Comparer
    from pipeline.search.retrievers import check_embedder

    data = open_index(index)
    return Comparer(data, check_embedder(data, _embedder(model, data)))


def open_refs(index: str | os.PathLike | IndexReader | None = None) -> RefCatalog:
    """The index's references, which indexed document bears which number and which cites which."""
    from pipeline.refs.catalog import RefCatalog

    return RefCatalog(open_index(index))


def open_library(index: str | os.PathLike | None = None) -> Library:
    """The index folder as staff manage it: live generation, document table, uploads, removal (nothing loaded)."""
    from pipeline.store.library import Library

    return Library(index)
