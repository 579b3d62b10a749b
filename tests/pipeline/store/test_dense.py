"""pipeline/store/dense.py: exact below a size, HNSW above it at a measured recall, the choice in the manifest,
filtered searches exact over few rows, and an index written before the choice was recorded still read as exact."""

import json

import numpy as np
import pytest

from pipeline.settings import DenseChoice, SettingError, Settings
from pipeline.store import dense, integrity
from pipeline.store.dense import DenseIndex, DenseKind, DensePlan, DenseRecord, build_dense
from pipeline.store.layout import IndexDamaged, current_generation
from pipeline.store.reader import open_index
from tests.conftest import DATA, SEED
from tests.pipeline.store.old_formats import as_single_folder


def _clustered(n: int, d: int = 32, clusters: int = 40, seed: int = 0) -> np.ndarray:
    """Normalised vectors around `clusters` centres that share a common direction (as e5's do)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, d)) * 0.6 + rng.standard_normal(d)
    x = centres[rng.integers(0, clusters, n)] + rng.standard_normal((n, d)) * 0.35
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def _numpy_top(x: np.ndarray, q: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[int]:
    scores = x @ q
    if allowed is not None:
        scores = np.where(allowed, scores, -np.inf)
    order = np.argsort(-scores, kind="stable")[:k]
    return [int(r) for r in order if np.isfinite(scores[r])]


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    return _clustered(4000)


@pytest.fixture(scope="module")
def hnsw(vectors):
    """4,000 rows above a threshold of 1,000: the graph, at the efSearch its recall measurement chose."""
    built = build_dense(vectors, DensePlan(DenseChoice.AUTO, flat_rows=1000))
    return built, DenseIndex(built.index, built.record)


def test_the_graph_finds_what_numpy_brute_force_finds(vectors, hnsw):
    _, index = hnsw
    queries = dense.sample_queries(vectors, 500, 0.5, seed=7)  # other queries than the build measured on
    shares = []
    for q in queries:
        got = index.search(q, 10)
        want = _numpy_top(vectors, q, 10)
        shares.append(len({r for r, _ in got} & set(want)) / 10)
        np.testing.assert_allclose([s for _, s in got], vectors[[r for r, _ in got]] @ q, rtol=1e-5, atol=1e-5)
        assert [s for _, s in got] == sorted((s for _, s in got), reverse=True)
    assert np.mean(shares) >= dense.TARGET_RECALL - 0.005  # within the sampling error of another 500 queries


def test_above_the_threshold_the_manifest_record_says_hnsw_with_its_measured_recall(vectors, hnsw):
    built, _ = hnsw
    r = built.record
    assert r.kind is DenseKind.HNSW and built.index.ntotal == 4000
    assert (r.rows, r.flat_rows, r.choice, r.m, r.ef_construction) == (4000, 1000, DenseChoice.AUTO, dense.HNSW_M,
                                                                       dense.EF_CONSTRUCTION)
    assert r.ef_search in dense.EF_LADDER and r.sample == dense.SAMPLE
    assert r.recall_at_10 > r.recall_low >= dense.TARGET_RECALL
    # the recall recorded is the one measured: the same queries searched again at that efSearch give it
    queries = dense.sample_queries(vectors, dense.SAMPLE, dense.SAMPLE_NOISE, dense.SEED)
    built.index.hnsw.efSearch = r.ef_search
    _, found = built.index.search(queries, 10)
    truth = np.array([_numpy_top(vectors, q, 10) for q in queries])
    assert dense.recall(found, truth) == pytest.approx(r.recall_at_10, abs=2e-3)
    assert json.loads(json.dumps(r.to_json())) == r.to_json()
    assert DenseRecord.from_manifest({"dense": r.to_json()}) == r


def test_the_efsearch_chosen_is_the_first_of_the_ladder_reaching_the_target(vectors, hnsw):
    built, _ = hnsw
    queries = dense.sample_queries(vectors, 200, 0.5, seed=3)
    truth = dense.exact_search(built.index, queries, 10)
    measured = dense.choose_ef(built.index, queries, truth)
    assert measured.reached and measured.recall >= measured.low >= dense.TARGET_RECALL
    for e in [e for e in dense.EF_LADDER if e < measured.ef_search]:
        built.index.hnsw.efSearch = e
        shares = dense._shares(built.index.search(queries, 10)[1], truth)
        assert dense.lower_bound(shares) < dense.TARGET_RECALL
    assert dense.recall(truth, truth) == 1.0


def test_below_the_threshold_or_asked_the_index_is_exact(vectors):
    small = build_dense(vectors[:500], DensePlan(DenseChoice.AUTO, flat_rows=1000))
    asked = build_dense(vectors, DensePlan(DenseChoice.FLAT, flat_rows=10))
    empty = build_dense(np.zeros((0, 32), dtype=np.float32), DensePlan(DenseChoice.HNSW))
    for built, rows in ((small, 500), (asked, 4000), (empty, 0)):
        assert built.record.kind is DenseKind.FLAT and built.record.rows == rows == built.index.ntotal
        assert built.record.recall_at_10 is None and "ef_search" not in built.record.to_json()
    assert small.record.reason == "500 rows ≤ 1000" and asked.record.reason == "asked"


def test_a_graph_that_cannot_reach_the_target_falls_back_to_exact_unless_hnsw_is_forced(vectors, monkeypatch):
    monkeypatch.setattr(dense, "TARGET_RECALL", 1.01)  # no efSearch reaches it
    monkeypatch.setattr(dense, "EF_LADDER", (16, 32))
    auto = build_dense(vectors, DensePlan(DenseChoice.AUTO, flat_rows=1000))
    assert auto.record.kind is DenseKind.FLAT and type(auto.index).__name__ == "IndexFlatIP"
    assert auto.record.ef_search == 32 and auto.record.recall_low < 1.01
    assert "< 1.01 at efSearch 32" in auto.record.reason
    forced = build_dense(vectors[:300], DensePlan(DenseChoice.HNSW))
    assert forced.record.kind is DenseKind.HNSW and forced.record.reason == "asked"
    assert forced.record.sample == 300  # at most one query per row


def test_a_filter_allowing_few_rows_is_searched_exactly(vectors, hnsw):
    _, index = hnsw
    rng = np.random.default_rng(1)
    allowed = rng.random(len(vectors)) < 0.1  # ~400 rows ≤ the 1,000 searched exactly
    for q in dense.sample_queries(vectors, 30, 0.5, seed=11):
        got = index.search(q, 20, allowed)
        assert [r for r, _ in got] == _numpy_top(vectors, q, 20, allowed)
        np.testing.assert_allclose([s for _, s in got], vectors[[r for r, _ in got]] @ q, rtol=1e-5, atol=1e-5)
    one = np.zeros(len(vectors), dtype=bool)
    one[[5, 17]] = True
    assert [r for r, _ in index.search(vectors[5], 10, one)] == [5, 17]
    assert index.search(vectors[5], 10, np.zeros(len(vectors), dtype=bool)) == []


def test_few_allowed_rows_scored_alone_equal_a_scan_of_every_row_with_a_selector(vectors, hnsw):
    _, index = hnsw
    built = build_dense(vectors, DensePlan(DenseChoice.FLAT))
    scan = DenseIndex(built.index, built.record)
    scan.exact_rows = 0  # every filtered search through FAISS's selector over every row
    rng = np.random.default_rng(2)
    allowed = rng.random(len(vectors)) < 0.05
    queries = dense.sample_queries(vectors, 20, 0.5, seed=12)
    gathered = [index.search(q, 10, allowed) for q in queries]
    scanned = [scan.search(q, 10, allowed) for q in queries]
    assert [[r for r, _ in g] for g in gathered] == [[r for r, _ in s] for s in scanned]
    np.testing.assert_allclose([[x for _, x in g] for g in gathered], [[x for _, x in s] for s in scanned], atol=1e-5)


def test_a_filter_allowing_most_rows_searches_the_graph_and_returns_allowed_rows_only(vectors, hnsw):
    _, index = hnsw
    allowed = np.ones(len(vectors), dtype=bool)
    allowed[:1500] = False  # 2,500 rows > 1,000: the graph, with its efSearch widened
    shares = []
    for q in dense.sample_queries(vectors, 100, 0.5, seed=5):
        got = [r for r, _ in index.search(q, 10, allowed)]
        assert len(got) == 10 and all(allowed[got])
        shares.append(len(set(got) & set(_numpy_top(vectors, q, 10, allowed))) / 10)
    assert np.mean(shares) >= dense.TARGET_RECALL


def test_an_index_and_a_manifest_that_disagree_are_refused(vectors, hnsw):
    built, _ = hnsw
    flat = build_dense(vectors[:50], DensePlan(DenseChoice.FLAT))
    with pytest.raises(ValueError, match="manifest says hnsw"):
        DenseIndex(flat.index, built.record)
    with pytest.raises(ValueError, match="manifest says flat"):
        DenseIndex(built.index, flat.record)


def test_the_setting_chooses_the_kind_and_a_wrong_value_is_refused_when_strict():
    assert Settings.from_env({}).dense is DenseChoice.AUTO and Settings().dense_flat_rows == 100_000
    s = Settings.from_env({"TRACUU_DENSE": "HNSW", "TRACUU_DENSE_FLAT_ROWS": "5000"})
    assert DensePlan.from_settings(s) == DensePlan(DenseChoice.HNSW, 5000)
    assert Settings.from_env({"TRACUU_DENSE": "ivf", "TRACUU_DENSE_FLAT_ROWS": "-1"}) == Settings()
    with pytest.raises(SettingError, match="TRACUU_DENSE='ivf' is not one of auto, flat, hnsw"):
        Settings.from_env({"TRACUU_DENSE": "ivf"}, strict=True)


@pytest.fixture(scope="module")
def hnsw_index(tmp_path_factory, fake_embedder):
    """The seed and a decision ingested with TRACUU_DENSE=hnsw (the fake embedder)."""
    from pipeline.store.ingest import ingest

    root = tmp_path_factory.mktemp("seed-hnsw")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRACUU_DENSE", "hnsw")
        ingest([SEED, DATA / "qd-97-2025-ubnd.md"], fake_embedder, root=root)
    return root


def test_an_ingest_told_hnsw_writes_the_graph_and_its_record_and_reads_it_back(hnsw_index, fake_embedder):
    import faiss

    data = open_index(hnsw_index)
    [segment] = data.segments
    entry = data.manifest["segments"][0]["dense"]
    assert entry["kind"] == "hnsw" and entry["choice"] == "hnsw" and entry["rows"] == len(data.chunks)
    graph = segment.dense.index
    assert isinstance(graph, faiss.IndexHNSWFlat) and graph.hnsw.efSearch == entry["ef_search"]
    assert entry["recall_low"] >= dense.TARGET_RECALL and entry["sample"] == min(dense.SAMPLE, len(data.chunks))
    vecs = data.vectors()
    assert vecs.shape == (len(data.chunks), fake_embedder.dim)  # read back from the graph's storage (re-ingest)
    doc = np.array([c.doc == "qd-97-2025-ubnd.md" for c in data.chunks])
    found, truth = [], []
    for c in data.chunks[::3]:  # questions made of a few words of every third chunk
        q = fake_embedder.embed_query(" ".join(c.text.split()[:6]))
        found.append([r for r, _ in data.dense_search(q, 50)][:10])  # the searcher's depth, its top 10
        truth.append(_numpy_top(vecs, q, 10))
        # a document filter allows few rows: searched exactly
        assert [r for r, _ in data.dense_search(q, 10, doc)] == _numpy_top(vecs, q, 10, doc)
    assert dense.recall(np.array(found), np.array(truth)) >= dense.TARGET_RECALL


def test_a_reingest_of_an_hnsw_index_reuses_its_vectors(hnsw_index, fake_embedder, tmp_path):
    import shutil

    from pipeline.store.ingest import ingest

    root = tmp_path / "ix"
    shutil.copytree(hnsw_index, root)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRACUU_DENSE", "flat")
        report = ingest([SEED, DATA / "qd-97-2025-ubnd.md"], fake_embedder, root=root, rebuild=True)
    data = open_index(root)
    assert report.chunks_embedded == 0 and report.chunks_reused == len(data.chunks)
    entry = data.manifest["segments"][0]["dense"]
    assert entry["kind"] == "flat" and entry["reason"] == "asked"
    np.testing.assert_array_equal(data.vectors(), open_index(hnsw_index).vectors())


def test_an_index_written_before_the_dense_record_opens_as_exact(seed_index_fake, fake_embedder, tmp_path):
    import shutil

    root = tmp_path / "old"
    shutil.copytree(seed_index_fake, root)
    gen = as_single_folder(root)  # format 2: one dense.faiss, its record (since parser 19) in the manifest
    manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    manifest.pop("dense", None)
    integrity.write_manifest(gen, manifest)
    data = open_index(root)
    record = data.segments[0].dense.record
    assert record.kind is DenseKind.FLAT and record.reason == "written before"
    vecs = data.vectors()
    q = fake_embedder.embed_query("tổng thu ngân sách")
    assert [r for r, _ in data.dense_search(q, 10)] == _numpy_top(vecs, q, 10)


def test_a_manifest_that_says_hnsw_over_an_exact_file_is_damaged(seed_index_fake, tmp_path):
    import shutil

    root = tmp_path / "edited"
    shutil.copytree(seed_index_fake, root)
    gen = current_generation(root)
    manifest = json.loads((gen / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["segments"][0]
    entry["dense"] = {**entry["dense"], "kind": "hnsw", "ef_search": 64}
    integrity.write_manifest(gen, manifest)
    with pytest.raises(IndexDamaged, match="the manifest says hnsw"):
        open_index(root)
