"""pipeline/refs/catalog.py: lookups over a loaded index's references through indexes built once per catalog
(references by number, documents by their own number, links by document), giving what reading everything gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.embed import FakeEmbedder
from pipeline.refs import catalog as catalog_module
from pipeline.refs.catalog import RefCatalog
from pipeline.refs.links import cited_by, cites, documents_numbered
from pipeline.refs.references import lookup
from pipeline.store.ingest import ingest
from pipeline.store.reader import open_index

DATA = Path(__file__).resolve().parents[2] / "data"
DOCS = sorted(DATA.glob("*.md"))  # the real decisions: Nghị định 25/2025/NĐ-CP, Quyết định 1378/QĐ-BNV …

QUERIES = ["qd 996", "59/2019/ND-CP", "quyết định 97", "qd 97/2025", "qd 097/2025", "97/2025/QĐ-UBND", "nq 12/2025",
           "nd 25/2025", "25/2025/NĐ-CP", "nghi dinh 25", "qd 1378", "1378/QĐ-BNV", "nghi dinh 1378", "qd 65/2024",
           "qd 0065", "95/2025/QĐ-UBND", "qd 63/2025", "2813/QĐ-UBND", "qd 32", "nghị định 30/2025", "luật 99999",
           "31337", "quyết định", "nd", "không có số", ""]


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> RefCatalog:
    root = tmp_path_factory.mktemp("catalog")
    ingest(DOCS, FakeEmbedder(), root=root)
    return RefCatalog(open_index(root))


def _queries(catalog: RefCatalog) -> list[str]:
    return [*QUERIES, *(m.ref for m in catalog.references), *(f"{m.type or ''} {m.number}" for m in catalog.references)]


def test_lookup_and_query_json_return_what_reading_every_reference_returns(catalog: RefCatalog):
    refs = catalog.references
    assert len(refs) > 20 and catalog.lookup("nd 25/2025") and not catalog.lookup("luật 99999")
    for q in _queries(catalog):
        expected = lookup(refs, q)
        assert catalog.lookup(q) == expected, q
        assert catalog.query_json(q) == {"query": q, "matches": [catalog.match_json(m) for m in expected]}, q
        assert catalog.query_json(q, refs) == catalog.query_json(q), q


def test_a_subset_of_the_references_is_looked_up_in_the_subset_only(catalog: RefCatalog):
    among = [m for m in catalog.references if m.number != "25"]
    assert catalog.lookup("nd 25/2025") and catalog.lookup("nd 25/2025", among) == []
    for q in _queries(catalog):
        assert catalog.lookup(q, among) == lookup(among, q), q
        assert catalog.query_json(q, tuple(among))["matches"] == [catalog.match_json(m) for m in lookup(among, q)]


def test_the_number_index_is_built_once_per_catalog_not_per_query(catalog: RefCatalog, monkeypatch):
    built = []

    class Counting(catalog_module.RefLookup):
        def __init__(self, matches_):
            built.append(len(matches_))
            super().__init__(matches_)

    monkeypatch.setattr(catalog_module, "RefLookup", Counting)
    fresh = RefCatalog(catalog.index, catalog.graph)
    for q in QUERIES * 3:
        fresh.lookup(q)
        fresh.query_json(q)
    assert built == [len(catalog.references)]


def test_numbered_and_links_by_document_return_what_reading_every_document_returns(catalog: RefCatalog):
    assert catalog.numbered("nd 25/2025") == ["nd-25-2025-cp.md"]
    for q in _queries(catalog):
        assert catalog.numbered(q) == documents_numbered(catalog.index, q), q
    assert catalog.graph.links
    for doc in [*catalog.docs, "absent.md"]:
        assert catalog.cites(doc) == cites(catalog.graph.links, doc)
        assert catalog.cited_by(doc) == cited_by(catalog.graph.links, doc)


def test_a_documents_own_relations_are_found_by_its_name(catalog: RefCatalog):
    st = catalog.statuses
    assert any(r.subject is None for r in st.relations) and any(r.subject is not None for r in st.relations)
    for doc in catalog.docs:
        assert st._stated_by.get(doc, []) == [r for r in st.relations if r.subject is None and r.doc == doc]
