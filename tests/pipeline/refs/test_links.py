"""pipeline/links.py: which indexed document cites which, through the numbers they bear; the reference table."""

from pathlib import Path

import pytest

from pipeline.embed import FakeEmbedder
from pipeline.refs.links import (
    cited_by,
    cites,
    doc_bearers,
    doc_links,
    documents_numbered,
    filter_refs,
    reference_graph,
    reference_rows,
)
from pipeline.store.ingest import ingest
from pipeline.store.reader import IndexData, open_index

DATA = Path(__file__).resolve().parents[2] / "data"
ND25 = DATA / "nd-25-2025-cp.md"  # Nghị định 25/2025/NĐ-CP (the letterhead and Điều 1–2)
QD1378 = DATA / "qd-1378-bnv.md"  # Quyết định 1378/QĐ-BNV, "Căn cứ Nghị định số 25/2025/NĐ-CP …"
QD97 = DATA / "qd-97-2025-ubnd.md"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> IndexData:
    root = tmp_path_factory.mktemp("links")
    ingest([ND25, QD1378, QD97], FakeEmbedder(), root=root)
    return open_index(root)


def test_a_decision_citing_a_decree_in_the_library_links_both_ways(data: IndexData):
    links = doc_links(data)
    assert [(x.citing, x.cited, x.ref) for x in cites(links, "qd-1378-bnv.md")] == [
        ("qd-1378-bnv.md", "nd-25-2025-cp.md", "25/2025/NĐ-CP")]
    assert [x.citing for x in cited_by(links, "nd-25-2025-cp.md")] == ["qd-1378-bnv.md"]
    assert cited_by(links, "qd-1378-bnv.md") == []
    assert reference_graph(data).links == links


def test_a_document_mentioning_its_own_number_does_not_cite_itself(data: IndexData):
    own = [m for m in data.references if m.ref == "97/2025/QĐ-UBND"]
    assert own and {x.doc for m in own for x in m.mentions} == {"qd-97-2025-ubnd.md"}  # it names its own number
    links = doc_links(data)
    assert links and all(x.citing != x.cited for x in links)
    assert cited_by(links, "qd-97-2025-ubnd.md") == []  # and nothing else does


def test_a_number_typed_loosely_finds_the_document_bearing_it(data: IndexData):
    assert documents_numbered(data, "nd 25/2025") == ["nd-25-2025-cp.md"]
    assert documents_numbered(data, "25/2025/ND-CP") == ["nd-25-2025-cp.md"]
    assert documents_numbered(data, "quyết định 1378") == ["qd-1378-bnv.md"]
    assert documents_numbered(data, "nghi dinh 1378") == []
    assert documents_numbered(data, "không có số") == []


def test_reference_rows_count_mentions_and_name_the_indexed_bearer(data: IndexData):
    rows = reference_rows(data.references, doc_bearers(data))
    assert [r["mentions"] for r in rows] == sorted((r["mentions"] for r in rows), reverse=True)
    decree = next(r for r in rows if r["ref"] == "25/2025/NĐ-CP")
    assert decree["document"] == "nd-25-2025-cp.md"
    assert decree["type"] == "Nghị định" and decree["issuer"] == "CP"
    assert decree["documents"] == 2 and decree["mentions"] == 2  # its own letterhead, and Quyết định 1378
    assert next(r for r in rows if r["ref"] == "1085/QĐ-TTg")["document"] is None


def test_reference_filters_by_type_and_issuer_typed_without_accents(data: IndexData):
    decrees = filter_refs(data.references, types=["nghi dinh"])
    assert decrees and all(m.type == "Nghị định" for m in decrees)
    ttg = filter_refs(data.references, issuers=["TTg"])
    assert {m.ref for m in ttg} >= {"1085/QĐ-TTg"} and all(m.issuer == "TTg" for m in ttg)
    assert filter_refs(data.references, types=["Nghị định"], issuers=["TTg"]) == []
    assert filter_refs(data.references) == data.references
    in_1378 = filter_refs(data.references, doc="qd-1378")
    assert in_1378 and all(any(x.doc == "qd-1378-bnv.md" for x in m.mentions) for m in in_1378)
    assert {m.ref for m in in_1378} >= {"25/2025/NĐ-CP"} and len(in_1378) < len(data.references)


def _decision(province: str, number: str, body: str) -> str:
    return (f"|\n**ỦY BAN NHÂN DÂN**\nTỈNH {province.upper()}\n-------\n|\n**CỘNG HÒA XÃ HỘI\nCHỦ NGHĨA VIỆT NAM**\n"
            f"Độc lập - Tự do - Hạnh phúc\n|\nSố:\n{number}\n|\n*{province}, ngày 20 tháng 11 năm 2025*\n|\n\n"
            f"**QUYẾT ĐỊNH**\n\nVỀ VIỆC THỬ NGHIỆM\n\n{body}\n")


def test_a_local_number_repeated_in_another_province_is_not_a_link(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "phu-tho-12.md").write_text(_decision("Phú Thọ", "12/2025/QĐ-UBND", "Điều 1. Ban hành quy định."))
    (docs / "phu-tho-40.md").write_text(_decision(
        "Phú Thọ", "40/2025/QĐ-UBND", "Căn cứ Quyết định số 12/2025/QĐ-UBND ngày 20/11/2025 của UBND tỉnh."))
    (docs / "nghe-an-50.md").write_text(_decision(
        "Nghệ An", "50/2025/QĐ-UBND", "Căn cứ Quyết định số 12/2025/QĐ-UBND ngày 20/11/2025 của UBND tỉnh."))
    (docs / "nghe-an-51.md").write_text(_decision(
        "Nghệ An", "51/2025/QĐ-UBND", "Tham khảo Quyết định số 12/2025/QĐ-UBND của UBND tỉnh Phú Thọ."))
    ingest([docs], FakeEmbedder(), root=tmp_path / "ix")
    links = doc_links(open_index(tmp_path / "ix"))
    # same place, or the sentence names the place: a link; Nghệ An's own "12/2025/QĐ-UBND" is another decision
    # (a national number, 25/2025/NĐ-CP cited by a ministry, links from anywhere: see the first test)
    assert sorted(x.citing for x in cited_by(links, "phu-tho-12.md")) == ["nghe-an-51.md", "phu-tho-40.md"]
