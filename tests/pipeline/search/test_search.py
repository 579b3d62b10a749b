import numpy as np
import pytest

from pipeline.embed import FakeEmbedder
from pipeline.search.hybrid import Filters, HybridSearcher
from pipeline.search.retrievers import BM25Retriever, DenseRetriever
from pipeline.store.layout import IndexUnavailable
from pipeline.store.reader import open_index


def test_faiss_results_match_brute_force_cosine(seed_index_fake):
    data = open_index(seed_index_fake)
    emb = FakeEmbedder()
    dense = DenseRetriever(data, emb)
    q = "tổng thu ngân sách nhà nước"
    hits = dense.search(q, 10)
    scores = data.vectors() @ emb.embed_query(q)
    expected = np.argsort(-scores, kind="stable")[:10]
    assert [data.row_of[h.chunk_id] for h in hits][:3] == list(expected[:3])
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
    got = [data.row_of[h.chunk_id] for h in bm.search("ngân sách thu", 5)]
    assert got == expected


def test_unaccented_nfd_and_old_tone_queries_find_the_same_passage(seed_index_fake):
    import unicodedata

    s = HybridSearcher(open_index(seed_index_fake), FakeEmbedder())
    clean = s.search("Sản xuất nông nghiệp thủy sản tổng đàn lợn", 3)[0].chunk_id
    for q in ("san xuat nong nghiep thuy san tong dan lon",
              unicodedata.normalize("NFD", "Sản xuất nông nghiệp thủy sản tổng đàn lợn"),
              "Sản xuất nông nghiệp thuỷ sản tổng đàn lợn"):
        assert s.search(q, 3)[0].chunk_id == clean, q


def test_filters_by_document_and_year(seed_index_fake):
    data = open_index(seed_index_fake)
    s = HybridSearcher(data, FakeEmbedder())
    hits = s.search("hỗ trợ chi phí tư vấn pháp luật", 5, Filters(docs=("qd-97",)))
    assert hits and all(h.chunk_id.startswith("qd-97-2025-ubnd.md#") for h in hits)
    hits = s.search("tăng trưởng kinh tế", 10, Filters(year=2023))
    years = {data.chunks[data.row_of[h.chunk_id]].year for h in hits}
    assert years == {2023}
    with pytest.raises(IndexUnavailable, match="no indexed document"):
        s.search("x", 3, Filters(docs=("khong-co",)))
