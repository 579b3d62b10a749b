"""pipeline/search/fusion.py: the default ranker (convex combination of min-max normalized scores) and RRF."""

import pytest

from pipeline.search.fusion import RRF_K, convex_fusion, reciprocal_rank_fusion
from pipeline.types import Hit


def run(source: str, *pairs: tuple[str, float]) -> list[Hit]:
    return [Hit(cid, score, source) for cid, score in pairs]


def scores(fused: list[Hit]) -> dict[str, float]:
    return {h.chunk_id: h.score for h in fused}


# --- convex_fusion ---------------------------------------------------------------------------------------------


def test_convex_fusion_min_max_normalizes_each_run_to_zero_one():
    fused = convex_fusion([run("bm25", ("a", 10.0), ("b", 6.0), ("c", 2.0))])
    assert [h.chunk_id for h in fused] == ["a", "b", "c"]
    assert [h.score for h in fused] == pytest.approx([1.0, 0.5, 0.0])
    assert {h.source for h in fused} == {"convex"}


def test_convex_fusion_ignores_the_scale_and_offset_of_a_run():
    raw = run("dense", ("a", 0.83), ("b", 0.41), ("c", -0.2))
    shifted = run("dense", ("a", 0.83 * 40 + 7), ("b", 0.41 * 40 + 7), ("c", -0.2 * 40 + 7))
    assert scores(convex_fusion([raw])) == pytest.approx(scores(convex_fusion([shifted])))
    assert scores(convex_fusion([raw]))["b"] == pytest.approx((0.41 + 0.2) / (0.83 + 0.2))


def test_convex_fusion_agrees_with_a_hand_computation():
    dense = run("dense", ("a", 0.9), ("b", 0.7), ("c", 0.5))  # normalized: a 1, b 0.5, c 0
    bm25 = run("bm25", ("c", 12.0), ("d", 8.0), ("a", 4.0))  # normalized: c 1, d 0.5, a 0
    fused = convex_fusion([dense, bm25], weights=[0.6, 0.4])
    # a = .6·1 + .4·0, c = .6·0 + .4·1, b = .6·.5 (dense only), d = .4·.5 (bm25 only)
    assert [h.chunk_id for h in fused] == ["a", "c", "b", "d"]
    assert [h.score for h in fused] == pytest.approx([0.6, 0.4, 0.3, 0.2])


def test_convex_fusion_weights_scale_each_runs_contribution():
    dense = run("dense", ("a", 0.9), ("b", 0.1))
    bm25 = run("bm25", ("b", 20.0), ("a", 5.0))
    assert [h.chunk_id for h in convex_fusion([dense, bm25], weights=[2.0, 1.0])] == ["a", "b"]
    assert [h.chunk_id for h in convex_fusion([dense, bm25], weights=[1.0, 2.0])] == ["b", "a"]
    assert scores(convex_fusion([dense, bm25], weights=[2.0, 1.0])) == pytest.approx({"a": 2.0, "b": 1.0})
    # no weights is the same as equal weights of 1
    assert scores(convex_fusion([dense, bm25])) == pytest.approx(scores(convex_fusion([dense, bm25], [1.0, 1.0])))


def test_convex_fusion_needs_one_weight_per_run():
    with pytest.raises(ValueError):
        convex_fusion([run("x", ("a", 1.0)), run("y", ("a", 1.0))], weights=[1.0])


def test_a_run_of_one_hit_gives_it_the_full_weight():
    fused = convex_fusion([run("dense", ("a", 0.9), ("b", 0.1), ("c", 0.0)), run("bm25", ("b", 0.5))],
                          weights=[1.0, 0.5])
    assert scores(fused) == pytest.approx({"a": 1.0, "b": 0.1 / 0.9 + 0.5, "c": 0.0})
    assert [h.chunk_id for h in fused] == ["a", "b", "c"]


def test_a_run_whose_scores_are_all_equal_gives_each_hit_one():
    fused = convex_fusion([run("bm25", ("x", 3.0), ("y", 3.0), ("z", 3.0))])
    assert scores(fused) == pytest.approx({"x": 1.0, "y": 1.0, "z": 1.0})


def test_convex_fusion_breaks_ties_by_chunk_id_whatever_the_input_order():
    one = run("dense", ("b", 1.0), ("a", 0.0))
    other = run("bm25", ("a", 1.0), ("b", 0.0))
    assert [h.chunk_id for h in convex_fusion([one, other])] == ["a", "b"]
    assert [h.chunk_id for h in convex_fusion([other, one])] == ["a", "b"]
    tied = run("bm25", ("q#2", 5.0), ("q#10", 5.0), ("q#1", 5.0))
    assert [h.chunk_id for h in convex_fusion([tied])] == ["q#1", "q#10", "q#2"]


def test_convex_fusion_of_empty_runs_is_empty_and_an_empty_run_adds_nothing():
    assert convex_fusion([]) == []
    assert convex_fusion([[], []]) == []
    bm25 = run("bm25", ("a", 4.0), ("b", 2.0))
    assert convex_fusion([[], bm25], weights=[5.0, 1.0]) == convex_fusion([bm25])


def test_convex_fusion_keeps_a_margin_that_rrf_throws_away():
    """The reason it is the default: a run's clear winner is not reduced to 'rank 1'."""
    dense = run("dense", ("x", 1.0), ("y", 0.1), ("w", 0.0))  # x far ahead
    bm25 = run("bm25", ("y", 1.0), ("z", 0.99), ("x", 0.95), ("w", 0.0))  # y barely ahead
    assert convex_fusion([dense, bm25])[0].chunk_id == "x"
    assert reciprocal_rank_fusion([dense, bm25])[0].chunk_id == "y"


# --- reciprocal_rank_fusion ------------------------------------------------------------------------------------


def test_rrf_rewards_agreement_between_runs():
    a = [Hit("x", 3.0, "a"), Hit("y", 2.0, "a"), Hit("z", 1.0, "a")]
    b = [Hit("y", 9.0, "b"), Hit("z", 8.0, "b")]
    fused = reciprocal_rank_fusion([a, b], k=60)
    assert [h.chunk_id for h in fused] == ["y", "z", "x"]
    assert fused[0].score == pytest.approx(1 / 62 + 1 / 61)


def test_rrf_uses_only_ranks_not_scores():
    a = run("a", ("x", 1000.0), ("y", 0.001))
    b = run("b", ("x", 2.0), ("y", 1.9))
    assert scores(reciprocal_rank_fusion([a])) == scores(reciprocal_rank_fusion([b]))
    assert scores(reciprocal_rank_fusion([a])) == pytest.approx({"x": 1 / (RRF_K + 1), "y": 1 / (RRF_K + 2)})
    assert {h.source for h in reciprocal_rank_fusion([a])} == {"rrf"}


def test_rrf_weights_and_k_enter_the_formula():
    a = run("a", ("x", 1.0), ("y", 0.5))
    b = run("b", ("y", 1.0))
    fused = reciprocal_rank_fusion([a, b], k=1, weights=[3.0, 1.0])
    assert scores(fused) == pytest.approx({"x": 3 / 2, "y": 3 / 3 + 1 / 2})
    assert [h.chunk_id for h in fused] == ["x", "y"]


def test_rrf_breaks_ties_by_chunk_id_and_fuses_empty_runs_to_nothing():
    assert [h.chunk_id for h in reciprocal_rank_fusion([run("a", ("b", 1.0)), run("b", ("a", 1.0))])] == ["a", "b"]
    assert reciprocal_rank_fusion([]) == [] and reciprocal_rank_fusion([[], []]) == []
