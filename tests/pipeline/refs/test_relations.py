"""pipeline/refs/relations.py: the fixed formulas of legal relations, on sentences copied from the corpus
(../shared/corpus/local_gov_docs_2025), the traps included."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.readers import read_document
from pipeline.refs.relations import RelationType, in_force_date, relations_of_clause
from pipeline.refs.statements import relations_in
from pipeline.text.chunk import chunk_document

DATA = Path(__file__).resolve().parents[2] / "data"
R = RelationType


def found(clause: str, opening: bool = True) -> list[tuple[str, str | None, str, str | None]]:
    """(type, subject, object, scope) of every relation of a clause."""
    out, _ = relations_of_clause(clause, opening)
    return [(f.type.value, f.subject.ref if f.subject else None, f.other.ref, f.scope) for f in out]


def changes(clause: str, opening: bool = True) -> list[tuple[str, str | None, str, str | None]]:
    """`found` without the legal bases ("Căn cứ …")."""
    return [x for x in found(clause, opening) if x[0] != "implements"]


# ---- replaces ---------------------------------------------------------------------------------------------------

def test_a_decision_replacing_another_in_its_effect_article():
    s = ("Quyết định này có hiệu lực thi hành kể từ ngày 05/12/2025 và thay thế Quyết định số 65/2024/QĐ-UBND ngày "
         "05/12/2024 của UBND tỉnh Nghệ An ban hành Quy chế phối hợp thực hiện chức năng, nhiệm vụ, quyền hạn")
    assert found(s) == [("replaces", None, "65/2024/QĐ-UBND", None)]


def test_a_list_of_replaced_decisions_in_one_clause_gives_each_item_not_the_numbers_in_their_titles():
    s = ("Quyết định này có hiệu lực kể từ ngày 12 tháng 12 năm 2025 và thay thế các Quyết định: số 23/2016/QĐ-UBND "
         "ngày 05/8/2016 của Ủy ban nhân dân tỉnh Hải Dương ban hành Quy định về Quản lý hoạt động thoát nước và xử lý "
         "nước thải trên địa bàn tỉnh Hải Dương; số 21/2023/QĐ-UBND ngày 23/6/2023 của Ủy ban nhân dân tỉnh Hải Dương "
         "sửa đổi, bổ sung một số điều của quy định quản lý hoạt động thoát nước và xử lý nước thải trên địa bàn tỉnh "
         "Hải Dương ban hành kèm theo Quyết định số 23/2016/QĐ-UBND ngày 05 tháng 8 năm 2016; số 48/2023/QĐ-UBND ngày "
         "08/12/2023 của Ủy ban nhân dân thành phố Hải Phòng ban hành quy định quản lý hoạt động thoát nước")
    got = found(s)
    assert [x[2] for x in got if x[0] == "replaces"] == ["23/2016/QĐ-UBND", "21/2023/QĐ-UBND", "48/2023/QĐ-UBND"]
    # the second item's title quotes an amendment between two other decisions
    assert ("amends", "21/2023/QĐ-UBND", "23/2016/QĐ-UBND", "một số điều") in got


def test_documents_that_expire_when_this_one_takes_effect_are_replaced_by_it():
    s = ("Quyết định số 11/2022/QĐ-UBND ngày 03 tháng 6 năm 2022 của Ủy ban nhân dân tỉnh Thái Nguyên ban hành Quy "
         "định về quản lý, đảm bảo an toàn lưới điện cao áp trên địa bàn tỉnh Thái Nguyên hết hiệu lực kể từ ngày "
         "Quyết định này có hiệu lực thi hành.")
    assert found(s) == [("replaces", None, "11/2022/QĐ-UBND", None)]
    listed = ("Các Nghị quyết của Hội đồng nhân dân Thành phố sau đây hết hiệu lực kể từ ngày Nghị quyết này có hiệu "
              "lực thi hành: số 15/2013/NQ-HĐND ngày 17 tháng 7 năm 2013 về cơ chế tài chính áp dụng đối với các cơ sở "
              "giáo dục công lập chất lượng cao trên địa bàn Thủ đô; số 14/2016/NQ-HĐND ngày 06 tháng 12 năm 2016")
    assert [x[2] for x in found(listed)] == ["15/2013/NQ-HĐND", "14/2016/NQ-HĐND"]


def test_a_list_opened_by_one_clause_continues_in_the_next_ones(tmp_path):
    doc = tmp_path / "nd.md"
    doc.write_text("Số: 303/2025/NĐ-CP\n\n**Điều 10. Hiệu lực thi hành**\n\n"
                   "Nghị định này thay thế các Nghị định sau: Nghị định số 123/2016/NĐ-CP ngày 01 tháng 9 năm 2016 "
                   "của Chính phủ quy định chức năng, nhiệm vụ, quyền hạn và cơ cấu tổ chức của bộ, cơ quan ngang bộ; "
                   "Nghị định số 101/2020/NĐ-CP ngày 28 tháng 8 năm 2020 của Chính phủ sửa đổi, bổ sung một số điều "
                   "của Nghị định số 123/2016/NĐ-CP ngày 01 tháng 9 năm 2016 của Chính phủ.\n", encoding="utf-8")
    d = read_document(doc, name="nd.md")
    rels, _ = relations_in(chunk_document(d), d.meta.date, "303/2025/NĐ-CP")
    got = {(r.type.value, r.subject.ref if r.subject else None, r.other.ref) for r in rels}
    assert got == {("replaces", None, "123/2016/NĐ-CP"), ("replaces", None, "101/2020/NĐ-CP"),
                   ("amends", "101/2020/NĐ-CP", "123/2016/NĐ-CP")}


# ---- amends, repeals, details, guides -------------------------------------------------------------------------

def test_an_amending_resolution_names_what_it_amends_in_its_title():
    s = ("SỬA ĐỔI, BỔ SUNG MỘT SỐ ĐIỀU CỦA QUY ĐỊNH KÈM THEO NGHỊ QUYẾT SỐ 09/2022/NQ-HĐND NGÀY 14 THÁNG 7 NĂM 2022 "
         "CỦA HỘI ĐỒNG NHÂN DÂN TỈNH THỪA THIÊN HUẾ")
    assert found(s) == [("amends", None, "09/2022/NQ-HĐND", "một số điều")]


def test_a_repeal_keeps_the_part_repealed_and_a_whole_repeal_has_no_scope():
    assert found("Bãi bỏ điểm b khoản 1 Điều 2 Thông tư số 04/2022/TT-BTP.") == [
        ("repeals", None, "04/2022/TT-BTP", "điểm b khoản 1 Điều 2")]
    s = ("Quyết định này có hiệu lực thi hành kể từ ngày 01 tháng 12 năm 2025 và bãi bỏ Quyết định số "
         "23/2019/QĐ-UBND ngày 10/4/2019 của Ủy ban nhân dân tỉnh Bắc Ninh về việc ban hành Quy định")
    assert found(s) == [("repeals", None, "23/2019/QĐ-UBND", None)]


def test_replacing_words_of_a_resolution_amends_it():
    s = "Thay thế, bãi bỏ một số từ, cụm từ tại Nghị quyết số 22/2023/NQ-HĐND"
    assert {x[0] for x in found(s)} == {"amends"}


def test_details_and_guides_by_the_document_itself_and_quoted_in_a_basis():
    s = "Thông tư này quy định chi tiết một số điều của Luật Điện lực số 61/2024/QH15, bao gồm:"
    assert found(s) == [("details", None, "61/2024/QH15", "một số điều")]
    basis = ("Căn cứ Thông tư số 03/2025/TT-VPCP hướng dẫn thi hành một số nội dung của Nghị định số 118/2025/NĐ-CP "
             "ngày 09 tháng 6 năm 2025 của Chính phủ về thực hiện thủ tục hành chính theo cơ chế một cửa")
    assert found(basis) == [("implements", None, "03/2025/TT-VPCP", None),
                            ("guides", "03/2025/TT-VPCP", "118/2025/NĐ-CP", "một số nội dung")]


# ---- implements --------------------------------------------------------------------------------------------------

def test_a_basis_is_not_an_amendment_and_a_quoted_amendment_is_between_two_other_documents():
    s = ("Căn cứ Nghị định số 10/2022/NĐ-CP quy định về lệ phí trước bạ được sửa đổi, bổ sung bởi Nghị định số "
         "175/2025/NĐ-CP;")
    assert found(s) == [("implements", None, "10/2022/NĐ-CP", None), ("implements", None, "175/2025/NĐ-CP", None),
                        ("amends", "175/2025/NĐ-CP", "10/2022/NĐ-CP", None)]


def test_several_amending_laws_after_one_by():
    s = ("Căn cứ Luật Quản lý, sử dụng tài sản công số 15/2017/QH14 được sửa đổi, bổ sung bởi Luật số 56/2024/QH15 và "
         "Luật số 90/2025/QH15;")
    assert {x[1] for x in changes(s)} == {"56/2024/QH15", "90/2025/QH15"}


def test_the_number_after_an_amending_laws_title_is_its_own():
    s = ("Căn cứ Luật Ban hành văn bản quy phạm pháp luật số 64/2025/QH15 ngày 19 tháng 02 năm 2025; Luật sửa đổi, bổ "
         "sung một số điều của Luật Ban hành văn bản quy phạm pháp luật số 87/2025/QH15 ngày 25 tháng 6 năm 2025;")
    assert found(s) == [("implements", None, "64/2025/QH15", None), ("implements", None, "87/2025/QH15", None)]


def test_thuc_hien_is_a_basis_only_before_a_document():
    assert found("Thực hiện Quyết định số 2304/QĐ-BTNMT ngày 23 tháng 6 năm 2025 của Bộ trưởng Bộ Nông nghiệp và "
                 "Môi trường về việc công bố thủ tục hành chính")[0][:3] == ("implements", None, "2304/QĐ-BTNMT")
    assert found("Thực hiện đầy đủ nghĩa vụ bàn giao, thanh lý và hoàn trả theo quy định tại Điều 19 Nghị định "
                 "267/2025/NĐ-CP;") == []


# ---- traps -------------------------------------------------------------------------------------------------------

def test_thay_the_in_ordinary_prose_is_no_relation():
    s = ("Cơ quan thuế có trách nhiệm thay thế máy móc, thiết bị theo quy định tại Quyết định số 29/2025/QĐ-UBND ngày "
         "06 tháng 6 năm 2025")
    assert changes(s) == []
    assert changes("Các khoản kinh phí mua sắm, thay thế thiết bị theo Quyết định số 15/2025/QĐ-TTg;") == []


def test_a_general_clause_about_future_amendments_is_no_relation():
    s = ("Trường hợp Quyết định số 29/2025/QĐ-UBND ngày 06 tháng 6 năm 2025 của Ủy ban nhân dân tỉnh Đắk Lắk (cũ) và "
         "Quyết định số 66/2024/QĐ-UBND của Ủy ban nhân dân tỉnh Phú Yên (trước đây) được sửa đổi, bổ sung hoặc thay "
         "thế bằng văn bản mới thì giá tính lệ phí trước bạ đối với nhà mới xây dựng được áp dụng theo văn bản sửa "
         "đổi, bổ sung hoặc thay thế.")
    assert found(s) == []
    s = ("Các văn bản quy phạm pháp luật được viện dẫn tại Quyết định này được sửa đổi, bổ sung hoặc thay thế thì thực "
         "hiện theo văn bản mới")
    assert found(s) == []


def test_a_proposal_to_replace_is_not_a_replacement():
    s = ("Xét Tờ trình số 431/TTr-UBND ngày 21 tháng 11 năm 2025 của Ủy ban nhân dân Thành phố về việc đề nghị ban "
         "hành Nghị quyết thay thế Nghị quyết số 47/2024/NQ-HĐND ngày 12 tháng 12 năm 2024 của Hội đồng nhân dân")
    assert found(s) == []


def test_a_task_in_a_report_is_not_the_documents_own_statement():
    s = "- Sửa đổi, bổ sung Quyết định số 12/2024/QĐ-UBND cho phù hợp với quy định mới;"
    assert found(s, opening=True) == [("amends", None, "12/2024/QĐ-UBND", None)]
    assert found(s, opening=False) == []


# ---- effective dates ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("clause", "date"), [
    ("Quyết định này có hiệu lực thi hành kể từ ngày 05/12/2025 và thay thế Quyết định số 65/2024/QĐ-UBND",
     "2025-12-05"),
    ("Nghị quyết này có hiệu lực thi hành kể từ ngày 01 tháng 01 năm 2026, thay thế Nghị quyết số 09/2021/NQ-HĐND",
     "2026-01-01"),
    ("Quyết định này có hiệu lực thi hành kể từ ngày ký.", "2025-11-24"),
    ("Quyết định có hiệu lực thi hành kể từ ngày 04 tháng 12 năm 2025.", "2025-12-04"),
    # a consolidated text's footnote dates another document
    ("[35] Điểm này được sửa đổi, bổ sung theo quy định tại điểm b khoản 14 Điều 1 của Thông tư số 101/2025/TT-BQP "
     "sửa đổi, bổ sung một số điều các Thông tư, có hiệu lực kể từ ngày 28 tháng 10 năm 2025.", None),
    ("Quyết định tạm đình chỉ công tác đương nhiên hết hiệu lực thi hành khi hết thời hạn tạm đình chỉ công tác.",
     None),
])
def test_a_documents_own_effective_date(clause: str, date: str | None):
    assert in_force_date(clause, signed="2025-11-24") == date


def test_a_whole_decision_read_in_order(tmp_path):
    d = read_document(DATA / "qd-95-2025-nghean.md", name="qd-95-2025-nghean.md")
    rels, dates = relations_in(chunk_document(d), d.meta.date, "95/2025/QĐ-UBND")
    replaced = [r for r in rels if r.type is R.REPLACES]
    assert [(r.other.ref, r.effective, r.subject) for r in replaced] == [("65/2024/QĐ-UBND", "2025-12-05", None)]
    assert "thay thế Quyết định số 65/2024/QĐ-UBND" in replaced[0].sentence
    bases = {r.other.ref for r in rels if r.type is R.IMPLEMENTS}
    assert {"64/2025/QH15", "87/2025/QH15", "118/2025/NĐ-CP", "2304/QĐ-BTNMT", "3380/QĐ-BNNMT"} <= bases
    assert "11006/TTr-SNNMT" not in bases  # "Theo đề nghị … tại Tờ trình số …" is no basis
    assert [x.date for x in dates] == ["2025-12-05"]


# ---- the hand-checked list ---------------------------------------------------------------------------------------

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "local_gov_docs_2025"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="needs ../shared/corpus/local_gov_docs_2025")
def test_recall_and_precision_on_the_hand_checked_list_of_17_documents():
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
    from relations_score import score

    by_type, errors = score(CORPUS)
    tp = sum(c["tp"] for c in by_type.values())
    fp = sum(c["fp"] for c in by_type.values())
    fn = sum(c["fn"] for c in by_type.values())
    assert tp + fn >= 150  # the list itself: 190 relations
    assert tp / (tp + fn) >= 0.9 and tp / (tp + fp) >= 0.95, errors
    changes = {k: c for k, c in by_type.items() if k != "implements"}
    assert sum(c["fp"] for c in changes.values()) == 0, errors  # no false amendment, replacement or repeal


# ---- causes of the errors found by eye in the first random sample (bench/relations_precision_round1.md) --------

def test_a_part_is_named_by_a_number_not_by_a_word_that_starts_like_one():
    s = ("Thực hiện Chỉ thị số 02-CT/TU ngày 05/8/2025 của Ban Thường vụ Tỉnh ủy về lãnh đạo cuộc bầu cử đại biểu "
         "Quốc hội khóa XVI và bầu cử đại biểu Hội đồng nhân dân các cấp nhiệm kỳ 2026 - 2031 và Chỉ thị số "
         "007/CT-UBND ngày 06/10/2025 của UBND tỉnh về việc tổ chức cuộc bầu cử đại biểu Quốc hội khóa XVI")
    assert ("implements", None, "007/CT-UBND", None) in found(s)  # "đại biểu Quốc …" names no part ("Biểu")


def test_what_a_basis_implements_in_its_title_is_not_a_basis_itself():
    s = ("Thực hiện Kế hoạch số 283/KH-UBND ngày 24/9/2025 của Ủy ban nhân dân Tỉnh về thực hiện Nghị quyết số "
         "71/NQ-CP ngày 01/5/2025 của Chính phủ")
    assert found(s) == [("implements", None, "283/KH-UBND", None)]


def test_a_number_with_its_own_title_verb_starts_a_new_item_of_a_quoted_list():
    s = ("Căn cứ Các Nghị định của Chính phủ quy định chi tiết thi hành một số điều của Luật Quy hoạch (Số "
         "37/2019/NĐ-CP ngày 07/5/2019, số 58/2023/NĐ-CP ngày 12/8/2023 sửa đổi, bổ sung một số điều của Nghị định số "
         "37/2019/NĐ-CP và số 22/2025/NĐ-CP ngày 11/02/2025 sửa đổi, bổ sung một số điều của Nghị định số "
         "37/2019/NĐ-CP đã được sửa đổi, bổ sung một số điều theo Nghị định số 58/2023/NĐ-CP);")
    assert {(t, s_, o) for t, s_, o, _ in changes(s)} == {("amends", "58/2023/NĐ-CP", "37/2019/NĐ-CP"),
                                                           ("amends", "22/2025/NĐ-CP", "37/2019/NĐ-CP")}


def test_a_law_named_without_its_number_does_not_lend_its_relation_to_the_next_number():
    s = ("thuộc đối tượng phải đăng ký môi trường theo quy định của Luật Bảo vệ môi trường, Nghị định số "
         "08/2022/NĐ-CP ngày 10 tháng 01 năm 2022 của Chính phủ quy định chi tiết một số điều của Luật Bảo vệ môi "
         "trường và Nghị định số 05/2025/NĐ-CP ngày 06 tháng 01 năm 2025 của Chính phủ")
    assert changes(s) == []  # 08/2022 details the law (no number given), not decree 05/2025


def test_a_list_of_documents_that_cease_to_have_effect_under_an_article_is_read_item_by_item():
    # Thái Nguyên's 26/2025/QĐ-UBND, Điều 3: "2. Các quyết định sau hết hiệu lực thi hành kể từ ngày 01 tháng 12
    # năm 2025: a) Quyết định số 06/2021/QĐ-UBND …; b) Quyết định số 25/2021/QĐ-UBND …" (no "… này" in the opener)
    from tests.conftest import SHARED

    path = SHARED / "corpus" / "local_gov_docs_2025" / "docs" / "26-2025-QĐ-UBND__db769f685bf6bb23.md"
    doc = read_document(path)
    relations, _ = relations_in(chunk_document(doc), doc.meta.date, "26/2025/QĐ-UBND")
    replaced = [r.other.ref for r in relations if r.type is RelationType.REPLACES]
    assert replaced == ["06/2021/QĐ-UBND", "25/2021/QĐ-UBND"]
    found, opener = relations_of_clause("Các dự án sau hết hiệu lực đầu tư: dự án A; dự án B.")
    assert found == []  # no number in the list: nothing to replace
