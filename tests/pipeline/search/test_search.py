import numpy as np
import pytest

from pipeline.embed import FakeEmbedder
from pipeline.search.filters import Filters, match_docs
from pipeline.search.fusion import Fusion, convex_fusion, reciprocal_rank_fusion
from pipeline.search.hybrid import HybridSearcher
from pipeline.search.query import Query
from pipeline.search.retrievers import BM25Retriever, DenseRetriever, default_retrievers
from pipeline.store.layout import IndexUnavailable
from pipeline.store.reader import open_index
from pipeline.text.accents import restore
from pipeline.text.segment import folded_tokens, words
from pipeline.types import Hit


def test_faiss_results_match_brute_force_cosine(seed_index_fake):
    data = open_index(seed_index_fake)
    emb = FakeEmbedder()
    dense = DenseRetriever(data, emb)
    q = "tổng thu ngân sách nhà nước"
    hits = dense.search(Query.of(q), 10)
    scores = data.vectors() @ emb.embed_query(q)
    expected = np.argsort(-scores, kind="stable")[:10]
    assert [data.row_of(h.chunk_id) for h in hits][:3] == list(expected[:3])
    assert [h.score for h in hits] == pytest.approx(list(scores[expected]), abs=1e-5)


def test_bm25_over_words_agrees_with_a_reference_bm25(seed_index_fake):
    """bm25s (Lucene variant) against a direct implementation of the same formula."""
    data = open_index(seed_index_fake)
    bm = BM25Retriever(data, folded=False)
    docs = [c.words.split() for c in data.chunks_with_tokens()]
    avgdl = sum(map(len, docs)) / len(docs)
    query = ["ngân_sách", "thu"]
    k1, b, n = 1.5, 0.75, len(docs)

    def ref(doc):
        s = 0.0
        for t in query:
            df = sum(t in d for d in docs)
            tf = doc.count(t)
            idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
            s += idf * tf / (tf + k1 * (1 - b + b * len(doc) / avgdl))
        return s

    expected = sorted(range(n), key=lambda i: -ref(docs[i]))[:5]
    got = [data.row_of(h.chunk_id) for h in bm.search(Query.of("ngân sách thu"), 5)]
    assert got == expected


def test_unaccented_nfd_and_old_tone_queries_find_the_same_passage(seed_index_fake):
    import unicodedata

    s = HybridSearcher.over(open_index(seed_index_fake), FakeEmbedder())
    clean = s.search("Sản xuất nông nghiệp thủy sản tổng đàn lợn", 3)[0].chunk_id
    for q in ("san xuat nong nghiep thuy san tong dan lon",
              unicodedata.normalize("NFD", "Sản xuất nông nghiệp thủy sản tổng đàn lợn"),
              "Sản xuất nông nghiệp thuỷ sản tổng đàn lợn"):
        assert s.search(q, 3)[0].chunk_id == clean, q


def test_filters_by_document_and_year(seed_index_fake):
    data = open_index(seed_index_fake)
    s = HybridSearcher.over(data, FakeEmbedder())
    hits = s.search("hỗ trợ chi phí tư vấn pháp luật", 5, Filters(docs=("qd-97",)))
    assert hits and all(h.chunk_id.startswith("qd-97-2025-ubnd.md#") for h in hits)
    hits = s.search("tăng trưởng kinh tế", 10, Filters(year=2023))
    years = {data.chunks[data.row_of(h.chunk_id)].year for h in hits}
    assert years == {2023}
    with pytest.raises(IndexUnavailable, match="no indexed document"):
        s.search("x", 3, Filters(docs=("khong-co",)))


def _reference_search(data, emb, query, k, fusion, allowed=None, depth=50):
    """The searcher as it was written before retrievers were composed: bm25s models and a flat FAISS index
    built here from the index's own tokens and vectors, called directly."""
    import bm25s
    import faiss

    flat = faiss.IndexFlatIP(data.vectors().shape[1])
    flat.add(data.vectors())
    stored = data.chunks_with_tokens()
    by_words, by_folded = bm25s.BM25(), bm25s.BM25()
    by_words.index([c.words.split() for c in stored], show_progress=False)
    by_folded.index([c.folded.split() for c in stored], show_progress=False)
    accented = restore(query, data.accents)
    q = emb.embed_query(accented).reshape(1, -1).astype(np.float32)
    params = None
    if allowed is not None:
        params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(np.flatnonzero(allowed).astype(np.int64)))
    scores, rows = flat.search(q, min(depth, flat.ntotal), params=params)
    runs = [[Hit(data.chunks[r].chunk_id, float(s), "dense")
             for s, r in zip(scores[0], rows[0], strict=True) if r >= 0]]
    for model, text, tokenize in ((by_words, accented, words), (by_folded, query, folded_tokens)):
        tokens = [t for t in tokenize(text) if t in model.vocab_dict]
        run = []
        if tokens:
            sc = model.get_scores(tokens)
            sc = np.where(allowed, sc, 0.0) if allowed is not None else sc
            top = np.argpartition(-sc, depth - 1)[:depth]
            top = top[np.argsort(-sc[top], kind="stable")]
            run = [Hit(data.chunks[r].chunk_id, float(sc[r]), "bm25") for r in top if sc[r] > 0]
        runs.append(run)
    if fusion is Fusion.CONVEX:
        return convex_fusion(runs)[:k]
    return reciprocal_rank_fusion(runs)[:k]


@pytest.mark.parametrize("fusion", [Fusion.CONVEX, Fusion.RRF])
def test_a_searcher_over_the_three_retrievers_ranks_as_before(seed_index_fake, fusion):
    data, emb = open_index(seed_index_fake), FakeEmbedder()
    s = HybridSearcher(data, default_retrievers(data, emb), fusion=fusion)
    year = Filters(year=2023)
    for q in ("tang truong kinh te nam 2022", "Tổng đàn lợn bao nhiêu con", "hỗ trợ chi phí tư vấn pháp luật",
              "thu ngan sach nha nuoc", "qd 97/2025"):
        for f in (None, year):
            got = s.search(q, 10, f)
            expected = _reference_search(data, emb, q, 10, fusion, f.mask(data) if f else None)
            assert len(got) == 10
            assert [(h.chunk_id, round(h.score, 9)) for h in got] == [(h.chunk_id, round(h.score, 9)) for h in expected]
    assert [h.chunk_id for h in s.search("thu ngân sách", 5)] == [
        h.chunk_id for h in HybridSearcher.over(data, emb, fusion=fusion).search("thu ngân sách", 5)]


class _Recorder:
    """A retriever that returns fixed hits and keeps the queries it was given."""

    def __init__(self, name, hits):
        self.name, self.hits, self.seen = name, hits, []

    def search(self, query, k, allowed=None):
        self.seen.append(query)
        return self.hits[:k]


def test_every_retriever_gets_the_query_as_typed_and_re_accented(seed_index_fake):
    data = open_index(seed_index_fake)
    a, b = _Recorder("a", [Hit("x", 2.0, "a"), Hit("y", 1.0, "a")]), _Recorder("b", [Hit("y", 5.0, "b")])
    hits = HybridSearcher(data, [a, b], fusion=Fusion.RRF, weights=(1.0, 3.0)).search("tang  truong kinh te", 2)
    assert [h.chunk_id for h in hits] == ["y", "x"]  # b's weight puts its only hit first
    assert a.seen == b.seen == [Query("tang truong kinh te", "tăng trưởng kinh tế")]
    assert HybridSearcher(data, [a]).search("   ", 3) == [] and len(a.seen) == 1  # nothing to look for
    with pytest.raises(ValueError, match="2 weights for 1 retrievers"):
        HybridSearcher(data, [a], weights=(1.0, 1.0))


def test_folded_bm25_reads_the_query_as_typed_and_words_bm25_the_accented_one(seed_index_fake):
    data = open_index(seed_index_fake)
    folded, worded = BM25Retriever(data, folded=True), BM25Retriever(data, folded=False)
    q = Query("so lieu", "tổng đàn lợn")  # the two forms say different things: each retriever reads its own
    assert folded.search(q, 5) == folded.search(Query("so lieu", "so lieu"), 5)
    assert folded.search(q, 5) != folded.search(Query("tổng đàn lợn", "tổng đàn lợn"), 5)
    assert worded.search(q, 5) == worded.search(Query("tổng đàn lợn", "tổng đàn lợn"), 5)
    assert worded.search(q, 5) and worded.search(q, 5) != worded.search(Query("so lieu", "so lieu"), 5)


def test_match_docs_takes_a_name_a_prefix_or_a_part_typed_without_diacritics():
    names = ["bao-cao-ktxh-2022-tp-ha-tinh.txt", "qd-97-2025-ubnd.md", "qd-1378-bnv.md", "Báo cáo Đắk Lắk.docx"]
    assert match_docs(names, "qd-97-2025-ubnd.md") == ["qd-97-2025-ubnd.md"]
    assert match_docs(names, "qd-") == ["qd-97-2025-ubnd.md", "qd-1378-bnv.md"]  # a prefix, in the index's order
    assert match_docs(names, "ktxh-2022") == ["bao-cao-ktxh-2022-tp-ha-tinh.txt"]  # a part of the name
    assert match_docs(names, "bao cao dak lak") == ["Báo cáo Đắk Lắk.docx"]  # folded: no diacritics, any case
    assert match_docs(names, "BNV") == ["qd-1378-bnv.md"]
    with pytest.raises(IndexUnavailable, match="no indexed document matches 'khong-co' — see `tracuu stats`"):
        match_docs(names, "khong-co")


@pytest.mark.parametrize("folded", [False, True])
def test_an_abbreviation_and_its_words_find_each_other(seed_index_fake, folded):
    # the seed prints "GPMB" in some passages and "giải phóng mặt bằng" in others: either form finds both
    data = open_index(seed_index_fake)
    bm = BM25Retriever(data, folded=folded)
    chunks = list(data.chunks_with_tokens())
    short = {c.chunk_id for c in chunks if "gpmb" in c.folded.split() and "giai_phong" not in c.folded.split()}
    spelled = {c.chunk_id for c in chunks if "giai_phong" in c.folded.split() and "gpmb" not in c.folded.split()}
    assert short and spelled
    typed = "giai phong mat bang" if folded else "giải phóng mặt bằng"
    found = {h.chunk_id for h in bm.search(Query.of(typed), 50)}
    assert short <= found and spelled <= found
    found = {h.chunk_id for h in bm.search(Query.of("gpmb" if folded else "GPMB"), 50)}
    assert short <= found and spelled <= found
