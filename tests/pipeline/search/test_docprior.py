import pytest

from pipeline.embed import FakeEmbedder
from pipeline.search.docprior import DocPrior, DocProfile, affinity, named_in, without_naming
from pipeline.search.hybrid import HybridSearcher
from pipeline.search.query import Query
from pipeline.store.reader import open_index
from pipeline.text.metadata import Place
from tests.conftest import DATA

DOCS = ["qd-032-2025-daklak.md", "qd-2813-dongnai.md", "qd-63-2025-dongnai.md", "qd-97-2025-ubnd.md",
        "qd-1378-bnv.md", "nd-25-2025-cp.md"]


@pytest.fixture(scope="module")
def provinces_index(tmp_path_factory):
    """Six real documents: decisions of three provinces (Đắk Lắk, Đồng Nai, Nghệ An), a ministry and the
    government, indexed with the fake embedder."""
    from pipeline.store.ingest import ingest

    root = tmp_path_factory.mktemp("provinces")
    ingest([DATA / d for d in DOCS], FakeEmbedder(), root=root)
    return open_index(root)


def _place_of(prior: DocPrior, doc: str) -> set[str]:
    return {p.name for p in prior.profiles[doc].places}


def test_profiles_read_the_place_from_the_letterhead_and_give_none_to_a_ministry(provinces_index):
    prior = DocPrior.of(provinces_index)
    assert prior.profiles["qd-032-2025-daklak.md"].places == (Place("tinh", "dak lak"),)
    assert _place_of(prior, "qd-2813-dongnai.md") == _place_of(prior, "qd-63-2025-dongnai.md") == {"dong nai"}
    assert _place_of(prior, "qd-97-2025-ubnd.md") == {"nghe an"}
    # the ministry's dateline says "Hà Nội", but a ministry's decision is about the whole country
    assert prior.profiles["qd-1378-bnv.md"].places == ()
    assert prior.profiles["qd-1378-bnv.md"].number == "1378"
    assert {"dak lak", "dong nai", "nghe an"} <= prior.places


@pytest.mark.parametrize("place,spelled", [("dong nai", "tỉnh Đồng Nai"), ("dak lak", "dak lak"),
                                           ("nghe an", "Nghệ An")])
def test_a_question_naming_a_place_puts_that_places_documents_first(provinces_index, place, spelled):
    searcher = HybridSearcher.over(provinces_index, FakeEmbedder())
    hits = searcher.search(f"Quyết định về thủ tục hành chính của {spelled} có hiệu lực từ ngày nào?", 3)
    assert searcher.prior is not None
    assert place in _place_of(searcher.prior, provinces_index.chunk(hits[0].chunk_id).doc)


@pytest.mark.parametrize("question", ["Quyết định này có hiệu lực thi hành kể từ ngày nào?",
                                      "Quyết định của tỉnh Lâm Đồng có hiệu lực kể từ ngày nào?",
                                      "Quyết định năm 2025 về thủ tục hành chính có hiệu lực khi nào?"])
def test_no_place_or_a_place_no_document_has_leaves_the_ranking_as_fused(provinces_index, question):
    with_prior = HybridSearcher.over(provinces_index, FakeEmbedder())
    without = HybridSearcher(provinces_index, with_prior.retrievers)
    assert with_prior.search(question, 10) == without.search(question, 10)


def test_the_prior_reorders_but_keeps_the_same_hits_and_works_for_reciprocal_rank_fusion(provinces_index):
    from pipeline.search.fusion import Fusion

    q = "thủ tục hành chính cấp xã của tỉnh Đồng Nai"
    rrf = HybridSearcher.over(provinces_index, FakeEmbedder(), fusion=Fusion.RRF)
    plain = HybridSearcher(provinces_index, rrf.retrievers, fusion=Fusion.RRF)
    assert {h.chunk_id for h in rrf.search(q, 500)} == {h.chunk_id for h in plain.search(q, 500)}
    assert rrf.prior is not None
    assert "dong nai" in _place_of(rrf.prior, provinces_index.chunk(rrf.search(q, 1)[0].chunk_id).doc)


def test_questions_name_places_types_bodies_and_numbers_with_or_without_diacritics():
    accented = named_in("Theo Nghị quyết 37/2025 của HĐND thành phố Huế, khiếu nại được giải quyết thế nào?",
                        ["hue", "ha noi"])
    plain = named_in("nghi quyet 37/2025 hdnd thanh pho hue quy dinh gi", ["hue", "ha noi"])
    for n in (accented, plain):
        assert n.places == (Place("thanh pho", "hue"),)
        assert n.numbers == (("37", "nghi quyet", 2025),)
        assert n.bodies == {"hdnd"}
    assert named_in("Tổng đàn lợn của thành phố là bao nhiêu con?", ["hue", "ha noi"]).places == ()
    assert named_in("ke hoach 172 tphcm trien khai luat viec lam", ["ho chi minh"]).places[0].name == "ho chi minh"


def test_a_number_counts_only_for_the_document_of_that_type_and_year():
    resolution = DocProfile(number="59", number_type="nghi quyet", number_year=2025,
                            types=frozenset({"nghi quyet"}), bodies=frozenset({"hdnd"}))
    assert affinity(named_in("Nghị định 59/2019/NĐ-CP được áp dụng cho việc gì?"), resolution) == 0.0
    assert affinity(named_in("Nghị quyết 59/2025 quy định cơ chế tài chính gì?"), resolution) > 0.0


def test_a_type_or_a_year_alone_names_no_document():
    law = DocProfile(types=frozenset({"luat"}), years=frozenset({2025}))
    assert affinity(named_in("so luot nguoi tham gia pho bien giao duc phap luat nam 2025"), law) == 0.0


def test_what_names_the_document_is_cut_from_what_the_passage_must_hold():
    q = Query.of("Cửa hàng xăng dầu ở tỉnh Đồng Tháp phải bán hàng tối thiểu bao nhiêu giờ?")
    assert without_naming(q.typed, named_in(q.typed, ["dong thap"]).place_spans) == \
        "Cửa hàng xăng dầu ở phải bán hàng tối thiểu bao nhiêu giờ?"
