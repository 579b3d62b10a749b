from pipeline.text.clean import clean
from pipeline.text.sections import build_sections, parse_heading, section_year
from pipeline.types import Paragraph


def test_heading_grammar_recognises_each_level():
    cases = {
        "Phần thứ nhất TÌNH HÌNH NĂM 2022": ("phan", "Phần thứ nhất"),
        "PHẦN THỨ HAI NHIỆM VỤ NĂM 2023": ("phan", "PHẦN THỨ HAI"),
        "Chương II QUY ĐỊNH CHUNG": ("chuong", "Chương II"),
        "Điều 5. Hiệu lực thi hành": ("dieu", "Điều 5"),
        "II. ĐÁNH GIÁ CHUNG:": ("roman", "II."),
        "3. Lĩnh vực Văn hóa - Xã hội": ("arabic", "3."),
        "1.4. Tài chính, tín dụng:": ("arabic2", "1.4."),
        "a) Chỉ tiêu kinh tế:": ("letter", "a)"),
    }
    for text, (kind, label) in cases.items():
        h, _ = parse_heading(text)
        assert (h.kind, h.label) == (kind, label), text


def test_title_colon_body_splits_heading_from_text():
    h, body = parse_heading("1. Lĩnh vực kinh tế: Tăng trưởng kinh tế ước đạt 11,67%.")
    assert h.title == "Lĩnh vực kinh tế" and body == "Tăng trưởng kinh tế ước đạt 11,67%."


def test_long_numbered_paragraph_is_a_list_item_not_a_heading():
    text = "1. " + "Sau khi có văn bản tư vấn pháp luật của tư vấn viên, doanh nghiệp nộp hồ sơ đề nghị. " * 3
    assert parse_heading(text) is None
    assert parse_heading("Không phải tiêu đề, chỉ là một câu bình thường.") is None


def test_seed_breadcrumbs_follow_the_report_outline(seed_text):
    paragraphs, _, _ = clean(seed_text)
    crumbs = [s.breadcrumb for s in build_sections(paragraphs)]
    assert any(c.startswith("Phần thứ nhất") and c.endswith("› 1. Lĩnh vực kinh tế › 1.4. Tài chính, tín dụng")
               for c in crumbs)
    assert any(c.endswith("› 2. Dự kiến các chỉ tiêu chủ yếu › a) Chỉ tiêu kinh tế") for c in crumbs)
    assert crumbs[-1].startswith("Nơi nhận")


def test_section_year_comes_from_the_part_heading(seed_text):
    paragraphs, _, _ = clean(seed_text)
    years = {s.path[0].label: section_year(s.path) for s in build_sections(paragraphs) if s.path}
    assert years["Phần thứ nhất"] == 2022 and years["PHẦN THỨ HAI"] == 2023


def test_a_deeper_heading_closes_siblings_not_parents():
    ps = [Paragraph(t) for t in ["I. KẾT QUẢ", "1. Kinh tế", "Văn bản một.", "2. Xã hội", "Văn bản hai.",
                                 "II. NHIỆM VỤ", "Văn bản ba."]]
    assert [s.breadcrumb for s in build_sections(ps)] == ["I. KẾT QUẢ › 1. Kinh tế", "I. KẾT QUẢ › 2. Xã hội",
                                                          "II. NHIỆM VỤ"]


def test_a_regulation_attached_after_the_signature_is_not_under_noi_nhan():
    ps = [Paragraph(t) for t in ["Điều 3. Hiệu lực", "Quyết định có hiệu lực.", "Nơi nhận:", "- Như Điều 3;",
                                 "TM. ỦY BAN NHÂN DÂN", "Nguyễn Văn A", "Chương I QUY ĐỊNH CHUNG",
                                 "Điều 1. Phạm vi điều chỉnh", "Quy định này quy định về hỗ trợ."]]
    crumbs = [s.breadcrumb for s in build_sections(ps)]
    assert crumbs == ["Điều 3 Hiệu lực", "Nơi nhận", "TM. ỦY BAN NHÂN DÂN",
                      "Chương I QUY ĐỊNH CHUNG › Điều 1 Phạm vi điều chỉnh"]


def _sections_of(path):
    from pipeline.readers import read_document

    return build_sections(read_document(path).paragraphs)


def test_a_clause_of_an_article_that_states_its_case_keeps_its_line_whole_in_the_text():
    from tests.conftest import DATA

    (clause,) = [s for s in _sections_of(DATA / "qd-97-2025-ubnd.md")
                 if s.path and s.path[-1].title == "Phương thức nộp hồ sơ"]
    assert [h.kind.value for h in clause.path][-2:] == ["dieu", "arabic"]
    assert clause.paragraphs[0].text.startswith("2. Phương thức nộp hồ sơ: Nộp hồ sơ trực tuyến")


def test_a_point_keeps_its_case_and_the_value_on_the_next_line_reads_after_it():
    ps = [Paragraph(t) for t in ["Điều 4. Tỷ lệ chất lượng còn lại", "1. Kê khai lệ phí trước bạ lần đầu",
                                 "a) Đối với nhà có thời gian đã sử dụng dưới 5 năm:", "100%.",
                                 "b) Nuôi trồng thủy sản trong bể, lồng, bè: hỗ trợ 30.000.000 đồng/100 m3."]]
    first, second = build_sections(ps)[-2:]
    assert [p.text for p in first.paragraphs] == ["a) Đối với nhà có thời gian đã sử dụng dưới 5 năm:", "100%."]
    assert second.path[-1].title == "Nuôi trồng thủy sản trong bể, lồng, bè"
    assert second.paragraphs[0].text == "b) Nuôi trồng thủy sản trong bể, lồng, bè: hỗ trợ 30.000.000 đồng/100 m3."


def test_a_report_heading_with_its_body_reads_as_written_under_its_path(seed_text):
    paragraphs, _, _ = clean(seed_text)
    (economy,) = [s for s in build_sections(paragraphs) if s.breadcrumb.endswith("› 1. Lĩnh vực kinh tế")]
    assert economy.paragraphs[0].text.startswith("1. Lĩnh vực kinh tế: Tăng trưởng kinh tế ước đạt 11,67%")
    (finance,) = [s for s in build_sections(paragraphs) if s.breadcrumb.endswith("› 1.4. Tài chính, tín dụng")]
    assert not finance.paragraphs[0].text.startswith("1.4.")  # a numbered sub-heading stays a heading
