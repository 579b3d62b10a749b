"""pipeline/store/postings.py: one segment scores exactly as bm25s does; segments, with rows deleted or not, score
as one index of their live rows would; a saved segment is plain npy files, memory-mapped back to the same scores.
On real chunks of local government documents (shared/corpus/local_gov_docs_2025), words and folded tokens."""

import logging

import numpy as np
import pytest

from pipeline.readers import read_document
from pipeline.store.ingest import prepare_chunks
from pipeline.store.postings import FILES, Postings, Scorer, bm25_scores, doc_freq
from pipeline.text.segment import folded_tokens, words
from tests.conftest import SHARED

DOCS = SHARED / "corpus" / "local_gov_docs_2025" / "docs"
NAMES = [  # six short decisions, directives and plans: ~100 chunks
    "032-2025-QĐ-UBND__a63d28926f9123fd.md",
    "06-CT-UBND__4f30202155d56bdd.md",
    "172-KH-UBND__2f6f80b9918e52de.md",
    "0130-KH-UBND__a49ef8a0da1f62dd.md",
    "012-CT-UBND__541cde0f8d5ffef3.md",
    "105-2025-QĐ-UBND__d851211c9f1b590e.md",
]
QUESTIONS = [
    "Ủy ban nhân dân tỉnh phân cấp thẩm quyền ban hành định mức kinh tế kỹ thuật",
    "tăng cường phòng cháy chữa cháy rừng",
    "kế hoạch chuyển đổi số năm 2025",
    "trách nhiệm của Sở Tài chính và Sở Nội vụ",
]


@pytest.fixture(scope="module")
def chunks():
    out = []
    for name in NAMES:
        out.extend(prepare_chunks(read_document(DOCS / name)))
    assert len(out) > 60
    return out


@pytest.fixture(scope="module", params=["words", "folded"])
def field(request):
    return request.param


@pytest.fixture(scope="module")
def tokens(chunks, field):
    """One token list per chunk, with two rows of no token at all (they count in N and the mean length)."""
    lists = [getattr(c, field).split() for c in chunks]
    return lists[:5] + [[]] + lists[5:40] + [[]] + lists[40:]


@pytest.fixture(scope="module")
def queries(field):
    """Real questions tokenised as search tokenises them, one with an unknown token, one with a token repeated."""
    tokenise = words if field == "words" else folded_tokens
    qs = [tokenise(q) for q in QUESTIONS]
    return [*qs, [*qs[0][:3], "khôngcótừnàyđâu"], [*qs[1], qs[1][0], qs[1][0]]]


def _bm25s(token_lists):
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    model = bm25s.BM25()
    model.index(token_lists, show_progress=False)
    return model


def _reference(model, query, n):
    """bm25s's scores as the reader asks for them: the tokens it knows, zeros when it knows none."""
    known = [t for t in query if t in model.vocab_dict]
    return model.get_scores(known) if known else np.zeros(n, dtype=np.float32)


def _split(token_lists, cuts=(23, 61)):
    a, b = cuts
    return [token_lists[:a], token_lists[a:b], token_lists[b:]]


def test_one_segment_scores_as_bm25s_does_for_real_questions(tokens, queries):
    model, p = _bm25s(tokens), Postings.build(tokens)
    for q in queries:
        ours = bm25_scores([(p, None)], q)[0]
        ref = _reference(model, q, len(tokens))
        assert ref.max() > 0
        assert ours.dtype == np.float32 and ours.shape == (len(tokens),)
        assert np.allclose(ours, ref, rtol=1e-5), q


def test_a_repeated_query_token_counts_as_often_as_it_is_given(tokens, queries):
    p = Postings.build(tokens)
    q = queries[1]
    once, thrice = bm25_scores([(p, None)], q)[0], bm25_scores([(p, None)], [*q, q[0], q[0]])[0]
    share = bm25_scores([(p, None)], [q[0]])[0]
    assert np.allclose(thrice, once + 2 * share, rtol=1e-5) and share.max() > 0


def test_unknown_tokens_alone_score_zero_everywhere(tokens):
    p = Postings.build(tokens)
    for q in ([], ["khôngcótừnàyđâu"], ["khôngcótừnàyđâu", "zzzz"]):
        s = bm25_scores([(p, None)], q)[0]
        assert s.shape == (len(tokens),) and not s.any()


def test_three_segments_score_exactly_as_one_segment_of_all_their_rows(tokens, queries):
    whole = Postings.build(tokens)
    parts = [(Postings.build(t), None) for t in _split(tokens)]
    for q in queries:
        assert np.array_equal(np.concatenate(bm25_scores(parts, q)), bm25_scores([(whole, None)], q)[0]), q


def test_each_segment_scored_with_its_own_statistics_would_not(tokens, queries):
    """What the segmented test protects against: a segment's own idf and mean length give other scores."""
    whole = bm25_scores([(Postings.build(tokens), None)], queries[0])[0]
    own = np.concatenate([bm25_scores([(Postings.build(t), None)], queries[0])[0] for t in _split(tokens)])
    assert not np.allclose(own, whole, rtol=1e-5)


def _tombstoned(tokens):
    """The three segments, the middle one with every third row and one whole run of rows deleted, and the token
    lists of the rows left, in order."""
    segs = _split(tokens)
    live = np.ones(len(segs[1]), dtype=bool)
    live[::3] = False
    live[10:18] = False
    kept = [t for seg, mask in zip(segs, [None, live, None], strict=True)
            for t, alive in zip(seg, np.ones(len(seg), bool) if mask is None else mask, strict=True) if alive]
    parts = [(Postings.build(segs[0]), None), (Postings.build(segs[1]), live), (Postings.build(segs[2]), None)]
    return parts, live, kept


def test_deleted_rows_leave_the_statistics_as_if_they_had_never_been_indexed(tokens, queries):
    parts, live, kept = _tombstoned(tokens)
    model = _bm25s(kept)
    for q in queries:
        got = bm25_scores(parts, q)
        assert not got[1][~live].any()
        alive = np.concatenate([got[0], got[1][live], got[2]])
        assert np.array_equal(alive, bm25_scores([(Postings.build(kept), None)], q)[0]), q
        assert np.allclose(alive, _reference(model, q, len(kept)), rtol=1e-5), q


def test_a_scorer_that_ignored_the_live_mask_in_its_statistics_would_not(tokens, queries):
    parts, live, kept = _tombstoned(tokens)
    unmasked = [(p, None) for p, _ in parts]
    got = bm25_scores(unmasked, queries[0])
    alive = np.concatenate([got[0], got[1][live], got[2]])
    assert not np.allclose(alive, bm25_scores([(Postings.build(kept), None)], queries[0])[0], rtol=1e-5)


def test_doc_freq_over_segments_counts_the_live_rows_of_one_index(tokens, queries):
    parts, _, kept = _tombstoned(tokens)
    whole, model = Postings.build(kept), _bm25s(kept)
    indptr = model.scores["indptr"]
    scorer = Scorer.of(parts)
    checked = 0
    for t in dict.fromkeys(t for q in queries for t in q):
        i = model.vocab_dict.get(t)
        expected = int(indptr[i + 1] - indptr[i]) if i is not None and i + 1 < len(indptr) else 0
        assert doc_freq(parts, t) == scorer.doc_freq(t) == whole.doc_freq(t) == expected, t
        checked += expected > 0
    assert checked > 5
    assert scorer.doc_freq(queries[0][0]) < doc_freq([(p, None) for p, _ in parts], queries[0][0])


def test_a_saved_segment_is_plain_npy_files_memory_mapped_back_to_the_same_scores(tokens, queries, tmp_path):
    parts = [(Postings.build(t), None) for t in _split(tokens)]
    for k, (p, _) in enumerate(parts):
        p.save(tmp_path / f"seg-{k}")
    saved = sorted(f.name for f in (tmp_path / "seg-0").iterdir())
    assert saved == sorted(getattr(FILES, n) for n in FILES.__dataclass_fields__)
    for name in saved:
        a = np.load(tmp_path / "seg-0" / name, allow_pickle=False)  # raises on a pickled (object) array
        assert a.dtype != object
    loaded = [(Postings.load(tmp_path / f"seg-{k}"), None) for k in range(3)]
    assert all(isinstance(p.rows.base, np.memmap) and isinstance(p.prefix.base, np.memmap) for p, _ in loaded)
    for q in queries:
        for a, b in zip(bm25_scores(loaded, q), bm25_scores(parts, q), strict=True):
            assert np.array_equal(a, b)
    p0, q0 = loaded[0][0], parts[0][0]
    assert [p0.term(i) for i in range(p0.n_terms)] == [q0.term(i) for i in range(q0.n_terms)]


def test_long_terms_sharing_their_first_bytes_are_told_apart():
    long = "cổng_dịch_vụ_công_quốc_gia_"  # more than the 24 bytes kept in the searched prefix
    rows = [[long + "a", long + "b"], [long + "b"], [long + "c", "a"]]
    p = Postings.build(rows)
    assert [p.doc_freq(long + x) for x in "abcd"] == [1, 2, 1, 0]
    assert p.doc_freq(long) == 0 and p.doc_freq("a") == 1
    assert p.term(int(p.lookup([long + "c"])[0])) == long + "c"


def test_an_empty_segment_and_empty_rows_are_scored_as_nothing(tokens, queries, tmp_path):
    empty = Postings.build([])
    empty.save(tmp_path / "empty")
    empty = Postings.load(tmp_path / "empty")
    assert empty.n_rows == 0 and empty.n_terms == 0 and empty.doc_freq("tỉnh") == 0
    p = Postings.build(tokens)
    got = bm25_scores([(empty, None), (p, None), (empty, np.zeros(0, bool))], queries[0])
    assert [len(s) for s in got] == [0, len(tokens), 0]
    assert np.array_equal(got[1], bm25_scores([(p, None)], queries[0])[0])
    blank = Postings.build([[], []])
    assert not bm25_scores([(blank, None)], queries[0])[0].any()
    everything_deleted = bm25_scores([(p, np.zeros(len(tokens), bool))], queries[0])[0]
    assert everything_deleted.shape == (len(tokens),) and not everything_deleted.any()


def test_a_live_mask_of_the_wrong_length_is_refused(tokens):
    p = Postings.build(tokens)
    with pytest.raises(ValueError, match="live mask"):
        bm25_scores([(p, np.ones(len(tokens) - 1, bool))], ["tỉnh"])


def test_a_scorer_remembering_its_terms_scores_gives_the_same_scores_again(tokens, queries, monkeypatch):
    from pipeline.store import postings

    parts, _, _ = _tombstoned(tokens)
    fresh = [bm25_scores(parts, q) for q in queries]
    monkeypatch.setattr(postings, "MEMO_DF", 1)  # every term remembered, up to 500 scores
    monkeypatch.setattr(postings, "MEMO_POSTINGS", 500)
    scorer = Scorer.of(parts)
    for _ in range(2):
        for q, expected in zip(queries, fresh, strict=True):
            for a, b in zip(scorer.scores(q), expected, strict=True):
                assert np.array_equal(a, b)
    assert 0 < scorer.memo.held <= 500 and scorer.memo.counts
