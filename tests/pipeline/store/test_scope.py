"""A reader of collection A never receives a byte of a document only in collection B, at every read path of the
entry points (`pipeline.scoped`): ask passages and answer, references and their mentions, statuses and
relations, links between documents, indicators, comparisons and their sentences, the document table and counts.
Each check also runs over the whole index, where B's text does appear, so that it can fail."""

from __future__ import annotations

import json

import pytest

import pipeline
from pipeline.store.library import document_rows
from tests.conftest import DATA, SEED

A_DOCS = [SEED, DATA / "qd-1378-bnv.md"]  # the seed report; a decision citing nd-25 (which is in B)
B_DOCS = [DATA / "nd-25-2025-cp.md", DATA / "qd-63-2025-dongnai.md", DATA / "qd-2813-dongnai.md"]


@pytest.fixture(scope="module")
def two_collections(tmp_path_factory, fake_embedder):
    root = tmp_path_factory.mktemp("scope")
    pipeline.ingest(A_DOCS, fake_embedder, root=root, collection="a")
    pipeline.ingest(B_DOCS, fake_embedder, root=root, collection="b")
    return pipeline.open_index(root)


@pytest.fixture(scope="module")
def secrets_of_b(two_collections):
    """Strings that only B's documents hold: their names, titles, own numbers, and a phrase of each chunk."""
    index = two_collections
    a_text = " ".join(c.text for c in index.chunks if index.docs[c.doc].collection == "a")
    found = set()
    for name, d in index.docs.items():
        if d.collection != "b":
            continue
        found |= {name, d.meta.title[:60]} | ({d.meta.number} if d.meta.number else set())
        for c in index.chunks:
            if c.doc == name:
                words = c.text.split()
                found |= {" ".join(words[i:i + 6]) for i in range(0, max(1, len(words) - 6), 25)}
    return {s for s in found if len(s) >= 12 and s not in a_text}  # nothing A also says


def leaked(out: object, secrets: set[str]) -> list[str]:
    text = json.dumps(out, ensure_ascii=False, default=str)
    return sorted(s for s in secrets if s in text)


def _ask(index):
    answerer = pipeline.open_answerer(index, model=pipeline.load_embedder("fake"))
    questions = ["Nghị định 25/2025/NĐ-CP quy định chức năng nhiệm vụ gì?", "quyet dinh 63/2025 dong nai",
                 "Quyết định 2813 của UBND tỉnh Đồng Nai", "tang truong kinh te nam 2022"]
    return [answerer.ask(q, 10).to_json() for q in questions]


def _refs(index):
    refs = pipeline.open_refs(index)
    return [refs.match_json(m) for q in ("25/2025/NĐ-CP", "qd 63/2025", "2813/QĐ-UBND") for m in refs.lookup(q)]


def _reference_table(index):
    refs = pipeline.open_refs(index)
    return refs.rows() + [refs.match_json(m) for m in refs.references]


def _links(index):
    refs = pipeline.open_refs(index)
    return [vars(x) for x in refs.links()] + [vars(x) for d in index.docs for x in refs.cites(d) + refs.cited_by(d)]


def _relations(index):
    refs = pipeline.open_refs(index)
    return refs.relation_rows() + [refs.doc_status(d) and refs.doc_status(d).to_json() for d in index.docs]


def _compare(index):
    comparer = pipeline.open_comparer(index, model=pipeline.load_embedder("fake"))
    names = [n for n, _, _ in pipeline.indicator_list(index.indicators)]
    out = [comparer(name).to_json() for name in names[:40]]
    b_names = [i.name for i in comparer.data.indicators]
    return [names, b_names, *out, comparer("chỉ tiêu").to_json()]


def _indicators(index):
    return [vars(i) for i in index.indicators] + [index.indicator_names[0]]


def _library(index):
    return [document_rows(index), len(index.docs), len(index.chunks), [c.text for c in index.chunks]]


PATHS = {"ask": _ask, "refs lookup": _refs, "reference table": _reference_table, "links": _links,
         "relations and status": _relations, "compare": _compare, "indicators": _indicators,
         "library and counts": _library}


@pytest.mark.parametrize("path", list(PATHS))
def test_a_reader_of_a_never_receives_b_and_the_whole_index_does(path, two_collections, secrets_of_b):
    whole = PATHS[path](two_collections)
    if path not in ("compare", "indicators"):  # B holds one indicator statement: checked below for those two
        assert leaked(whole, secrets_of_b), f"{path}: the check would not see B's text even unscoped"
    view = pipeline.scoped(two_collections, ["a"])
    assert leaked(PATHS[path](view), secrets_of_b) == []


def test_b_has_an_indicator_and_a_link_that_the_scoped_view_drops(two_collections):
    b = {n for n, d in two_collections.docs.items() if d.collection == "b"}
    assert any(i.doc in b for i in two_collections.indicators)
    view = pipeline.scoped(two_collections, ["a"])
    assert view.indicators and all(i.doc not in b for i in view.indicators)
    whole = pipeline.open_refs(two_collections).links()
    assert any(x.citing == "qd-1378-bnv.md" and x.cited in b for x in whole)
    assert pipeline.open_refs(view).links() == []


def test_a_view_has_its_own_rows_and_search_returns_only_them(two_collections, fake_embedder):
    view = pipeline.scoped(two_collections, ["b"])
    assert set(view.docs) == {p.name for p in B_DOCS}
    assert len(view.chunks) == sum(d.n_chunks for d in view.docs.values())
    vector = fake_embedder.embed_query("Nghị định quy định chức năng nhiệm vụ")
    rows = view.dense_search(vector, k=1000)
    assert sorted(r for r, _ in rows) == list(range(len(view.chunks)))
    assert len(view.bm25_scores(["quyết_định"], folded=False)) == len(view.chunks)
    with pytest.raises(KeyError):
        view.chunk(next(c.chunk_id for c in two_collections.chunks if c.doc == SEED.name))
    assert pipeline.scoped(two_collections, ["b"]) is view  # built once per collection set
    assert pipeline.scoped(two_collections, None) is two_collections  # an admin reads the index itself


def test_a_collection_outside_the_index_sees_nothing(two_collections):
    view = pipeline.scoped(two_collections, ["noi-vu"])
    assert view.docs == {} and len(view.chunks) == 0 and view.references == []
    answer = pipeline.open_answerer(view, model=pipeline.load_embedder("fake")).ask("tăng trưởng kinh tế")
    assert answer.to_json()["passages"] == []
